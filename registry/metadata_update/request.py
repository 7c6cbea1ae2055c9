"""ITI TF-2b 3.57.4.1.3.3 — the checks an Update Document Set request passes on its own.

The objects' attributes follow ITI-42's rules (a new version is a whole
object); every DocumentEntry, Folder and Association must be the trigger, or
the object, of one of the operations ITI-57 defines. These checks run before
the registry's write lock is taken.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator

from registry.errors import (
    MetadataUpdateError,
    MetadataUpdateOperationError,
    RegistryError,
    RegistryErrorList,
)
from registry.metadata_update.plan import STATUSES, Version
from registry.model import Association, DocumentEntry, Submission
from registry.validation import check_patient_ids, check_unique_ids_in_message, is_uuid_urn
from registry.validation.attributes import (
    check_document_entry,
    check_folder,
    check_submission_set,
)
from registry.vocabulary import AssociationType

__all__ = ["check_update", "version_member"]

_PROPAGATION = frozenset({"yes", "no"})


def check_update(submission: Submission, *, statuses: Collection[str] = STATUSES) -> None:
    """Raise a :class:`RegistryErrorList` of every error the request shows on its own.

    ``statuses`` are those an UpdateAvailabilityStatus may name: IHE's Approved and
    Deprecated by default, the DMP's Archived and Deleted too under that profile
    (:data:`~registry.metadata_update.plan.DMP_STATUSES`); the application chooses.
    """
    errors: list[RegistryError] = [
        *check_submission_set(submission.submission_set),
        *(e for d in submission.documents for e in check_document_entry(d)),
        *(e for f in submission.folders for e in check_folder(f)),
        *check_patient_ids(submission),
        *check_unique_ids_in_message(submission),
        *_check_versions(submission),
        *_check_associations(submission, statuses),
    ]
    if errors:
        raise RegistryErrorList(errors)


def version_member(submission: Submission, target: str) -> Association | None:
    """The SubmissionSet HasMember naming the new version ``target``: its trigger."""
    for association in submission.associations:
        if (
            association.kind is AssociationType.HAS_MEMBER
            and association.source_id == submission.submission_set.entry_uuid
            and association.target_id == target
        ):
            return association
    return None


def _check_versions(submission: Submission) -> Iterator[RegistryError]:
    """ITI TF-2b 3.57.4.1.3.3.1.2: what makes a DocumentEntry or Folder a new version."""
    seen: set[str] = set()
    versions: tuple[Version, ...] = (*submission.documents, *submission.folders)
    for obj in versions:
        kind = "DocumentEntry" if isinstance(obj, DocumentEntry) else "Folder"
        where = obj.entry_uuid
        lid = obj.logical_id
        if not lid or lid == obj.entry_uuid:
            yield MetadataUpdateError(
                f"{kind} {where} has no logicalID (lid) other than its id: Update Document Set "
                "creates new versions of registered objects only, new objects go by ITI-42",
                location=where,
            )
            continue
        if not is_uuid_urn(lid):
            yield MetadataUpdateError(
                f"{kind} {where}: logicalID {lid!r} is not a urn:uuid", location=where
            )
        if lid in seen:
            yield MetadataUpdateError(
                f"logicalID {lid} appears more than once in the request", location=where
            )
        seen.add(lid)
        member = version_member(submission, obj.entry_uuid)
        if member is None:
            yield MetadataUpdateError(
                f"{kind} {where} is not the target of a SubmissionSet HasMember association",
                location=where,
            )
            continue
        if member.previous_version is None:
            yield MetadataUpdateError(
                f"the SubmissionSet HasMember of {kind} {where} has no PreviousVersion slot",
                location=member.entry_uuid,
            )
        if (
            member.association_propagation is not None
            and member.association_propagation not in _PROPAGATION
        ):
            yield MetadataUpdateError(
                f"AssociationPropagation {member.association_propagation!r} is neither yes nor no",
                location=member.entry_uuid,
            )


def _check_associations(
    submission: Submission, statuses: Collection[str]
) -> Iterator[RegistryError]:
    """ITI TF-2b 3.57.4.1.3.3: every Association is the trigger or the object of an operation."""
    ss = submission.submission_set.entry_uuid
    versions = {d.entry_uuid for d in submission.documents} | {
        f.entry_uuid for f in submission.folders
    }
    local_associations = {a.entry_uuid for a in submission.associations}
    submitted = {
        a.target_id
        for a in submission.associations
        if a.kind is AssociationType.SUBMIT_ASSOCIATION and a.source_id == ss
    }
    for association in submission.associations:
        kind = association.kind
        where = association.entry_uuid
        if kind is AssociationType.UPDATE_AVAILABILITY_STATUS:
            yield from _check_status_trigger(association, ss, statuses)
        elif kind is AssociationType.SUBMIT_ASSOCIATION:
            if association.source_id != ss:
                yield MetadataUpdateError(
                    f"SubmitAssociation {where}: sourceObject must be the SubmissionSet",
                    location=where,
                )
            if association.target_id not in local_associations:
                yield MetadataUpdateError(
                    f"SubmitAssociation {where}: targetObject {association.target_id} is not "
                    "an Association of this request",
                    location=where,
                )
        elif where in submitted:
            if kind is None or not (kind is AssociationType.HAS_MEMBER or kind.is_relationship):
                yield MetadataUpdateError(
                    f"Association {where}: a SubmitAssociation may add a HasMember or a "
                    f"document relationship, not {association.association_type!r}",
                    location=where,
                )
        elif not (
            kind is AssociationType.HAS_MEMBER
            and association.source_id == ss
            and association.target_id in versions
        ):
            yield MetadataUpdateOperationError(
                f"Association {where} ({association.association_type}) is neither the trigger "
                "nor the object of a metadata update operation",
                location=where,
            )


def _check_status_trigger(
    association: Association, ss: str, statuses: Collection[str]
) -> Iterator[RegistryError]:
    """ITI TF-2b 3.57.4.1.3.3.2.1: the shape of an UpdateAvailabilityStatus association.

    A status outside ``statuses`` (the DMP's under profile ``ihe``) is the supplement's
    ``XDSMetadataUpdateError``.
    """
    where = association.entry_uuid
    if association.source_id != ss:
        yield MetadataUpdateError(
            f"UpdateAvailabilityStatus {where}: sourceObject must be the SubmissionSet",
            location=where,
        )
    for name, value in (
        ("OriginalStatus", association.original_status),
        ("NewStatus", association.new_status),
    ):
        if value is None:
            yield MetadataUpdateError(
                f"UpdateAvailabilityStatus {where} has no {name} slot", location=where
            )
        elif value not in statuses:
            allowed = ", ".join(sorted(status.rsplit(":", 1)[-1] for status in statuses))
            yield MetadataUpdateError(
                f"UpdateAvailabilityStatus {where}: {name} {value!r} is not one of the "
                f"statuses this registry sets ({allowed})",
                location=where,
            )
