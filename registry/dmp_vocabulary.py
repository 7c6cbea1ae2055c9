"""DMP (France's shared health record) — wire strings of the patients and habilitations services.

The DMP's own integration guide (DMPi) is not public; every value here comes from public
implementations and ANS pages, named per enum (``../shared/DMP.md`` §1.2 and §2.4 gathers them):

* the ANS "TLSi Kit Éditeur" (``MessageBuilder``: TD1.1 ``CreateHl7V3Message``, TD1.2
  ``ReactivateHl7V3Message``, TD1.3b ``ModifyDataHl7V3Message``, TD1.4 ``CloseHl7V3Message``;
  ``HabilitationSoapService``), OpenXtrem Mediboard's DMP message factory;
* ANS DRIMbox ``VerifyAuthorizationRequest.java`` (TD0.2) and ``GiveAuthorizationRequest.java``;
* ANS IG PDSm4DMP ``transaction_td02.md`` (what TD0.2 answers), ``index.md`` and
  ``transaction_td3.3c.md`` / ``transaction_td3.3d.md`` (the availability statuses ITI-57 sets).

The habilitations service's XML (namespace :data:`HABILITATIONS_NAMESPACE`) is Carnet's own,
modelled on the DMP's ``setAuthorization`` / ``listAuthorizationByPatient`` whose schema is not
public: see ``registry/dmp_habilitations.py`` and ``schemas/dmp/habilitations.xsd``.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "ADMINISTRATIVE_OBSERVATION_CODE_SYSTEM",
    "CLOSURE_REASON_CODE_SYSTEM",
    "DMP_DEVICE_OID",
    "HABILITATIONS_NAMESPACE",
    "IDNPS_OID",
    "IDNST_OID",
    "REASON_CODE_SYSTEM",
    "AccessMode",
    "AdministrativeObservation",
    "AuthorisationStatus",
    "ClosureReason",
    "DmpAvailabilityStatus",
    "DmpInteraction",
    "DmpReason",
    "DmpStatus",
    "HabilitationAction",
    "HabilitationOperation",
    "HabilitationRole",
    "ListMode",
]

REASON_CODE_SYSTEM = "1.2.250.1.213.1.1.4.11"
"""``controlActProcess/reasonCode/@codeSystem`` of every TD0.2/TD1.x message (TLSi kit, DRIMbox)."""

ADMINISTRATIVE_OBSERVATION_CODE_SYSTEM = "1.2.250.1.213.4.1.2.3"
"""``patient/subjectOf/administrativeObservation/code/@codeSystem`` (TLSi kit, Mediboard)."""

CLOSURE_REASON_CODE_SYSTEM = "1.2.250.1.213.4.1.2.4"
"""``reasonOf/detectedIssueEvent/code/@codeSystem`` of TD1.4 (TLSi kit ``CloseHl7V3Message``)."""

DMP_DEVICE_OID = "1.2.250.1.213.4.1.1.1"
"""The DMP's receiver device id (DRIMbox ``VerifyAuthorizationRequest``)."""

IDNPS_OID = "1.2.250.1.71.4.2.1"
"""National professional id (RPPS/ADELI prefixed, "IDNPS"): the author of TD1.x (TLSi kit)."""

IDNST_OID = "1.2.250.1.71.4.2.2"
"""National structure id (IDNST): the author's organisation in TD1.x (TLSi kit)."""

HABILITATIONS_NAMESPACE = "urn:carnet:dmp:habilitations:1"
"""Carnet's habilitations messages (the DMP's ``urn:si-dmp-habilitations`` schema is not public)."""


class DmpInteraction(StrEnum):
    """The HL7 V3 interactions of the ``patients`` service; the value is the root element.

    TD0.2 is ``PRPA_IN201307UV02`` (Patient Registry Get Demographics Query, DRIMbox), answered
    ``PRPA_IN201308UV02`` (its HL7 response); TD1.1 is ``PRPA_IN201311UV02`` (Add Request),
    TD1.2/TD1.3b/TD1.4 ``PRPA_IN201314UV02`` (Revise Request) (TLSi kit), each answered by the
    accept acknowledgement ``MCCI_IN000002UV01``.
    """

    GET_DEMOGRAPHICS_QUERY = "PRPA_IN201307UV02"
    GET_DEMOGRAPHICS_RESPONSE = "PRPA_IN201308UV02"
    ADD_REQUEST = "PRPA_IN201311UV02"
    REVISE_REQUEST = "PRPA_IN201314UV02"
    ACCEPT_ACKNOWLEDGEMENT = "MCCI_IN000002UV01"

    @property
    def soap_action(self) -> str:
        """``urn:hl7-org:v3:<interaction>``, the action DRIMbox sends for TD0.2.

        >>> DmpInteraction.GET_DEMOGRAPHICS_QUERY.soap_action
        'urn:hl7-org:v3:PRPA_IN201307UV02'
        """
        return f"urn:hl7-org:v3:{self.value}"


class DmpReason(StrEnum):
    """``controlActProcess/reasonCode/@code`` (system :data:`REASON_CODE_SYSTEM`): the TD."""

    EXISTENCE_TEST = "TEST_EXST"
    """TD0.2 "Test d'existence de dossier" (DRIMbox)."""
    CREATE = "CREA_RD"
    """TD1.1 "Création de dossier" (TLSi kit)."""
    REACTIVATE = "REAC"
    """TD1.2 "Réactivation de dossier" (TLSi kit)."""
    UPDATE_DATA = "MODIF_DATA"
    """TD1.3b "Modification des données de gestion du dossier" (TLSi kit)."""
    CLOSE = "FERM"
    """TD1.4 "Fermeture de dossier" (TLSi kit)."""


