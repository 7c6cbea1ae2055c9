"""ITI TF-3 4.2.4 — the registry's refusals, one exception per IHE error code.

Each exception carries the IHE error code (``code``, a class attribute that an
instance may narrow), a human-readable reason and the ``location`` the
``rim:RegistryError/@location`` attribute reports (the id or uniqueId of the
offending object). Only ``soap/faults.py`` turns them into wire XML.

Exception tree::

    RegistryError                      XDSRegistryError
    ├── RegistryErrorList              several errors at once (whole submission refused)
    ├── MetadataError                  XDSRegistryMetadataError
    │   ├── MetadataUpdateError        XDSMetadataUpdateError (ITI-57)
    │   ├── MetadataUpdateOperationError  XDSMetadataUpdateOperationError (ITI-57)
    │   └── MetadataVersionError       XDSMetadataVersionError (ITI-57)
    ├── PatientIdReconciliationError   XDSPatientIDReconciliationError (ITI-57)
    ├── UnresolvedReference            UnresolvedReferenceException (ITI-62)
    ├── ReferencesExist                ReferencesExistException (ITI-62)
    ├── UnreferencedObject             XDSUnreferencedObjectException (ITI-62)
    ├── UnknownPatientId               XDSUnknownPatientId
    ├── PatientIdDoesNotMatch          XDSPatientIdDoesNotMatch
    ├── DuplicateUniqueIdInRegistry    XDSDuplicateUniqueIdInRegistry
    ├── NonIdenticalHash               XDSNonIdenticalHash
    ├── DuplicateUniqueIdInMessage     XDSRegistryDuplicateUniqueIdInMessage
    └── StoredQueryError               (ITI TF-2a 3.18.4.1.3)
        ├── UnknownStoredQuery         XDSUnknownStoredQuery
        ├── StoredQueryMissingParam    XDSStoredQueryMissingParam
        ├── StoredQueryParamNumber     XDSStoredQueryParamNumber
        ├── ResultNotSinglePatient     XDSResultNotSinglePatient
        └── TooManyResults             XDSTooManyResults
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from registry.vocabulary import ErrorCode, ErrorSeverity


class RegistryError(Exception):
    """Root of every refusal the registry reports as a ``rim:RegistryError``."""

    code: ClassVar[ErrorCode] = ErrorCode.REGISTRY_ERROR

    def __init__(
        self,
        reason: str,
        *,
        location: str | None = None,
        code: ErrorCode | None = None,
        severity: ErrorSeverity = ErrorSeverity.ERROR,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.location = location
        self.severity = severity
        if code is not None:
            # An instance may narrow the class's code (e.g. a repository-side
            # metadata error raised through the registry's MetadataError).
            self.error_code = code
        else:
            self.error_code = type(self).code

    @property
    def errors(self) -> tuple[RegistryError, ...]:
        """The individual errors this exception stands for (itself, here)."""
        return (self,)

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"{name}({self.error_code.value}: {self.reason!r}, location={self.location!r})"


class RegistryErrorList(RegistryError):
    """Several errors found in one request: the request is refused as a whole."""

    def __init__(self, errors: Iterable[RegistryError]) -> None:
        collected = tuple(e for error in errors for e in error.errors)
        if not collected:
            raise ValueError("RegistryErrorList needs at least one error")
        first = collected[0]
        super().__init__(
            "; ".join(e.reason for e in collected), location=first.location, code=first.error_code
        )
        self._errors = collected

    @property
    def errors(self) -> tuple[RegistryError, ...]:
        return self._errors


class MetadataError(RegistryError):
    """ITI TF-3 4.2.4: metadata that breaks a rule of ITI TF-3 4.2/4.3."""

    code = ErrorCode.REGISTRY_METADATA_ERROR


class MetadataUpdateError(MetadataError):
    """ITI-57: an update the registry cannot apply."""

    code = ErrorCode.METADATA_UPDATE_ERROR


class MetadataUpdateOperationError(MetadataError):
    """ITI TF-2b 3.57.4.1.3: a request the registry cannot decode as a metadata update operation."""

    code = ErrorCode.METADATA_UPDATE_OPERATION_ERROR


class MetadataVersionError(MetadataError):
    """ITI-57: the PreviousVersion does not match the latest version."""

    code = ErrorCode.METADATA_VERSION_ERROR


class PatientIdReconciliationError(RegistryError):
    """ITI TF-2b 3.57.4.1.3: an update whose patient id does not match the object it updates."""

    code = ErrorCode.PATIENT_ID_RECONCILIATION_ERROR


class UnresolvedReference(RegistryError):
    """ITI TF-2b 3.62.4.1.3 (ebRS 3.0 §5.3): an ObjectRef naming no object of the registry."""

    code = ErrorCode.UNRESOLVED_REFERENCE


class ReferencesExist(RegistryError):
    """ITI TF-2b 3.62.4.1.3: removing an object an Association that stays still references."""

    code = ErrorCode.REFERENCES_EXIST


class UnreferencedObject(RegistryError):
    """ITI TF-2b 3.62.4.1.3: a removal that would leave an object no Association references."""

    code = ErrorCode.UNREFERENCED_OBJECT


class UnknownPatientId(RegistryError):
    """ITI TF-2b 3.42.4.1.3.2: the patient id is not known to the registry."""

    code = ErrorCode.UNKNOWN_PATIENT_ID


class PatientIdDoesNotMatch(RegistryError):
    """ITI TF-2b 3.42.4.1.3.2: objects of one submission name different patients."""

    code = ErrorCode.PATIENT_ID_DOES_NOT_MATCH


class DuplicateUniqueIdInRegistry(RegistryError):
    """ITI TF-2b 3.42.4.1.3.3: a uniqueId already registered for another object."""

    code = ErrorCode.DUPLICATE_UNIQUE_ID_IN_REGISTRY


class NonIdenticalHash(RegistryError):
    """ITI TF-2b 3.42.4.1.3.3: same document uniqueId, different hash."""

    code = ErrorCode.NON_IDENTICAL_HASH


class DuplicateUniqueIdInMessage(RegistryError):
    """ITI TF-2b 3.42.4.1.3.3: two objects of one submission share a uniqueId."""

    code = ErrorCode.REGISTRY_DUPLICATE_UNIQUE_ID_IN_MESSAGE


class StoredQueryError(RegistryError):
    """ITI TF-2a 3.18.4.1.3: a stored query the registry cannot run."""


class UnknownStoredQuery(StoredQueryError):
    code = ErrorCode.UNKNOWN_STORED_QUERY


class StoredQueryMissingParam(StoredQueryError):
    code = ErrorCode.STORED_QUERY_MISSING_PARAM


class StoredQueryParamNumber(StoredQueryError):
    code = ErrorCode.STORED_QUERY_PARAM_NUMBER


class ResultNotSinglePatient(StoredQueryError):
    code = ErrorCode.RESULT_NOT_SINGLE_PATIENT


class TooManyResults(StoredQueryError):
    code = ErrorCode.TOO_MANY_RESULTS
