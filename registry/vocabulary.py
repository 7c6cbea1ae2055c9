"""ITI TF-3 4.2.5 and 4.1 — the wire strings of XDS metadata, named once.

Every UUID, URN and code the standard fixes lives here as an enum whose value is
the exact string on the wire. Nothing else in the project spells them out.
"""

from __future__ import annotations

from enum import StrEnum


class ClassificationScheme(StrEnum):
    """ITI TF-3 Table 4.2.5-1: classification schemes of the XDS metadata objects."""

    DOCUMENT_AUTHOR = "urn:uuid:93606bcf-9494-43ec-9b4e-a7748d1a838d"
    DOCUMENT_CLASS_CODE = "urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a"
    DOCUMENT_CONFIDENTIALITY_CODE = "urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f"
    DOCUMENT_EVENT_CODE = "urn:uuid:2c6b8cb7-8b2a-4051-b291-b1ae6a575ef4"
    DOCUMENT_FORMAT_CODE = "urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d"
    DOCUMENT_HEALTHCARE_FACILITY_TYPE_CODE = "urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1"
    DOCUMENT_PRACTICE_SETTING_CODE = "urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead"
    DOCUMENT_TYPE_CODE = "urn:uuid:f0306f51-975f-434e-a61c-c59651d33983"
    DOCUMENT_LIMITED_METADATA = "urn:uuid:ab9b591b-83ab-4d03-8f5d-f93b1fb92e85"
    SUBMISSION_SET_LIMITED_METADATA = "urn:uuid:5003a9db-8d8d-49e6-bf0c-990e34ac7707"
    FOLDER_LIMITED_METADATA = "urn:uuid:2c144a76-29a9-4b7c-af54-b25409fe7d03"
    SUBMISSION_SET_AUTHOR = "urn:uuid:a7058bb9-b4e4-4307-ba5b-e3f0ab85e12d"
    SUBMISSION_SET_CONTENT_TYPE_CODE = "urn:uuid:aa543740-bdda-424e-8c96-df4873be8500"
    FOLDER_CODE_LIST = "urn:uuid:1ba97051-7806-41a8-a48b-8fce7af683c5"


class ClassificationNode(StrEnum):
    """ITI TF-3 4.2.5: classification nodes telling a RegistryPackage's role."""

    SUBMISSION_SET = "urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd"
    FOLDER = "urn:uuid:d9d542f3-6cc4-48b6-8870-ea235fbc94c2"


class IdentificationScheme(StrEnum):
    """ITI TF-3 Table 4.2.5-2: ExternalIdentifier identification schemes."""

    DOCUMENT_PATIENT_ID = "urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427"
    DOCUMENT_UNIQUE_ID = "urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab"
    SUBMISSION_SET_PATIENT_ID = "urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446"
    SUBMISSION_SET_SOURCE_ID = "urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832"
    SUBMISSION_SET_UNIQUE_ID = "urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8"
    FOLDER_PATIENT_ID = "urn:uuid:f64ffdf0-4b97-4e06-b79f-a52b38ec2f8a"
    FOLDER_UNIQUE_ID = "urn:uuid:75df8f67-9973-4fbe-a900-df66cefecc5a"


class ExternalIdentifierName(StrEnum):
    """ITI TF-3 4.2.3: the ``rim:Name`` each ExternalIdentifier carries."""

    DOCUMENT_PATIENT_ID = "XDSDocumentEntry.patientId"
    DOCUMENT_UNIQUE_ID = "XDSDocumentEntry.uniqueId"
    SUBMISSION_SET_PATIENT_ID = "XDSSubmissionSet.patientId"
    SUBMISSION_SET_SOURCE_ID = "XDSSubmissionSet.sourceId"
    SUBMISSION_SET_UNIQUE_ID = "XDSSubmissionSet.uniqueId"
    FOLDER_PATIENT_ID = "XDSFolder.patientId"
    FOLDER_UNIQUE_ID = "XDSFolder.uniqueId"


