"""ITI TF-2b 3.57.4.1.3.3.1 and 3.57.4.1.3.3.3 — new versions of DocumentEntries and Folders.

A new version names, by its ``lid``, a logical object whose latest version
is Approved; its SubmissionSet HasMember's ``PreviousVersion`` is that latest
version (else ``XDSMetadataVersionError``). It keeps the uniqueId, the patient
and, for a DocumentEntry, the document itself (objectType, hash, size,
repositoryUniqueId). It becomes version previous + 1, Approved; the previous
version becomes Deprecated and stops being the latest.

Association propagation (3.57.4.1.3.3.1.5, on unless the HasMember's
``AssociationPropagation`` slot says ``no``) copies the previous version's
Approved associations onto the new one: a DocumentEntry's memberships of
current Folders (each recorded as a member of the SubmissionSet, the Folder's
lastUpdateTime set) and its document relationships; a Folder's HasMembers.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from registry.errors import (
    MetadataUpdateError,
    MetadataVersionError,
    PatientIdReconciliationError,
    RegistryError,
)
from registry.metadata_update.plan import APPROVED, UpdatePlan, Version
from registry.metadata_update.request import version_member
from registry.model import Association, DocumentEntry, Folder, Submission
from registry.storage.store import ObjectKind, RegistryStore, StoredRef
from registry.vocabulary import AssociationType, SubmissionSetStatus

__all__ = ["plan_versions"]

_HAS_MEMBER = AssociationType.HAS_MEMBER.value
_RELATIONSHIPS = tuple(t.value for t in AssociationType if t.is_relationship)


def plan_versions(store: RegistryStore, submission: Submission, plan: UpdatePlan) -> None:
    """ITI TF-2b 3.57.4.1.3.3.1 and 3.57.4.1.3.3.3: new versions of DocumentEntries and Folders."""
    objects: tuple[Version, ...] = (*submission.documents, *submission.folders)
    lids = [obj.logical_id for obj in objects if obj.logical_id]
    latest_documents = store.latest_documents(lids)
    latest_folders = store.latest_folders(lids)
    for obj in objects:
        member = version_member(submission, obj.entry_uuid)
        assert obj.logical_id is not None and member is not None  # check_update
        previous: Version | None = (
            latest_documents.get(obj.logical_id)
            if isinstance(obj, DocumentEntry)
            else latest_folders.get(obj.logical_id)
        )
        errors = list(_check_version(obj, previous, member))
        plan.errors += errors
        if errors or previous is None:
            continue
        new_id = plan.uuid(obj.entry_uuid)
        version = str(_version_number(previous.version) + 1)
        if isinstance(obj, DocumentEntry):
            new: Version = obj.with_(
                entry_uuid=new_id, version=version, availability_status=APPROVED
            )
        else:
            new = obj.with_(
                entry_uuid=new_id,
                version=version,
                availability_status=APPROVED,
                last_update_time=plan.now,
            )
        plan.versions[new_id] = new
        plan.previous[new_id] = previous
        plan.propagate[new_id] = member.association_propagation != "no"
    for new_id, previous in plan.previous.items():
        if plan.propagate[new_id]:
            _propagate(store, plan, previous=previous, new=plan.versions[new_id])


def _version_number(version: str | None) -> int:
    try:
        return int(version or "1")
    except ValueError:
        return 1


def _check_version(
    obj: Version, previous: Version | None, member: Association
) -> Iterator[RegistryError]:
    """ITI TF-2b 3.57.4.1.3.3.1.3: the new version against the latest registered one."""
    kind = "DocumentEntry" if isinstance(obj, DocumentEntry) else "Folder"
    where = obj.entry_uuid
    if previous is None:
        yield MetadataUpdateError(
            f"no {kind} with logicalID {obj.logical_id} is registered", location=where
        )
        return
    if str(previous.availability_status) != APPROVED:
        yield MetadataUpdateError(
            f"the latest version of {kind} {obj.logical_id} ({previous.entry_uuid}) is "
            f"{previous.availability_status}, only an Approved one may get a new version",
            location=where,
        )
    if member.previous_version != previous.version:
        yield MetadataVersionError(
            f"PreviousVersion {member.previous_version} of {kind} {where} is not the latest "
            f"version {previous.version} of {obj.logical_id}",
            location=where,
        )
    if obj.unique_id != previous.unique_id:
        yield MetadataUpdateError(
            f"{kind} {where} has uniqueId {obj.unique_id}, the version it updates "
            f"{previous.unique_id}",
            location=where,
        )
    if obj.patient_id != previous.patient_id:
        yield PatientIdReconciliationError(
            f"{kind} {where} names patient {obj.patient_id}, the version it updates "
            f"{previous.patient_id}; a patient id is changed by a merge (ITI-44), not an update",
            location=where,
        )
    if isinstance(obj, DocumentEntry) and isinstance(previous, DocumentEntry):
        for name, new_value, old_value in (
            ("objectType", str(obj.object_type), str(previous.object_type)),
            ("hash", (obj.hash or "").lower(), (previous.hash or "").lower()),
            ("size", obj.size, previous.size),
            ("repositoryUniqueId", obj.repository_unique_id, previous.repository_unique_id),
        ):
            if new_value != old_value:
                yield MetadataUpdateError(
                    f"DocumentEntry {where} has {name} {new_value}, the version it updates "
                    f"{old_value}: the document itself cannot change in a metadata update",
                    location=where,
                )


def _member_record(plan: UpdatePlan, association: Association) -> Association:
    """The SubmissionSet's HasMember recording an association it added (ITI TF-3 4.2.2.1.3)."""
    return Association(
        entry_uuid=uuid.uuid4().urn,
        association_type=_HAS_MEMBER,
        source_id=plan.submission_set.entry_uuid,
        target_id=association.entry_uuid,
        availability_status=APPROVED,
        submission_set_status=SubmissionSetStatus.ORIGINAL,
    )


