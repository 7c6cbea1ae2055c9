"""ITI TF-2b 3.57.4.1.3.3.2, .4, .5 and .6 — status changes and submitted Associations.

* **UpdateAvailabilityStatus** (SubmissionSet → target, slots ``OriginalStatus``
  and ``NewStatus``): the target is the latest version of a DocumentEntry or
  Folder, a new version sent in the same request, or a folder membership or
  document relationship (a SubmissionSet's HasMembers record what it submitted
  and never change); its status must be ``OriginalStatus``; one change per
  target and request. Under the DMP profile the statuses include Archived and
  Deleted (``registry.dmp_vocabulary.DmpAvailabilityStatus``); Deleted is final.
* **SubmitAssociation** (SubmissionSet → a new Association of the request):
  the new Association is a Folder → DocumentEntry HasMember (the Folder's
  lastUpdateTime changes) or a relationship between two DocumentEntries, both
  ends Approved, of one patient, not already linked by an Approved
  Association. An end may be a new version of the request only if its
  associations are not propagated as well (CP-ITI-1029:
  ``XDSMetadataUpdateOperationError``).

Every Association of the request is stored, with its ``urn:uuid:`` ids.
"""

from __future__ import annotations

from collections.abc import Mapping

from registry.errors import (
    MetadataUpdateError,
    MetadataUpdateOperationError,
    PatientIdDoesNotMatch,
    RegistryError,
)
from registry.metadata_update.plan import APPROVED, DEPRECATED, FINAL_STATUSES, UpdatePlan
from registry.model import Association, DocumentEntry, Submission
from registry.storage.store import ObjectKind, RegistryStore, StoredRef
from registry.validation import is_uuid_urn
from registry.vocabulary import AssociationType

__all__ = ["plan_associations"]


def plan_associations(store: RegistryStore, submission: Submission, plan: UpdatePlan) -> None:
    """Give the request's Associations their ids and apply their operations' rules."""
    named = {
        end
        for a in submission.associations
        for end in (a.source_id, a.target_id)
        if is_uuid_urn(end) and end not in plan.ids
    }
    refs = store.objects_by_uuid(named) if named else {}
    submitted = {
        a.target_id for a in submission.associations if a.kind is AssociationType.SUBMIT_ASSOCIATION
    }
    changed: set[str] = set()
    for association in submission.associations:
        stored = association.with_(
            entry_uuid=plan.uuid(association.entry_uuid),
            source_id=plan.uuid(association.source_id),
            target_id=plan.uuid(association.target_id),
            availability_status=APPROVED,
        )
        if association.kind is AssociationType.UPDATE_AVAILABILITY_STATUS:
            plan.errors += _status_change(store, plan, association, stored.target_id, refs, changed)
        elif association.entry_uuid in submitted:
            plan.errors += _submitted_association(store, plan, association, stored, refs)
        plan.associations.append(stored)


def _status_change(
    store: RegistryStore,
    plan: UpdatePlan,
    association: Association,
    target: str,
    refs: Mapping[str, StoredRef],
    changed: set[str],
) -> list[RegistryError]:
    """ITI TF-2b 3.57.4.1.3.3.2.2, .4 and .6: change the status of the latest version.

    The target is a registered DocumentEntry, Folder or Association, or a new
    version sent in this request; its status must be ``OriginalStatus``.
    """
    where = association.entry_uuid

    def fail(reason: str) -> list[RegistryError]:
        return [MetadataUpdateError(f"UpdateAvailabilityStatus {where}: {reason}", location=where)]

    if target in changed:
        return fail(f"{target} is the target of another status change in this request")
    version = plan.versions.get(target)
    ref = refs.get(target)
    if version is not None:
        current, patient = str(version.availability_status), version.patient_id
    elif ref is None:
        return fail(
            f"targetObject {association.target_id} is neither registered nor a new version "
            "sent in this request"
        )
    elif ref.kind is ObjectKind.SUBMISSION_SET:
        return fail("the status of a SubmissionSet cannot change")
    elif ref.kind is ObjectKind.ASSOCIATION:
        reason = _association_status_refusal(store, target)
        if reason is not None:
            return fail(reason)
        current, patient = ref.availability_status, None
    elif not ref.latest or target in plan.replaced():
        return fail(f"{target} is not the latest version of {ref.logical_id}")
    else:
        current, patient = ref.availability_status, ref.patient_id
    errors: list[RegistryError] = []
    if current in FINAL_STATUSES:
        errors += fail(f"{target} was deleted (TD3.3c): its status changes no more")
    if association.original_status != current:
        errors += fail(
            f"OriginalStatus {association.original_status} is not the status {current} of {target}"
        )
    if patient is not None and patient != plan.submission_set.patient_id:
        errors.append(
            PatientIdDoesNotMatch(
                f"UpdateAvailabilityStatus {where}: {target} belongs to patient {patient}, "
                f"the SubmissionSet to {plan.submission_set.patient_id}",
                location=where,
            )
        )
    changed.add(target)
    new_status = association.new_status or current
    if version is not None:
        plan.versions[target] = version.with_(availability_status=new_status)
    else:
        plan.status_changes[target] = new_status
    return errors


