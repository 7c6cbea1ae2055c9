"""ITI TF-2b 3.42.4.1.3 — the Document Registry's actions on Register Document Set-b.

``register_submission`` validates a submission against itself
(``registry.validation``) and against the registry's state, then gives
every object its ``urn:uuid:`` id and status, deprecates replaced
documents, files replacements in the folders of their originals, updates
folders' lastUpdateTime and stores it all through one
:class:`~registry.storage.store.RegistryStore` — the caller's unit of work,
so the submission is stored whole or not at all.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from registry.errors import (
    DuplicateUniqueIdInRegistry,
    MetadataError,
    NonIdenticalHash,
    PatientIdDoesNotMatch,
    RegistryError,
    RegistryErrorList,
    UnknownPatientId,
)
from registry.model import Association, DocumentEntry, Folder, Submission, SubmissionSet
from registry.storage.database import Database
from registry.storage.rows import EncodedSubmission, encode_submission
from registry.storage.store import ObjectKind, RegistryStore, StoredRef
from registry.validation import is_uuid_urn, validate_submission
from registry.vocabulary import AssociationType, AvailabilityStatus, SubmissionSetStatus

__all__ = [
    "PreparedRegistration",
    "dtm_now",
    "prepare_registration",
    "register",
    "register_prepared",
    "register_submission",
    "register_validated",
]


def dtm_now(now: datetime | None = None) -> str:
    """The current time as a DTM to the second, in UTC (ITI TF-3 Table 4.2.3.1.7-2)."""
    return (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%d%H%M%S")


def register(
    database: Database, submission: Submission, *, now: datetime | None = None
) -> Submission:
    """Register ``submission`` in its own unit of work; return it as registered.

    The checks that need only the submission run before the unit of work
    opens, so writers hold the database's write lock only for the checks
    against its state and the inserts; the unit of work is group committed
    with concurrent registrations (:meth:`Database.write`).
    """
    validate_submission(submission)
    prepared = prepare_registration(submission, now=now)
    return database.write(lambda store: register_prepared(store, prepared))


def register_submission(
    store: RegistryStore, submission: Submission, *, now: datetime | None = None
) -> Submission:
    """Register ``submission`` in ``store``; return it as registered (UUIDs, statuses).

    Raises a :class:`RegistryError` (usually a :class:`RegistryErrorList`)
    and writes nothing when any rule is broken.
    """
    validate_submission(submission)
    return register_validated(store, submission, now=now)


def register_validated(
    store: RegistryStore, submission: Submission, *, now: datetime | None = None
) -> Submission:
    """The part of registration that reads and writes the store.

    ``submission`` must have passed :func:`registry.validation.validate_submission`.
    """
    return register_prepared(store, prepare_registration(submission, now=now))


@dataclass(frozen=True, slots=True)
class PreparedRegistration:
    """A validated submission made ready to register, before the writer lock is taken.

    What does not depend on the registry's state — UUIDs for symbolic ids, the
    statuses the registry owns, the rows to insert — is worked out here, so that
    under the lock (:func:`register_prepared`) only the checks against the
    registry's state and the INSERTs run (see ``registry.storage.rows.EncodedSubmission``).
    """

    submission: Submission
    """As sent: the checks name its ids."""
    registered: Submission
    """As it will be stored (:func:`_assign_ids`)."""
    rows: EncodedSubmission
    dtm: str
    """The registration's time (folders' lastUpdateTime)."""


def prepare_registration(
    submission: Submission, *, now: datetime | None = None
) -> PreparedRegistration:
    """Assign ids and statuses and encode the rows of a validated ``submission``."""
    dtm = dtm_now(now)
    registered = _assign_ids(submission, dtm)
    return PreparedRegistration(
        submission=submission,
        registered=registered,
        rows=encode_submission(registered),
        dtm=dtm,
    )


def register_prepared(store: RegistryStore, prepared: PreparedRegistration) -> Submission:
    """Check ``prepared`` against the registry's state and store it; return it as registered.

    Raises a :class:`RegistryError` (usually a :class:`RegistryErrorList`) and
    writes nothing when a rule is broken.
    """
    submission = prepared.submission
    references = _registered_references(store, submission)
    errors = [
        *_check_patient(store, submission),
        *_check_unique_ids(store, submission),
        *_check_references(submission, references),
    ]
    if errors:
        raise RegistryErrorList(errors)

    registered = prepared.registered
    extra_memberships = _replacements_into_folders(store, registered)  # before the inserts
    store.add_encoded(prepared.rows)
    if extra_memberships:
        store.add_associations(extra_memberships)
        registered = Submission(
            submission_set=registered.submission_set,
            documents=registered.documents,
            folders=registered.folders,
            associations=(*registered.associations, *extra_memberships),
            object_refs=registered.object_refs,
            request_slots=registered.request_slots,
        )
    replaced = [
        a.target_id for a in registered.associations if a.kind is not None and a.kind.replaces
    ]
    if replaced:
        store.set_status(replaced, AvailabilityStatus.DEPRECATED.value)
    # Registered sources of a HasMember can only be folders (checked above).
    new_ids = {obj.entry_uuid for obj in registered.identified_objects()}
    folders_touched = {
        a.source_id
        for a in registered.associations
        if a.kind is AssociationType.HAS_MEMBER and a.source_id not in new_ids
    }
    if folders_touched:
        store.set_folder_last_update_time(sorted(folders_touched), prepared.dtm)
    return registered


# --------------------------------------------------------------------------- checks


def _registered_references(store: RegistryStore, submission: Submission) -> dict[str, StoredRef]:
    """The registered objects the submission's associations name."""
    local = {obj.entry_uuid for obj in submission.objects()}
    named = {
        end
        for a in submission.associations
        for end in (a.source_id, a.target_id)
        if end and end not in local and is_uuid_urn(end)
    }
    return store.objects_by_uuid(named) if named else {}