def _propagate(store: RegistryStore, plan: UpdatePlan, *, previous: Version, new: Version) -> None:
    """ITI TF-2b 3.57.4.1.3.3.1.5: copy the previous version's Approved associations.

    For a DocumentEntry: the HasMembers of the Folders holding it (each new
    membership recorded as a member of the SubmissionSet, and the Folder's
    lastUpdateTime set) and the document relationships it is an end of. For a
    Folder: its HasMembers.
    """
    old = previous.entry_uuid
    if isinstance(previous, Folder):
        copies = [
            a.with_(source_id=new.entry_uuid)
            for a in store.associations_from([old], types=[_HAS_MEMBER])
            if str(a.availability_status) == APPROVED
        ]
        memberships, relationships = copies, []
    else:
        held_by = [
            a
            for a in store.associations_to([old], types=[_HAS_MEMBER])
            if str(a.availability_status) == APPROVED
        ]
        holders = store.objects_by_uuid({a.source_id for a in held_by}) if held_by else {}
        memberships = [
            a.with_(target_id=new.entry_uuid)
            for a in held_by
            if _is_current_folder(holders.get(a.source_id))
        ]
        plan.folders_touched.update(a.source_id for a in memberships)
        relationships = [
            a.with_(
                source_id=new.entry_uuid if a.source_id == old else a.source_id,
                target_id=new.entry_uuid if a.target_id == old else a.target_id,
            )
            for a in store.associations_touching([old], types=_RELATIONSHIPS)
            if str(a.availability_status) == APPROVED
        ]
    for copy in memberships:
        membership = _copied(copy)
        plan.associations += [membership, _member_record(plan, membership)]
    plan.associations += [_copied(copy) for copy in relationships]


def _copied(association: Association) -> Association:
    return Association(
        entry_uuid=uuid.uuid4().urn,
        association_type=association.association_type,
        source_id=association.source_id,
        target_id=association.target_id,
        availability_status=APPROVED,
        extra_slots=association.extra_slots,
    )


def _is_current_folder(ref: StoredRef | None) -> bool:
    return (
        ref is not None
        and ref.kind is ObjectKind.FOLDER
        and ref.latest
        and ref.availability_status == APPROVED
    )
