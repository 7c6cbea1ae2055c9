"""ITI TF-2b 3.57 (XDS Metadata Update) — the Document Registry's actions on Update Document Set.

An ``lcm:SubmitObjectsRequest`` sent as ITI-57 carries one SubmissionSet and
*operations* (ITI TF-2b 3.57.4.1.3.3), each recognised by its trigger:

* **new version of a DocumentEntry or Folder** — the object carries the
  ``lid`` of a logical object already registered and a new ``id``, and is the
  target of a SubmissionSet HasMember whose ``PreviousVersion`` slot names the
  latest version (3.57.4.1.3.3.1, 3.57.4.1.3.3.3). The new version gets version
  previous + 1 and status Approved; the previous one becomes Deprecated and is
  no longer the latest. With ``AssociationPropagation`` (default ``yes``) the
  Approved folder memberships and document relationships of the previous
  version are copied onto the new one (3.57.4.1.3.3.1.5);
* **UpdateAvailabilityStatus** — an Association from the SubmissionSet to a
  DocumentEntry, Folder or Association, slots ``OriginalStatus`` and
  ``NewStatus``: Approved ↔ Deprecated on the latest version (3.57.4.1.3.3.2,
  3.57.4.1.3.3.4, 3.57.4.1.3.3.6). The target may be a new version sent in the
  same request. The statuses allowed are a parameter: the DMP profile adds
  TD3.3d Archived (and back) and TD3.3c Deleted, which is final
  (:data:`~registry.metadata_update.plan.DMP_STATUSES`, ``../shared/DMP.md`` §1.2);
* **SubmitAssociation** — an Association from the SubmissionSet to a new
  Association of the request linking objects already registered (3.57.4.1.3.3.5).

Every Association of the request is stored, the trigger ones included, so the
SubmissionSet records what it changed. The request is applied whole or not at
all (3.57.4.1.3.1): every check runs before the first write, in the caller's
unit of work. Error codes (Table 3.57.4.1.3-1), as the NIST XDS toolkit's
registry simulator reports them:

* ``XDSMetadataVersionError`` — ``PreviousVersion`` is not the latest version;
* ``XDSMetadataUpdateError`` — anything else an operation finds wrong: a
  DocumentEntry or Folder without a ``lid`` of its own (not an update), an
  unknown or non-Approved logical object, uniqueId, objectType, hash, size or
  repositoryUniqueId changed, missing trigger slots, ``OriginalStatus`` not the
  current status, a status change aimed at a version that is not the latest;
* ``XDSPatientIDReconciliationError`` — a new version naming another patient
  than the one it updates: Carnet moves documents between patients only
  through the ITI-44 merge, never through an update;
* ``XDSMetadataUpdateOperationError`` — metadata that is no operation this
  registry supports (an Association that is neither a trigger nor the object
  of one), and a SubmitAssociation touching a new version whose associations
  are propagated in the same request (CP-ITI-1029).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Iterator
from datetime import datetime

from registry.errors import (
    DuplicateUniqueIdInRegistry,
    MetadataError,
    RegistryError,
    RegistryErrorList,
    UnknownPatientId,
)
from registry.metadata_update.associations import plan_associations
from registry.metadata_update.plan import (
    APPROVED,
    DEPRECATED,
    DMP_STATUSES,
    STATUSES,
    UpdatePlan,
)
from registry.metadata_update.request import check_update
from registry.metadata_update.versions import plan_versions
from registry.model import DocumentEntry, Folder, Submission
from registry.register import dtm_now
from registry.storage.database import Database
from registry.storage.store import RegistryStore
from registry.validation import is_uuid_urn

__all__ = ["DMP_STATUSES", "STATUSES", "apply_update", "check_update", "update_document_set"]


def update_document_set(
    database: Database,
    submission: Submission,
    *,
    now: datetime | None = None,
    statuses: Collection[str] = STATUSES,
    before: Callable[[RegistryStore], None] | None = None,
    after: Callable[[RegistryStore], None] | None = None,
) -> Submission:
    """ITI-57: check ``submission``, then apply it in its own unit of work.

    The checks that need only the request run before the unit of work opens,
    as for ITI-42 (``registry.register.register``). ``statuses`` are those an
    UpdateAvailabilityStatus may name (:data:`STATUSES`, or :data:`DMP_STATUSES`
    under the DMP profile). ``before`` runs in the unit of work ahead of the
    update (an access policy's check, on the state the update will see) and
    ``after`` once it is applied (the audit record of the change): raising in
    either writes nothing. Returns what was stored.
    """
    check_update(submission, statuses=statuses)
    with database.unit_of_work() as store:
        if before is not None:
            before(store)
        applied = apply_update(store, submission, now=now)
        if after is not None:
            after(store)
        return applied


def apply_update(
    store: RegistryStore, submission: Submission, *, now: datetime | None = None
) -> Submission:
    """Check ``submission`` against the registry and apply it; return what was stored.

    ``submission`` must have passed :func:`check_update`. Raises a
    :class:`RegistryErrorList` and writes nothing when a rule is broken.
    """
    ss = submission.submission_set
    ids = {
        obj.entry_uuid: obj.entry_uuid if is_uuid_urn(obj.entry_uuid) else uuid.uuid4().urn
        for obj in submission.objects()
    }
    stamp = dtm_now(now)
    plan = UpdatePlan(
        ids=ids,
        now=stamp,
        submission_set=ss.with_(
            entry_uuid=ids[ss.entry_uuid],
            logical_id=ids[ss.entry_uuid],
            availability_status=APPROVED,
        ),
    )
    plan.errors += _check_submission_set(store, submission)
    plan_versions(store, submission, plan)
    plan_associations(store, submission, plan)
    if plan.errors:
        raise RegistryErrorList(plan.errors)

    applied = Submission(
        submission_set=plan.submission_set,
        documents=tuple(v for v in plan.versions.values() if isinstance(v, DocumentEntry)),
        folders=tuple(v for v in plan.versions.values() if isinstance(v, Folder)),
        associations=tuple(plan.associations),
    )
    store.add_submission(applied)
    replaced = sorted(plan.replaced())
    if replaced:
        store.set_status(replaced, DEPRECATED)
        store.supersede(replaced)
    for status in sorted(set(plan.status_changes.values())):
        changed = sorted(key for key, value in plan.status_changes.items() if value == status)
        if changed:
            store.set_status(changed, status)
    if plan.folders_touched:
        store.set_folder_last_update_time(sorted(plan.folders_touched), stamp)
    return applied


def _check_submission_set(store: RegistryStore, submission: Submission) -> Iterator[RegistryError]:
    """ITI TF-2b 3.42.4.1.3.2/3, as ITI-57 inherits them: known patient, new ids."""
    ss = submission.submission_set
    patient = store.patient(ss.patient_id)
    if patient is None or not patient.is_active:
        yield UnknownPatientId(
            f"patient id {ss.patient_id} is not known to the registry", location=ss.patient_id
        )
    if store.objects_by_unique_id([ss.unique_id]):
        yield DuplicateUniqueIdInRegistry(
            f"SubmissionSet uniqueId {ss.unique_id} is already registered", location=ss.unique_id
        )
    given = [obj.entry_uuid for obj in submission.objects() if is_uuid_urn(obj.entry_uuid)]
    for entry_uuid in store.objects_by_uuid(given) if given else {}:
        yield MetadataError(f"entryUUID {entry_uuid} is already registered", location=entry_uuid)
