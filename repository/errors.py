"""ITI TF-3 4.2.4 and ITI TF-2b 3.41/3.43 — the Document Repository's refusals.

The repository reports its errors in the same ``rs:RegistryErrorList`` as the
registry (ITI TF-3 Table 4.2.4.1-2), so each exception is a
``registry.errors.RegistryError`` whose class attribute ``code`` is the IHE error
code; ``location`` names the DocumentEntry id (ITI-41) or the document uniqueId
(ITI-43) at fault. Only ``soap/faults.py`` turns them into wire XML.

Exception tree::

    RegistryError (registry.errors)
    └── RepositoryError                    XDSRepositoryError
        ├── DocumentStoreError             XDSRepositoryError (the bytes could not be kept or read)
        │   ├── DocumentNotStored          XDSRepositoryError (no content under that key)
        │   └── RepositoryOutOfResources   XDSRepositoryOutOfResources (disk full)
        ├── MissingDocument                XDSMissingDocument (ITI-41)
        ├── MissingDocumentMetadata        XDSMissingDocumentMetadata (ITI-41)
        ├── RepositoryMetadataError        XDSRepositoryMetadataError (ITI-41)
        │   └── SubmissionSignatureError   XDSRepositoryMetadataError (ITI-41, IHE DSG signature)
        ├── UnknownRepositoryId            XDSUnknownRepositoryId (ITI-43)
        ├── DocumentUniqueIdError          XDSDocumentUniqueIdError (ITI-43, ITI-86)
        ├── DocumentStillRegistered        ReferencesExistException (ITI-86)
        └── RegistryNotAvailable           XDSRegistryNotAvailable (registry on another node)
"""

from __future__ import annotations

from registry.errors import RegistryError
from registry.vocabulary import ErrorCode

__all__ = [
    "DocumentNotStored",
    "DocumentStillRegistered",
    "DocumentStoreError",
    "DocumentUniqueIdError",
    "MissingDocument",
    "MissingDocumentMetadata",
    "RegistryNotAvailable",
    "RepositoryError",
    "RepositoryMetadataError",
    "RepositoryOutOfResources",
    "SubmissionSignatureError",
    "UnknownRepositoryId",
]


class RepositoryError(RegistryError):
    """Root of the repository's refusals: an internal failure of the Document Repository."""

    code = ErrorCode.REPOSITORY_ERROR


class DocumentStoreError(RepositoryError):
    """The document store could not write or read a content (I/O error, corrupt content)."""


class DocumentNotStored(DocumentStoreError):
    """No content is stored under the key asked for."""


class RepositoryOutOfResources(DocumentStoreError):
    """ITI TF-3 Table 4.2.4.1-2: the repository has no room left for the documents."""

    code = ErrorCode.REPOSITORY_OUT_OF_RESOURCES


class MissingDocument(RepositoryError):
    """ITI TF-2b 3.41.4.1.3: a DocumentEntry has no ``xdsb:Document`` in the request."""

    code = ErrorCode.MISSING_DOCUMENT


class MissingDocumentMetadata(RepositoryError):
    """ITI TF-2b 3.41.4.1.3: an ``xdsb:Document`` has no DocumentEntry in the metadata."""

    code = ErrorCode.MISSING_DOCUMENT_METADATA


class RepositoryMetadataError(RepositoryError):
    """ITI TF-2b 3.41.4.1.3: hash, size or repositoryUniqueId contradicts the document."""

    code = ErrorCode.REPOSITORY_METADATA_ERROR


class SubmissionSignatureError(RepositoryMetadataError):
    """ITI TF-3 5.5.5: the submission's signature is missing (DMP profile) or does not verify.

    The reason names what failed: the signature value, an untrusted certificate, the digest
    of a document, a document the signature does not cover.
    """


class UnknownRepositoryId(RepositoryError):
    """ITI TF-2b 3.43.4.1.3: the request names a repositoryUniqueId that is not this one."""

    code = ErrorCode.UNKNOWN_REPOSITORY_ID


class DocumentUniqueIdError(RepositoryError):
    """ITI TF-2b 3.43.4.1.3: no document with this uniqueId is stored here."""

    code = ErrorCode.DOCUMENT_UNIQUE_ID_ERROR


class DocumentStillRegistered(RepositoryError):
    """IHE RMD, ITI TF-2b 3.86.4.1.3: ITI-86 names a document whose DocumentEntry is registered.

    The Document Administrator removes the metadata first (ITI-62); this repository
    shares its registry's database and refuses to leave an entry pointing at nothing
    (ebRS 3.0 §5.3 ``ReferencesExistException``: the entry still references it).
    """

    code = ErrorCode.REFERENCES_EXIST


class RegistryNotAvailable(RepositoryError):
    """ITI TF-3 Table 4.2.4.1-2: the repository could not get an answer from the registry.

    Raised when the Document Registry is on another node
    (:mod:`repository.remote_registration`) and cannot be reached, times out, or
    answers something that is not an ebRS response. ``in_doubt`` tells whether the
    request may have reached it — sent in full, the answer lost — so that it may have
    committed the submission: the repository then keeps the documents until the
    registry says (ITI TF-2b 3.41.4.1.3: never remove what it may reference).
    """

    code = ErrorCode.REGISTRY_NOT_AVAILABLE

    def __init__(self, reason: str, *, in_doubt: bool = False) -> None:
        super().__init__(reason)
        self.in_doubt = in_doubt