class ObjectType(StrEnum):
    """ITI TF-3 4.2.5 and ebRIM 3.0: ``objectType`` of registry objects."""

    STABLE_DOCUMENT_ENTRY = "urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1"
    ON_DEMAND_DOCUMENT_ENTRY = "urn:uuid:34268e47-fdf5-41a6-ba33-82133c465248"
    REGISTRY_PACKAGE = "urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:RegistryPackage"
    ASSOCIATION = "urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Association"
    CLASSIFICATION = "urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Classification"
    EXTERNAL_IDENTIFIER = (
        "urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:ExternalIdentifier"
    )


class AssociationType(StrEnum):
    """ITI TF-3 Table 4.2.2-1 (and the Metadata Update supplement, 4.2.2.3)."""

    HAS_MEMBER = "urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember"
    REPLACE = "urn:ihe:iti:2007:AssociationType:RPLC"
    TRANSFORM = "urn:ihe:iti:2007:AssociationType:XFRM"
    APPEND = "urn:ihe:iti:2007:AssociationType:APND"
    TRANSFORM_AND_REPLACE = "urn:ihe:iti:2007:AssociationType:XFRM_RPLC"
    SIGNS = "urn:ihe:iti:2007:AssociationType:signs"
    IS_SNAPSHOT_OF = "urn:ihe:iti:2010:AssociationType:IsSnapshotOf"
    UPDATE_AVAILABILITY_STATUS = "urn:ihe:iti:2010:AssociationType:UpdateAvailabilityStatus"
    SUBMIT_ASSOCIATION = "urn:ihe:iti:2010:AssociationType:SubmitAssociation"

    @property
    def is_relationship(self) -> bool:
        """ITI TF-3 4.2.2.2: the document relationships (RPLC, XFRM, APND, …)."""
        return self in _RELATIONSHIPS

    @property
    def replaces(self) -> bool:
        """RPLC and XFRM_RPLC deprecate their target (ITI TF-3 4.2.2.2.2)."""
        return self in (AssociationType.REPLACE, AssociationType.TRANSFORM_AND_REPLACE)


_RELATIONSHIPS = frozenset(
    {
        AssociationType.REPLACE,
        AssociationType.TRANSFORM,
        AssociationType.APPEND,
        AssociationType.TRANSFORM_AND_REPLACE,
        AssociationType.SIGNS,
        AssociationType.IS_SNAPSHOT_OF,
    }
)


class AvailabilityStatus(StrEnum):
    """ITI TF-3 4.2.3.2.2: availabilityStatus of registry objects."""

    APPROVED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Approved"
    DEPRECATED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Deprecated"
    SUBMITTED = "urn:oasis:names:tc:ebxml-regrep:StatusType:Submitted"


class DocumentAvailability(StrEnum):
    """ITI TF-3 4.2.3.2.30 (Metadata Update): ``documentAvailability`` of a DocumentEntry."""

    ONLINE = "urn:ihe:iti:2010:DocumentAvailability:Online"
    OFFLINE = "urn:ihe:iti:2010:DocumentAvailability:Offline"


class SubmissionSetStatus(StrEnum):
    """ITI TF-3 4.2.2.1.1: the ``SubmissionSetStatus`` slot on HasMember associations."""

    ORIGINAL = "Original"
    REFERENCE = "Reference"


class ResponseStatus(StrEnum):
    """ebRS 3.0 and ITI TF-3 4.2.4: ``status`` of a RegistryResponse."""

    SUCCESS = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Success"
    FAILURE = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure"
    PARTIAL_SUCCESS = "urn:ihe:iti:2007:ResponseStatusType:PartialSuccess"


class DeletionScope(StrEnum):
    """ebRS 3.0 §5.3.1: ``deletionScope`` of a RemoveObjectsRequest (ITI-62: DeleteAll only)."""

    DELETE_ALL = "urn:oasis:names:tc:ebxml-regrep:DeletionScopeType:DeleteAll"
    DELETE_REPOSITORY_ITEM_ONLY = (
        "urn:oasis:names:tc:ebxml-regrep:DeletionScopeType:DeleteRepositoryItemOnly"
    )


