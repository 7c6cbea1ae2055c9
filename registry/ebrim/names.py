"""ebRIM 3.0 element names and the slot names ITI TF-3 4.2.3 gives each XDS object.

Shared by the reader and the writer so both agree on what is "extra" (a slot
the standard does not name, kept as sent: ITI TF-3 4.1.14).
"""

from __future__ import annotations

from registry.vocabulary import ClassificationScheme, Namespace

RIM = Namespace.RIM.value
LCM = Namespace.LCM.value
QUERY = Namespace.QUERY.value
RS = Namespace.RS.value


def rim(local: str) -> str:
    """The Clark name of a ``rim:`` element."""
    return f"{{{RIM}}}{local}"


SLOT = rim("Slot")
VALUE_LIST = rim("ValueList")
VALUE = rim("Value")
NAME = rim("Name")
DESCRIPTION = rim("Description")
LOCALIZED_STRING = rim("LocalizedString")
VERSION_INFO = rim("VersionInfo")
CLASSIFICATION = rim("Classification")
EXTERNAL_IDENTIFIER = rim("ExternalIdentifier")
EXTRINSIC_OBJECT = rim("ExtrinsicObject")
REGISTRY_PACKAGE = rim("RegistryPackage")
ASSOCIATION = rim("Association")
OBJECT_REF = rim("ObjectRef")
REGISTRY_OBJECT_LIST = rim("RegistryObjectList")

NSMAP = {"rim": RIM, "lcm": LCM, "query": QUERY, "rs": RS}

REFERENCE_ID_LIST = "urn:ihe:iti:xds:2013:referenceIdList"

DOCUMENT_SLOTS = frozenset(
    {
        "creationTime",
        "hash",
        "languageCode",
        "legalAuthenticator",
        "repositoryUniqueId",
        "serviceStartTime",
        "serviceStopTime",
        "size",
        "sourcePatientId",
        "sourcePatientInfo",
        REFERENCE_ID_LIST,
        "documentAvailability",
    }
)
SUBMISSION_SET_SLOTS = frozenset({"submissionTime", "intendedRecipient"})
FOLDER_SLOTS = frozenset({"lastUpdateTime"})
ASSOCIATION_SLOTS = frozenset(
    {
        "SubmissionSetStatus",
        "PreviousVersion",
        "OriginalStatus",
        "NewStatus",
        "AssociationPropagation",
    }
)
AUTHOR_SLOTS = {
    "authorPerson": "person",
    "authorInstitution": "institutions",
    "authorRole": "roles",
    "authorSpecialty": "specialties",
    # Older IHE texts (and many peers) spell it this way; read both, write the current one.
    "authorSpeciality": "specialties",
    "authorTelecommunication": "telecoms",
}

DOCUMENT_CODE_SCHEMES = {
    ClassificationScheme.DOCUMENT_CLASS_CODE.value: "class_code",
    ClassificationScheme.DOCUMENT_TYPE_CODE.value: "type_code",
    ClassificationScheme.DOCUMENT_FORMAT_CODE.value: "format_code",
    ClassificationScheme.DOCUMENT_HEALTHCARE_FACILITY_TYPE_CODE.value: (
        "healthcare_facility_type_code"
    ),
    ClassificationScheme.DOCUMENT_PRACTICE_SETTING_CODE.value: "practice_setting_code",
}
DOCUMENT_CODE_LISTS = {
    ClassificationScheme.DOCUMENT_CONFIDENTIALITY_CODE.value: "confidentiality_codes",
    ClassificationScheme.DOCUMENT_EVENT_CODE.value: "event_codes",
}
