"""DMP access rules applied to XDS transactions (issue 5 item 5; ``../shared/DMP.md`` §6 item 5).

:class:`DmpAccessGuard` is the ``soap.access_control.AccessGuard`` of one request under the DMP
profile: the caller is the request's verified VIHF (``carnet/vihf_check.py``), the rules are
``carnet/access_policy.py``'s, and the facts they need are read from the registry store in the
handler's own transaction — the record's status, consent and oppositions and the caller's
standing on it (authorised, médecin traitant, blocked) from ``store.dmp_records``, each
document's codes, status and authors from its DocumentEntry (the author is the XCN id of an
author person, compared with the VIHF's ``Subject/NameID``).

A VIHF naming a patient (``resource-id``) vouches for that patient only: a query, a submission
or a record about another one is refused as :class:`~soap.identity_errors.WrongPatient`. A
patient without a DMP record has nothing anyone may read, and cannot be fed
(``XDSUnknownPatientId``).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from carnet.access_policy import (
    AccessPolicy,
    Caller,
    DocumentFacts,
    RecordState,
    RecordStatus,
    Relationship,
)
from carnet.vihf import VihfIdentity
from carnet.vihf_check import caller_from_vihf, vihf_of
from registry.dmp_vocabulary import DmpAvailabilityStatus
from registry.errors import RegistryError, UnknownPatientId, UnresolvedReference
from registry.hl7_datatypes import CX
from registry.model import DocumentEntry, Submission
from registry.storage.store import RegistryStore
from registry.vocabulary import AssociationType, AvailabilityStatus
from soap.access_control import GuardFactory
from soap.identity_errors import WrongPatient

__all__ = ["DmpAccessGuard", "dmp_guard_factory"]


class DmpAccessGuard:
    """What one VIHF-identified caller may read and feed (``soap.access_control.AccessGuard``)."""

    def __init__(self, *, policy: AccessPolicy, identity: VihfIdentity) -> None:
        self.policy = policy
        self.identity = identity
        self.caller: Caller = caller_from_vihf(identity)
        self._standing: dict[str, tuple[RecordState, Relationship] | None] = {}

    def check_patients(self, patient_ids: Collection[str]) -> None:
        for patient_id in patient_ids:
            if not self._vouched_for(patient_id):
                raise WrongPatient(
                    "the request concerns another patient than the one the VIHF names"
                )

    def may_read_record(self, store: RegistryStore, patient_id: str) -> bool:
        standing = self._standing_on(store, patient_id)
        if standing is None:
            return False
        record, relationship = standing
        return self.policy.may_query(
            caller=self.caller, record=record, relationship=relationship
        ).allowed

    def may_see(self, store: RegistryStore, entry: DocumentEntry) -> bool:
        standing = self._standing_on(store, entry.patient_id)
        if standing is None:
            return False
        record, relationship = standing
        return self.policy.may_see(
            caller=self.caller,
            record=record,
            relationship=relationship,
            document=DocumentFacts.from_entry(entry),
        ).allowed

    def check_feed(self, store: RegistryStore, submission: Submission) -> None:
        patients = dict.fromkeys(
            [submission.submission_set.patient_id, *(d.patient_id for d in submission.documents)]
        )
        self.check_patients(patients)
        for patient_id in patients:
            dmp = store.dmp_records.record(patient_id)
            if dmp is None:
                raise UnknownPatientId(
                    f"the patient {patient_id} has no DMP record", location=patient_id
                )
            decision = self.policy.may_feed(caller=self.caller, record=_state(dmp.is_open))
            if not decision.allowed:
                raise RegistryError(
                    f"the DMP of {patient_id} cannot be fed: {decision.message}",
                    location=patient_id,
                )

    def check_update(self, store: RegistryStore, submission: Submission) -> None:
        patients = dict.fromkeys(
            [submission.submission_set.patient_id, *(d.patient_id for d in submission.documents)]
        )
        self.check_patients(patients)
        lids = [d.logical_id for d in submission.documents if d.logical_id]
        latest = store.latest_documents(lids) if lids else {}
        for new in submission.documents:
            previous = latest.get(new.logical_id or "")
            if previous is None:
                continue  # a new logical id: the registry's own rules answer it
            self._check_visible(store, previous, location=new.logical_id or new.entry_uuid)
            before = DocumentFacts.from_entry(previous).confidentiality
            after = DocumentFacts.from_entry(new).confidentiality
            for code in sorted(before ^ after):
                record, relationship = self._standing_on(store, previous.patient_id) or _NONE
                decision = self.policy.may_change_visibility(
                    caller=self.caller,
                    record=record,
                    relationship=relationship,
                    document=DocumentFacts.from_entry(previous),
                    code=code,
                )
                if not decision.allowed:
                    raise RegistryError(
                        f"{code.value} cannot be changed on {previous.unique_id}: "
                        f"{decision.message}",
                        location=new.entry_uuid,
                    )
        new_status = {
            a.target_id: a.new_status
            for a in submission.associations
            if a.association_type == AssociationType.UPDATE_AVAILABILITY_STATUS.value
        }
        entries = store.documents(list(new_status)) if new_status else []
        for entry in entries:
            if _is_archiving(str(entry.availability_status), new_status[entry.entry_uuid]):
                self.check_archive(store, entry)
            else:
                # Deleted (TD3.3c) and IHE's Deprecated (and back) are the author's.
                self.check_delete(store, [entry])

    def check_archive(self, store: RegistryStore, entry: DocumentEntry) -> None:
        """TD3.3d: archive or unarchive ``entry`` (policy rule 17)."""
        self._check_visible(store, entry, location=entry.entry_uuid)
        record, relationship = self._standing_on(store, entry.patient_id) or _NONE
        decision = self.policy.may_archive(
            caller=self.caller,
            record=record,
            relationship=relationship,
            document=DocumentFacts.from_entry(entry),
        )
        if not decision.allowed:
            raise RegistryError(
                f"{entry.entry_uuid} cannot be archived or unarchived: {decision.message}",
                location=entry.entry_uuid,
            )

    def check_delete(self, store: RegistryStore, entries: Sequence[DocumentEntry]) -> None:
        for entry in entries:
            self._check_visible(store, entry, location=entry.entry_uuid)
            standing = self._standing_on(store, entry.patient_id) or _NONE
            decision = self.policy.may_delete(
                caller=self.caller, record=standing[0], document=DocumentFacts.from_entry(entry)
            )
            if not decision.allowed:
                raise RegistryError(
                    f"{entry.entry_uuid} cannot be removed or change status: {decision.message}",
                    location=entry.entry_uuid,
                )

    def _check_visible(self, store: RegistryStore, entry: DocumentEntry, *, location: str) -> None:
        """A document the caller may not see is answered as unknown, as ITI-18 and ITI-43 do."""
        if not self.may_see(store, entry):
            raise UnresolvedReference(
                f"{location} names no object of this registry", location=location
            )

    def _vouched_for(self, patient_id: str) -> bool:
        """Whether the VIHF's patient (if it names one) is ``patient_id``."""
        ins = self.identity.patient_ins
        if ins is None:
            return True
        try:
            cx = CX.parse(patient_id)
        except ValueError:
            return False
        return (cx.id, cx.authority_oid) == ins

    def _standing_on(
        self, store: RegistryStore, patient_id: str
    ) -> tuple[RecordState, Relationship] | None:
        """The record's state and the caller's relationship to it; None: nothing to read."""
        if patient_id not in self._standing:
            self._standing[patient_id] = self._read_standing(store, patient_id)
        return self._standing[patient_id]

    def _read_standing(
        self, store: RegistryStore, patient_id: str
    ) -> tuple[RecordState, Relationship] | None:
        if not self._vouched_for(patient_id):
            return None
        records = store.dmp_records
        dmp = records.record(patient_id)
        if dmp is None:
            return None
        record = RecordState(
            status=RecordStatus.OPEN if dmp.is_open else RecordStatus.CLOSED,
            opposes_bris_de_glace=dmp.oppositions.break_glass,
            opposes_centre_15=dmp.oppositions.centre_15,
        )
        subject = self.caller.subject_id
        if records.is_blocked(patient_id, subject):
            return record, Relationship.BLOCKED
        authorisation = records.authorisation(patient_id, subject)
        if authorisation is None:
            return record, Relationship.NONE
        if authorisation.treating_physician:
            return record, Relationship.MEDECIN_TRAITANT
        return record, Relationship.AUTHORISED


_NONE = (RecordState(status=RecordStatus.CLOSED), Relationship.NONE)
"""No record, or another patient's: as refusing as a closed record."""

_ARCHIVED = DmpAvailabilityStatus.ARCHIVED.value


def _is_archiving(current: str, new: str | None) -> bool:
    """TD3.3d: to Archived, or from Archived back to Approved (DMP.md §1.2)."""
    return new == _ARCHIVED or (current == _ARCHIVED and new == AvailabilityStatus.APPROVED)


def _state(is_open: bool) -> RecordState:
    # A record exists only with the patient's consent (TD1.1 refuses a creation without it).
    return RecordState(status=RecordStatus.OPEN if is_open else RecordStatus.CLOSED)


def dmp_guard_factory(policy: AccessPolicy) -> GuardFactory:
    """The registry's and repository's :data:`~soap.access_control.GuardFactory` under the DMP
    profile: a :class:`DmpAccessGuard` for the request's VIHF."""

    def guard(caller: object | None) -> DmpAccessGuard:
        return DmpAccessGuard(policy=policy, identity=vihf_of(caller))

    return guard