class ErrorSeverity(StrEnum):
    """ebRS 3.0: ``severity`` of a RegistryError."""

    ERROR = "urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"
    WARNING = "urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Warning"


class ErrorCode(StrEnum):
    """ITI TF-3 Table 4.2.4.1-2 (and ITI-57/62 supplements): RegistryError codes."""

    DOCUMENT_UNIQUE_ID_ERROR = "XDSDocumentUniqueIdError"
    DUPLICATE_UNIQUE_ID_IN_REGISTRY = "XDSDuplicateUniqueIdInRegistry"
    EXTRA_METADATA_NOT_SAVED = "XDSExtraMetadataNotSaved"
    MISSING_DOCUMENT = "XDSMissingDocument"
    MISSING_DOCUMENT_METADATA = "XDSMissingDocumentMetadata"
    NON_IDENTICAL_HASH = "XDSNonIdenticalHash"
    NON_IDENTICAL_SIZE = "XDSNonIdenticalSize"
    PATIENT_ID_DOES_NOT_MATCH = "XDSPatientIdDoesNotMatch"
    REGISTRY_BUSY = "XDSRegistryBusy"
    REGISTRY_DUPLICATE_UNIQUE_ID_IN_MESSAGE = "XDSRegistryDuplicateUniqueIdInMessage"
    REGISTRY_ERROR = "XDSRegistryError"
    REGISTRY_METADATA_ERROR = "XDSRegistryMetadataError"
    REGISTRY_NOT_AVAILABLE = "XDSRegistryNotAvailable"
    REGISTRY_OUT_OF_RESOURCES = "XDSRegistryOutOfResources"
    REPOSITORY_BUSY = "XDSRepositoryBusy"
    REPOSITORY_DUPLICATE_UNIQUE_ID_IN_MESSAGE = "XDSRepositoryDuplicateUniqueIdInMessage"
    REPOSITORY_ERROR = "XDSRepositoryError"
    REPOSITORY_METADATA_ERROR = "XDSRepositoryMetadataError"
    REPOSITORY_NOT_AVAILABLE = "XDSRepositoryNotAvailable"
    REPOSITORY_OUT_OF_RESOURCES = "XDSRepositoryOutOfResources"
    RESULT_NOT_SINGLE_PATIENT = "XDSResultNotSinglePatient"
    STORED_QUERY_MISSING_PARAM = "XDSStoredQueryMissingParam"
    STORED_QUERY_PARAM_NUMBER = "XDSStoredQueryParamNumber"
    TOO_MANY_RESULTS = "XDSTooManyResults"
    UNKNOWN_COMMUNITY = "XDSUnknownCommunity"
    UNKNOWN_PATIENT_ID = "XDSUnknownPatientId"
    UNKNOWN_REPOSITORY_ID = "XDSUnknownRepositoryId"
    UNKNOWN_STORED_QUERY = "XDSUnknownStoredQuery"
    PARTIAL_FOLDER_CONTENT_NOT_PROCESSED = "PartialFolderContentNotProcessed"
    PARTIAL_APPEND_CONTENT_NOT_PROCESSED = "PartialAppendContentNotProcessed"
    PARTIAL_REPLACE_CONTENT_NOT_PROCESSED = "PartialReplaceContentNotProcessed"
    PARTIAL_TRANSFORM_CONTENT_NOT_PROCESSED = "PartialTransformContentNotProcessed"
    PARTIAL_TRANSFORM_REPLACE_CONTENT_NOT_PROCESSED = "PartialTransformReplaceContentNotProcessed"
    # ITI-57 (XDS Metadata Update supplement, Table 3.57.4.1.3-1).
    METADATA_UPDATE_ERROR = "XDSMetadataUpdateError"
    METADATA_UPDATE_OPERATION_ERROR = "XDSMetadataUpdateOperationError"
    METADATA_VERSION_ERROR = "XDSMetadataVersionError"
    PATIENT_ID_RECONCILIATION_ERROR = "XDSPatientIDReconciliationError"
    # ITI-62 (Remove Metadata, ebRS 3.0 exceptions).
    UNRESOLVED_REFERENCE = "UnresolvedReferenceException"
    REFERENCES_EXIST = "ReferencesExistException"
    UNREFERENCED_OBJECT = "XDSUnreferencedObjectException"


