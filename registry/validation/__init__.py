"""ITI TF-3 4.2 and ITI TF-2b 3.42.4.1.3 — validation of a submission on its own.

``validate_submission`` applies every rule that needs nothing but the
submission: attributes and their formats (``attributes.py``), one patient,
uniqueIds unique within the message (here) and the structure of
associations (``associations.py``). Rules that need the registry's state
(known patient, uniqueId already registered, references to registered
objects) are applied by ``registry/register.py``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from registry.errors import (
    DuplicateUniqueIdInMessage,
    PatientIdDoesNotMatch,
    RegistryError,
    RegistryErrorList,
)
from registry.model import Submission
from registry.validation.associations import check_associations
from registry.validation.attributes import (
    check_document_entry,
    check_folder,
    check_submission_set,
    is_document_unique_id,
    is_uuid_urn,
)

__all__ = [
    "check_patient_ids",
    "check_unique_ids_in_message",
    "is_document_unique_id",
    "is_uuid_urn",
    "validate_submission",
]


def check_patient_ids(submission: Submission) -> Iterator[RegistryError]:
    """ITI TF-2b 3.42.4.1.3.2: every object of a submission names the same patient."""
    expected = submission.submission_set.patient_id
    for obj in submission.identified_objects()[1:]:
        if obj.patient_id and expected and obj.patient_id != expected:
            yield PatientIdDoesNotMatch(
                f"{obj.entry_uuid} has patientId {obj.patient_id!r}, the SubmissionSet "
                f"has {expected!r}",
                location=obj.entry_uuid,
            )


def check_unique_ids_in_message(submission: Submission) -> Iterator[RegistryError]:
    """ITI TF-2b 3.42.4.1.3.3: no two objects of one submission share a uniqueId or id."""
    unique_ids = Counter(obj.unique_id for obj in submission.identified_objects() if obj.unique_id)
    for unique_id, count in unique_ids.items():
        if count > 1:
            yield DuplicateUniqueIdInMessage(
                f"uniqueId {unique_id} appears {count} times in the submission",
                location=unique_id,
            )
    ids = Counter(obj.entry_uuid for obj in submission.objects())
    for entry_uuid, count in ids.items():
        if count > 1:
            yield DuplicateUniqueIdInMessage(
                f"id {entry_uuid} names {count} objects of the submission", location=entry_uuid
            )


def validate_submission(submission: Submission) -> None:
    """Raise a :class:`RegistryErrorList` holding every error found, if any."""
    errors: list[RegistryError] = [
        *check_submission_set(submission.submission_set),
        *(e for d in submission.documents for e in check_document_entry(d)),
        *(e for f in submission.folders for e in check_folder(f)),
        *check_patient_ids(submission),
        *check_unique_ids_in_message(submission),
        *check_associations(submission),
    ]
    if errors:
        raise RegistryErrorList(errors)
