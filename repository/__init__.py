"""XDS.b Document Repository: ITI-41 provide-and-register, ITI-43 retrieve, document storage.

Modules, named after the part of ITI TF-2b each implements:

* :mod:`repository.provide_and_register` — ITI-41 (3.41.4.1.3): pairing, supplied
  hash/size/repositoryUniqueId, store then register, all or nothing;
* :mod:`repository.retrieve` — ITI-43 (3.43.4.1.3): find and open the documents asked for;
* :mod:`repository.remove_documents` — ITI-86 (IHE RMD 3.86.4.1.3): remove documents whose
  metadata is gone;
* :mod:`repository.document_store` — the storage interface, content addressed by SHA-1;
* :mod:`repository.folder_store` — that interface as sharded files in the data dir;
* :mod:`repository.registration` — forwarding the metadata to the registry (ITI-42);
* :mod:`repository.cda_metadata` — a CDA header's metadata as a DocumentEntry (ITI TF-3 4.2.3.2);
* :mod:`repository.cda_checks` — ITI-41's check of each CDA header against its DocumentEntry,
  and the DMP's rules for the CDAs it is fed;
* :mod:`repository.remote_registration` — to a registry on another node, atomic
  through the repository's own ledger;
* :mod:`repository.submission_signature` — the IHE DSG SubmissionSet Signature's
  DocumentEntry, and ITI-41's check of it (required by the DMP profile);
* :mod:`repository.sweep` — removing at start-up what a crash left behind;
* :mod:`repository.errors` — the repository's refusals and their IHE error codes.

Imports flow one way: ``repository`` uses ``registry``, never ``soap`` or ``carnet``;
documents reach it as values with a SHA-1, a size and their bytes
(:class:`~repository.provide_and_register.DocumentContent`).
"""

from repository.cda_checks import CdaHeaderCheck
from repository.cda_metadata import document_entry_from_cda
from repository.document_store import DocumentStore
from repository.errors import (
    DocumentNotStored,
    DocumentStillRegistered,
    DocumentStoreError,
    DocumentUniqueIdError,
    MissingDocument,
    MissingDocumentMetadata,
    RegistryNotAvailable,
    RepositoryError,
    RepositoryMetadataError,
    RepositoryOutOfResources,
    SubmissionSignatureError,
    UnknownRepositoryId,
)
from repository.folder_store import FolderDocumentStore
from repository.provide_and_register import (
    DocumentContent,
    SubmissionCheck,
    provide_and_register,
)
from repository.registration import DocumentRegistry, InProcessRegistry, Recovery
from repository.remote_registration import RegistryConnection, RemoteRegistry
from repository.remove_documents import (
    RemoveDocumentsResult,
    parse_remove_documents_request,
    remove_documents,
)
from repository.retrieve import (
    DocumentRequest,
    RetrievedDocument,
    RetrieveResult,
    parse_retrieve_request,
    read_document_requests,
    retrieve_documents,
)
from repository.submission_signature import SubmissionSignatureCheck, add_signature_entry
from repository.sweep import SweepReport, sweep

__all__ = [
    "CdaHeaderCheck",
    "DocumentContent",
    "DocumentNotStored",
    "DocumentRegistry",
    "DocumentRequest",
    "DocumentStillRegistered",
    "DocumentStore",
    "DocumentStoreError",
    "DocumentUniqueIdError",
    "FolderDocumentStore",
    "InProcessRegistry",
    "MissingDocument",
    "MissingDocumentMetadata",
    "Recovery",
    "RegistryConnection",
    "RegistryNotAvailable",
    "RemoteRegistry",
    "RemoveDocumentsResult",
    "RepositoryError",
    "RepositoryMetadataError",
    "RepositoryOutOfResources",
    "RetrieveResult",
    "RetrievedDocument",
    "SubmissionCheck",
    "SubmissionSignatureCheck",
    "SubmissionSignatureError",
    "SweepReport",
    "UnknownRepositoryId",
    "add_signature_entry",
    "document_entry_from_cda",
    "parse_remove_documents_request",
    "parse_retrieve_request",
    "provide_and_register",
    "read_document_requests",
    "remove_documents",
    "retrieve_documents",
    "sweep",
]
