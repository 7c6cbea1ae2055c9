"""Carnet application: settings, the DMP access policy, the app factory and the ``carnet`` CLI."""

from carnet.access_matrix import AccessMatrixError
from carnet.access_policy import (
    AccessMode,
    AccessPolicy,
    Caller,
    CallerKind,
    ConfidentialityCode,
    Decision,
    DocumentFacts,
    Reason,
    RecordState,
    RecordStatus,
    Relationship,
)
from carnet.settings import Profile, Settings, SettingsError

__all__ = [
    "AccessMatrixError",
    "AccessMode",
    "AccessPolicy",
    "Caller",
    "CallerKind",
    "ConfidentialityCode",
    "Decision",
    "DocumentFacts",
    "Profile",
    "Reason",
    "RecordState",
    "RecordStatus",
    "Relationship",
    "Settings",
    "SettingsError",
]