def _check_patient(store: RegistryStore, submission: Submission) -> Iterator[RegistryError]:
    """ITI TF-2b 3.42.4.1.3.2: the patient id is known to the registry (fed by ITI-44)."""
    patient_id = submission.submission_set.patient_id
    patient = store.patient(patient_id)
    if patient is None or not patient.is_active:
        reason = (
            "is not known to the registry"
            if patient is None
            else (f"was merged into {patient.merged_into}")
        )
        yield UnknownPatientId(f"patient id {patient_id} {reason}", location=patient_id)


def _check_unique_ids(store: RegistryStore, submission: Submission) -> Iterator[RegistryError]:
    """ITI TF-2b 3.42.4.1.3.3: uniqueIds and UUIDs not already registered."""
    new_objects = submission.identified_objects()
    registered = store.objects_by_unique_id([obj.unique_id for obj in new_objects])
    for obj in new_objects:
        existing = registered.get(obj.unique_id)
        if existing is None:
            continue
        if (
            isinstance(obj, DocumentEntry)
            and existing.kind is ObjectKind.DOCUMENT
            and (existing.hash or "").lower() != (obj.hash or "").lower()
        ):
            yield NonIdenticalHash(
                f"document uniqueId {obj.unique_id} is registered with hash {existing.hash}, "
                f"this submission has {obj.hash}",
                location=obj.unique_id,
            )
        else:
            yield DuplicateUniqueIdInRegistry(
                f"uniqueId {obj.unique_id} is already registered ({existing.entry_uuid})",
                location=obj.unique_id,
            )
    given = [obj.entry_uuid for obj in submission.objects() if is_uuid_urn(obj.entry_uuid)]
    if given:
        for entry_uuid in store.objects_by_uuid(given):
            yield MetadataError(
                f"entryUUID {entry_uuid} is already registered", location=entry_uuid
            )


def _check_references(
    submission: Submission, references: dict[str, StoredRef]
) -> Iterator[RegistryError]:
    """ITI TF-3 4.2.2: every association end resolves, with the right kind and patient."""
    patient_id = submission.submission_set.patient_id
    local = {obj.entry_uuid for obj in submission.objects()}
    for association in submission.associations:
        for end in (association.source_id, association.target_id):
            if end and end not in local and end not in references:
                yield MetadataError(
                    f"Association {association.entry_uuid} names {end}, which is neither in "
                    "the submission nor in the registry",
                    location=association.entry_uuid,
                )
        target = references.get(association.target_id)
        source = references.get(association.source_id)
        kind = association.kind
        if kind is None:
            continue
        if kind.is_relationship and target is not None:
            yield from _check_relationship_target(association, kind, target, patient_id)
        elif kind is AssociationType.HAS_MEMBER:
            for ref in (source, target):
                if ref is not None and ref.patient_id and ref.patient_id != patient_id:
                    yield PatientIdDoesNotMatch(
                        f"Association {association.entry_uuid} links {ref.entry_uuid} of "
                        f"patient {ref.patient_id} into a submission for {patient_id}",
                        location=association.entry_uuid,
                    )
            if source is not None and source.kind is not ObjectKind.FOLDER:
                yield MetadataError(
                    f"Association {association.entry_uuid}: a registered "
                    f"{source.kind.value} cannot gain members",
                    location=association.entry_uuid,
                )
            if (
                source is not None
                and source.availability_status != AvailabilityStatus.APPROVED.value
            ):
                yield MetadataError(
                    f"Association {association.entry_uuid}: folder {source.entry_uuid} is "
                    "not Approved",
                    location=association.entry_uuid,
                )