def _association_status_refusal(store: RegistryStore, target: str) -> str | None:
    """ITI TF-2b 3.57.4.1.3.3.6: only folder memberships and relationships change status.

    A SubmissionSet's HasMembers record what it submitted and stay as they are.
    """
    [association] = store.associations([target])
    kind = association.kind
    if kind is not None and kind.is_relationship:
        return None
    if kind is AssociationType.HAS_MEMBER:
        source = store.objects_by_uuid([association.source_id]).get(association.source_id)
        if source is not None and source.kind is ObjectKind.FOLDER:
            return None
    return (
        f"Association {target} ({association.association_type}) is neither a folder "
        "membership nor a document relationship; its status cannot change"
    )


def _submitted_association(
    store: RegistryStore,
    plan: UpdatePlan,
    association: Association,
    stored: Association,
    refs: Mapping[str, StoredRef],
) -> list[RegistryError]:
    """ITI TF-2b 3.57.4.1.3.3.5: a new Association between objects of the registry.

    A HasMember links a Folder to a DocumentEntry (the Folder's lastUpdateTime
    changes), a relationship two DocumentEntries; both ends Approved, of one
    patient, and not already linked by an Approved Association.
    """
    where = association.entry_uuid

    def fail(reason: str) -> RegistryError:
        return MetadataUpdateError(f"Association {where}: {reason}", location=where)

    errors: list[RegistryError] = []
    ends: list[tuple[ObjectKind, str | None, str]] = []
    for given, end in (
        (association.source_id, stored.source_id),
        (association.target_id, stored.target_id),
    ):
        version = plan.versions.get(end)
        ref = refs.get(end)
        if version is not None:
            if plan.propagate.get(end, False):
                errors.append(
                    MetadataUpdateOperationError(
                        f"Association {where} links the new version {given}, whose associations "
                        "this request propagates too: ask for one or the other (CP-ITI-1029)",
                        location=where,
                    )
                )
            kind = ObjectKind.DOCUMENT if isinstance(version, DocumentEntry) else ObjectKind.FOLDER
            ends.append((kind, version.patient_id, str(version.availability_status)))
        elif ref is not None:
            ends.append((ref.kind, ref.patient_id, ref.availability_status))
        else:
            return [*errors, fail(f"{given} is not registered")]
    (source_kind, source_patient, source_status), (target_kind, target_patient, target_status) = (
        ends
    )
    if {source_kind, target_kind} & {ObjectKind.SUBMISSION_SET, ObjectKind.ASSOCIATION}:
        return [*errors, fail("a submitted Association links DocumentEntries and Folders only")]
    if DEPRECATED in (source_status, target_status):
        errors.append(fail("it names a Deprecated object"))
    if association.kind is AssociationType.HAS_MEMBER:
        if (source_kind, target_kind) != (ObjectKind.FOLDER, ObjectKind.DOCUMENT):
            errors.append(fail("a HasMember links a Folder to a DocumentEntry"))
        plan.folders_touched.add(stored.source_id)
    elif (source_kind, target_kind) != (ObjectKind.DOCUMENT, ObjectKind.DOCUMENT):
        errors.append(fail("a document relationship links two DocumentEntries"))
    if source_patient != target_patient:
        errors.append(fail(f"it links objects of patients {source_patient} and {target_patient}"))
    existing = [
        a
        for a in store.associations_from([stored.source_id])
        if a.target_id == stored.target_id and str(a.availability_status) == APPROVED
    ]
    if existing:
        errors.append(
            fail(
                f"{stored.source_id} and {stored.target_id} are already linked by the Approved "
                f"Association {existing[0].entry_uuid}"
            )
        )
    return errors