class AdministrativeObservation(StrEnum):
    """``administrativeObservation/code`` (system 1.2.250.1.213.4.1.2.3), a BL value each."""

    OPENING_CONSENT = "CONSENTEMENT_OUVERTURE_DMP"
    """TD1.1: the patient consents to the record (must be true)."""
    REACTIVATION_CONSENT = "CONSENTEMENT_REACTIVATION_DMP"
    """TD1.2: the patient consents to reopening it (must be true)."""
    BREAK_GLASS_OPPOSITION = "OPPOSITION_BRIS_DE_GLACE"
    """The patient opposes break-the-glass access (``bris_de_glace``)."""
    CENTRE_15_OPPOSITION = "OPPOSITION_ACCES_URGENCE"
    """The patient opposes access by the SAMU regulation (``centre_15``)."""
    AUTHORISED = "AUTORISATION_ACCES"
    """Carnet's TD0.2 answer: the caller holds an authorisation (name ours; DMPi's not public)."""
    TREATING_PHYSICIAN = "MEDECIN_TRAITANT_DMP"
    """Carnet's TD0.2 answer: the caller is the patient's "médecin traitant DMP"."""
    BLOCKED = "ACCES_BLOQUE"
    """Carnet's TD0.2 answer: the patient blocked the caller (TD0.2 NB1 in PDSm4DMP)."""


class ClosureReason(StrEnum):
    """Why a record was closed: ``reasonOf/detectedIssueEvent/code`` (1.2.250.1.213.4.1.2.4).

    Only the patient's request is attested (TLSi kit); the others are Carnet's reading of the
    closing reasons DmpConnect offers (``hl_closeDmp``) and may differ from DMPi's codes.
    """

    PATIENT_REQUEST = "FERMETURE_DEMANDE_PATIENT"
    DECEASED = "FERMETURE_DECES"
    OTHER = "FERMETURE_AUTRE"


class AccessMode(StrEnum):
    """The VIHF's ``PurposeOfUse/@code``, TRE_R248 (``1.2.250.1.213.1.1.4.248``).

    Named once here, where every layer may import it: the VIHF reader and the access
    policy (``carnet``) and the audit trail (``registry``) speak of the same mode.
    """

    NORMAL = "normal"
    BREAK_THE_GLASS = "bris_de_glace"
    """Emergency access without authorisation, unless the patient opposed it; always traced."""
    CENTRE_15 = "centre_15"
    """SAMU regulation ("centre 15"): authorisation not checked, unless the patient opposed it."""

    @property
    def is_emergency(self) -> bool:
        """Break-the-glass and centre 15: allowed without authorisation, flagged in the audit."""
        return self is not AccessMode.NORMAL


class DmpAvailabilityStatus(StrEnum):
    """TRE_R270 (JDV_J52): the availability statuses the DMP adds to ITI TF-3 4.2.3.2.2.

    Set by ITI-57 ``UpdateAvailabilityStatus`` (PDSm4DMP ``index.md``: TD3.3c and TD3.3d
    "ITI-57 — ``availabilityStatus`` = …"; DRIMbox ``DeleteRequest.java``, Mediboard
    ``CXDSFactory``), and accepted by ``$XDSDocumentEntryStatus`` under the DMP profile.
    """

    ARCHIVED = "urn:asip:ci-sis:2010:StatusType:Archived"
    """TD3.3d archive ("version archivée et à jour"); ITI-57 back to Approved unarchives it."""
    DELETED = "urn:asip:ci-sis:2010:StatusType:Deleted"
    """TD3.3c logical delete ("dépublication", author only): final, seen by nobody."""


class DmpStatus(StrEnum):
    """The record's status (PDSm4DMP TD0.2 "Statut du DMP"; HL7 ``patient/statusCode``)."""

    OPEN = "active"
    CLOSED = "terminated"


class HabilitationAction(StrEnum):
    """``setAuthorization/action`` (DRIMbox, TLSi kit ``actionType``); Carnet's blocks reuse it."""

    ADD = "AJOUT"
    REMOVE = "SUPPRESSION"


class HabilitationRole(StrEnum):
    """``setAuthorization/role`` (TLSi kit ``roleType``)."""

    TREATING_PHYSICIAN = "MEDECIN_TRAITANT"


class ListMode(StrEnum):
    """``listAuthorizationByPatient/mode``: ``TOUTE`` (TLSi kit) or one kind only (Carnet)."""

    ALL = "TOUTE"
    AUTHORISED = "AUTORISES"
    BLOCKED = "BLOQUES"


class AuthorisationStatus(StrEnum):
    """A listed professional: authorised or denied (TLSi kit ``listAuthorizationByPatient``)."""

    AUTHORISED = "AUTORISE"
    BLOCKED = "BLOQUE"


class HabilitationOperation(StrEnum):
    """The habilitations service's requests: element local name and ``wsa:Action`` suffix."""

    SET_AUTHORIZATION = "setAuthorization"
    SET_BLOCK = "setBlock"
    LIST_BY_PATIENT = "listAuthorizationByPatient"

    @property
    def soap_action(self) -> str:
        """The request's ``wsa:Action``.

        >>> HabilitationOperation.SET_BLOCK.soap_action
        'urn:carnet:dmp:habilitations:1:setBlock'
        """
        return f"{HABILITATIONS_NAMESPACE}:{self.value}"

    @property
    def response_action(self) -> str:
        """The response's ``wsa:Action``: the request's, with ``Response``."""
        return self.soap_action + "Response"