def _check_relationship_target(
    association: Association, kind: AssociationType, target: StoredRef, patient_id: str
) -> Iterator[RegistryError]:
    """ITI TF-3 4.2.2.2: a relationship targets an Approved DocumentEntry of the same patient."""
    allowed = {ObjectKind.DOCUMENT}
    if kind is AssociationType.SIGNS:
        allowed.add(ObjectKind.SUBMISSION_SET)
    if target.kind not in allowed:
        yield MetadataError(
            f"Association {association.entry_uuid}: a {kind.name} must target a "
            f"DocumentEntry, {target.entry_uuid} is a {target.kind.value}",
            location=association.entry_uuid,
        )
        return
    if target.availability_status != AvailabilityStatus.APPROVED.value and kind is not (
        AssociationType.SIGNS
    ):
        yield MetadataError(
            f"Association {association.entry_uuid}: {target.entry_uuid} is not Approved "
            f"and cannot be the target of a {kind.name}",
            location=association.entry_uuid,
        )
    if target.patient_id != patient_id:
        yield PatientIdDoesNotMatch(
            f"Association {association.entry_uuid}: {target.entry_uuid} belongs to patient "
            f"{target.patient_id}, the submission to {patient_id}",
            location=association.entry_uuid,
        )


# --------------------------------------------------------------------------- registration


def _new_uuid() -> str:
    return uuid.uuid4().urn


def _assign_ids(submission: Submission, now: str) -> Submission:
    """Replace symbolic ids by ``urn:uuid:`` ids and set what the registry owns.

    ITI TF-3 4.2.3.1.5: symbolic ids are local to the message; the registry
    assigns UUIDs. Status becomes Approved, the first version is "1" with
    ``lid`` = entryUUID unless given (ITI-57), folders get lastUpdateTime.
    """
    ids = {
        obj.entry_uuid: obj.entry_uuid if is_uuid_urn(obj.entry_uuid) else _new_uuid()
        for obj in submission.objects()
    }
    approved = AvailabilityStatus.APPROVED

    def lid(obj: DocumentEntry | Folder | SubmissionSet) -> str:
        given = obj.logical_id
        return given if given and is_uuid_urn(given) else ids[obj.entry_uuid]

    return Submission(
        submission_set=submission.submission_set.with_(
            entry_uuid=ids[submission.submission_set.entry_uuid],
            logical_id=lid(submission.submission_set),
            availability_status=approved,
        ),
        documents=tuple(
            d.with_(
                entry_uuid=ids[d.entry_uuid],
                logical_id=lid(d),
                version="1",
                availability_status=approved,
            )
            for d in submission.documents
        ),
        folders=tuple(
            f.with_(
                entry_uuid=ids[f.entry_uuid],
                logical_id=lid(f),
                version="1",
                availability_status=approved,
                last_update_time=now,
            )
            for f in submission.folders
        ),
        associations=tuple(
            a.with_(
                entry_uuid=ids[a.entry_uuid],
                source_id=ids.get(a.source_id, a.source_id),
                target_id=ids.get(a.target_id, a.target_id),
                availability_status=approved,
            )
            for a in submission.associations
        ),
        object_refs=submission.object_refs,
        request_slots=submission.request_slots,
    )


def _replacements_into_folders(store: RegistryStore, submission: Submission) -> list[Association]:
    """ITI TF-3 4.2.2.2.2: a replacement joins every folder its original was in.

    Each new folder membership is itself recorded as a member of the
    SubmissionSet, as a membership submitted by the sender would be.
    """
    replacements = {
        a.target_id: a.source_id
        for a in submission.associations
        if a.kind is not None and a.kind.replaces
    }
    if not replacements:
        return []
    memberships = store.associations_touching(
        list(replacements), types=[AssociationType.HAS_MEMBER.value]
    )
    folder_refs = store.objects_by_uuid({m.source_id for m in memberships})
    added: list[Association] = []
    for membership in memberships:
        folder = folder_refs.get(membership.source_id)
        if (
            folder is None
            or folder.kind is not ObjectKind.FOLDER
            or membership.target_id not in replacements
            or folder.availability_status != AvailabilityStatus.APPROVED.value
        ):
            continue
        joined = Association(
            entry_uuid=_new_uuid(),
            association_type=AssociationType.HAS_MEMBER.value,
            source_id=folder.entry_uuid,
            target_id=replacements[membership.target_id],
            availability_status=AvailabilityStatus.APPROVED,
        )
        added.append(joined)
        added.append(
            Association(
                entry_uuid=_new_uuid(),
                association_type=AssociationType.HAS_MEMBER.value,
                source_id=submission.submission_set.entry_uuid,
                target_id=joined.entry_uuid,
                availability_status=AvailabilityStatus.APPROVED,
                submission_set_status=SubmissionSetStatus.ORIGINAL,
            )
        )
    return added
