"""Registry persistence: one flattened row per registry object, migrations, unit of work.

``Database`` opens the store (SQLite or PostgreSQL), migrates its schema and
hands out ``RegistryStore``s bound to one transaction; ``RegistryStore`` is
the only API the rest of Carnet uses, so that SQLAlchemy stays inside this
package (ITI TF-2b 3.42.4.1.3: a submission is stored all or nothing).
"""

from registry.storage.criteria import (
    DocumentCriteria,
    FolderCriteria,
    SubmissionSetCriteria,
    TimeRange,
)
from registry.storage.database import Database
from registry.storage.ledger_store import RepositoryLedger
from registry.storage.store import ObjectKind, RegistryStore, StoredRef

__all__ = [
    "Database",
    "DocumentCriteria",
    "FolderCriteria",
    "ObjectKind",
    "RegistryStore",
    "RepositoryLedger",
    "StoredRef",
    "SubmissionSetCriteria",
    "TimeRange",
]
