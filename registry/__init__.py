"""The XDS.b Document Registry: metadata model, validation, stored queries, persistence.

Modules, each named after the part of the standard it implements:

* :mod:`registry.vocabulary` — the wire strings of ITI TF-3 4.2.5 and 4.1 (schemes, object and
  association types, statuses, stored-query ids, error codes), as enums;
* :mod:`registry.model` — the metadata objects of ITI TF-3 4.2.3 as frozen dataclasses (no
  lxml, no SQLAlchemy);
* :mod:`registry.hl7_datatypes` — CX, XCN, XON, DTM and OIDs (ITI TF-3 Table 4.2.3.1.7-2);
* :mod:`registry.ebrim` — the model to and from ebRIM 3.0 XML;
* :mod:`registry.validation` — the rules a submission must meet on its own (ITI TF-3 4.2);
* :mod:`registry.register` — ITI-42 Register Document Set-b: the rules against the registry's
  state, UUIDs, deprecation, folders;
* :mod:`registry.metadata_update` — ITI-57 Update Document Set (XDS Metadata Update): new
  versions, UpdateAvailabilityStatus, SubmitAssociation;
* :mod:`registry.remove_metadata` — ITI-62 Delete Document Set (Remove Metadata);
* :mod:`registry.query_parameters` / :mod:`registry.stored_queries` — ITI-18;
* :mod:`registry.patient_feed` / :mod:`registry.hl7v3` — ITI-44 Patient Identity Feed HL7 V3;
* :mod:`registry.dmp_patients` / :mod:`registry.dmp_habilitations` — the DMP's records (TD0.2,
  TD1.x) and authorisations, on :mod:`registry.dmp_records`, :mod:`registry.ins`,
  :mod:`registry.dmp_vocabulary`;
* :mod:`registry.storage` — persistence on SQLite or PostgreSQL (SQLAlchemy, Alembic);
* :mod:`registry.errors` — the refusals, one exception per IHE error code.

This package imports nothing from ``soap``, ``repository`` or ``carnet``; only the model and
the errors are re-exported here, so that importing them stays light.
"""

from registry.errors import RegistryError, RegistryErrorList
from registry.model import (
    Association,
    Author,
    Code,
    DocumentEntry,
    Folder,
    ObjectRef,
    Slot,
    Submission,
    SubmissionSet,
)

__all__ = [
    "Association",
    "Author",
    "Code",
    "DocumentEntry",
    "Folder",
    "ObjectRef",
    "RegistryError",
    "RegistryErrorList",
    "Slot",
    "Submission",
    "SubmissionSet",
]