class StoredQueryId(StrEnum):
    """ITI TF-2a 3.18.4.1.2.3.7: the stored queries and their query ids."""

    FIND_DOCUMENTS = "urn:uuid:14d4debf-8f97-4251-9a74-a90016b0af0d"
    FIND_DOCUMENTS_BY_REFERENCE_ID = "urn:uuid:12941a89-e02e-4be5-967c-ce4bfc8fe492"
    FIND_SUBMISSION_SETS = "urn:uuid:f26abbcb-ac74-4422-8a30-edb644bbc1a9"
    FIND_FOLDERS = "urn:uuid:958f3006-baad-4929-a4de-ff1114824431"
    GET_ALL = "urn:uuid:10b545ea-725c-446d-9b95-8aeb444eddf3"
    GET_DOCUMENTS = "urn:uuid:5c4f972b-d56b-40ac-a5fc-c8ca9b40b9d4"
    GET_FOLDERS = "urn:uuid:5737b14c-8a1a-4539-b659-e03a34a5e1e4"
    GET_ASSOCIATIONS = "urn:uuid:a7ae438b-4bc2-4642-93e9-be891f7bb155"
    GET_DOCUMENTS_AND_ASSOCIATIONS = "urn:uuid:bab9529a-4a10-40b3-a01f-f68a615d247a"
    GET_SUBMISSION_SETS = "urn:uuid:51224314-5390-4169-9b91-b1980040715a"
    GET_SUBMISSION_SET_AND_CONTENTS = "urn:uuid:e8e3cb2c-e39c-46b9-99e4-c12f57260b83"
    GET_FOLDER_AND_CONTENTS = "urn:uuid:b909a503-523d-4517-8acf-8e5834dfc4c7"
    GET_FOLDERS_FOR_DOCUMENT = "urn:uuid:10cae35a-c7f9-4cf5-b61e-fc3278ffb578"
    GET_RELATED_DOCUMENTS = "urn:uuid:d90e5407-b356-4d91-a89f-873917b4b0e6"


class ReturnType(StrEnum):
    """ebRS 3.0 ``ResponseOption/@returnType`` values XDS uses (ITI TF-2a 3.18.4.1.2.1)."""

    OBJECT_REF = "ObjectRef"
    LEAF_CLASS = "LeafClass"


class Namespace(StrEnum):
    """XML namespaces of ebRIM/ebRS 3.0 and IHE XDS.b."""

    RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0"
    RS = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:3.0"
    LCM = "urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0"
    QUERY = "urn:oasis:names:tc:ebxml-regrep:xsd:query:3.0"
    XDS_B = "urn:ihe:iti:xds-b:2007"
    RMD = "urn:ihe:iti:rmd:2017"


class TransactionAction(StrEnum):
    """The ``wsa:Action`` of each XDS.b request (ITI TF-2x Appendix V and each transaction's
    "Web Services Transport" section: ITI TF-2a 3.18.5, ITI TF-2b 3.41.5, 3.42.5, 3.43.5,
    3.57.5, 3.62.5, 3.86.5). The response's action is the request's with ``Response`` appended.
    """

    REGISTRY_STORED_QUERY = "urn:ihe:iti:2007:RegistryStoredQuery"
    PROVIDE_AND_REGISTER = "urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"
    REGISTER = "urn:ihe:iti:2007:RegisterDocumentSet-b"
    RETRIEVE = "urn:ihe:iti:2007:RetrieveDocumentSet"
    UPDATE = "urn:ihe:iti:2010:UpdateDocumentSet"
    DELETE = "urn:ihe:iti:2010:DeleteDocumentSet"
    REMOVE_DOCUMENTS = "urn:ihe:iti:2017:RemoveDocuments"

    @property
    def response(self) -> str:
        """The ``wsa:Action`` of the answer.

        >>> TransactionAction.REGISTER.response
        'urn:ihe:iti:2007:RegisterDocumentSet-bResponse'
        """
        return self.value + "Response"
