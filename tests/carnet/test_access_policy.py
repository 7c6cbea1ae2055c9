"""carnet.access_policy: the DMP access rules, as a table and one test per rule.

The table test crosses access mode x relationship x confidentiality code x record state x
caller class x document kind x authorship, and checks each decision against an oracle written
from the tables below (the rules of ../shared/DMP.md §2.5 and issue 5, Carnet's documented
choices), never by asking the policy.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pytest

from carnet.access_policy import (
    AccessMode,
    AccessPolicy,
    Caller,
    CallerKind,
    ConfidentialityCode,
    DmpAvailabilityStatus,
    DocumentFacts,
    Reason,
    RecordState,
    RecordStatus,
    Relationship,
)
from registry.model import Author, Code, DocumentEntry
from registry.vocabulary import AvailabilityStatus

POLICY = AccessPolicy.load()

# --- the oracle's tables ---------------------------------------------------------------------

# caller class -> (kind, TRE_G15 profession)
CALLERS = {
    "physician": (CallerKind.PROFESSIONAL, "10"),
    "pharmacist": (CallerKind.PROFESSIONAL, "21"),
    "nurse": (CallerKind.PROFESSIONAL, "60"),
    "speech_therapist": (CallerKind.PROFESSIONAL, "91"),  # not in the default matrix
    "patient": (CallerKind.PATIENT, None),
    "legal_representative": (CallerKind.LEGAL_REPRESENTATIVE, None),
    "system": (CallerKind.SYSTEM, None),
}

# document kind -> (classCode, typeCode)
DOCUMENTS = {
    "consult_note": ("10", "11488-4"),
    "lab_report": ("10", "11502-2"),
    "prescription": ("42", "57833-6"),
}

# The default matrix as the test expects it (carnet/data/access_matrix.toml).
MATRIX = {
    "physician": {"consult_note", "lab_report", "prescription"},
    "pharmacist": {"lab_report", "prescription"},
    "nurse": {"lab_report", "prescription"},
    "speech_therapist": set(),
}

RECORDS = {
    "open": RecordState(),
    "opposed": RecordState(opposes_bris_de_glace=True, opposes_centre_15=True),
    "no_consent": RecordState(consent=False),
    "closed": RecordState(status=RecordStatus.CLOSED),
}

# A professional's access to an open, consented record: (mode, relationship, opposed) -> reason.
# "!" marks a refusal. centre_15 is for physicians only (checked before this table).
PROFESSIONAL_GATE = """
normal         none              no   !not_authorised
normal         none              yes  !not_authorised
normal         authorised        no   authorised
normal         authorised        yes  authorised
normal         medecin_traitant  no   authorised
normal         medecin_traitant  yes  authorised
normal         care_team         no   authorised
normal         care_team         yes  authorised
normal         blocked           no   !blocked
normal         blocked           yes  !blocked
bris_de_glace  none              no   bris_de_glace
bris_de_glace  none              yes  !opposed_bris_de_glace
bris_de_glace  authorised        no   bris_de_glace
bris_de_glace  authorised        yes  !opposed_bris_de_glace
bris_de_glace  medecin_traitant  no   bris_de_glace
bris_de_glace  medecin_traitant  yes  !opposed_bris_de_glace
bris_de_glace  care_team         no   bris_de_glace
bris_de_glace  care_team         yes  !opposed_bris_de_glace
bris_de_glace  blocked           no   !blocked
bris_de_glace  blocked           yes  !blocked
centre_15      none              no   centre_15
centre_15      none              yes  !opposed_centre_15
centre_15      authorised        no   centre_15
centre_15      authorised        yes  !opposed_centre_15
centre_15      medecin_traitant  no   centre_15
centre_15      medecin_traitant  yes  !opposed_centre_15
centre_15      care_team         no   centre_15
centre_15      care_team         yes  !opposed_centre_15
centre_15      blocked           no   !blocked
centre_15      blocked           yes  !blocked
"""

# Who, having access to the record, still sees a document with this code (not its author).
# Columns: patient, legal representative, professional (normal), médecin traitant, professional
# in an emergency mode, non-physician professional. "-" hidden, "+" seen.
CODE_VISIBILITY = """
code                            pat  rep  pro  mt   emer non-physician
N                               +    +    +    +    +    +
R                               +    +    +    +    +    +
V                               +    +    +    +    +    -
MASQUE_PS                       +    +    -    +    +    +
INVISIBLE_PATIENT               -    -    +    +    +    +
INVISIBLE_REPRESENTANTS_LEGAUX  +    -    +    +    +    +
"""

HIDING_REASON = {
    ("pat", "INVISIBLE_PATIENT"): "invisible_to_patient",
    ("rep", "INVISIBLE_PATIENT"): "invisible_to_patient",
    ("rep", "INVISIBLE_REPRESENTANTS_LEGAUX"): "invisible_to_legal_representatives",
    ("pro", "MASQUE_PS"): "masked_from_professionals",
    ("non-physician", "V"): "very_restricted",
}


def _gate() -> dict[tuple[str, str, bool], str]:
    rows = (line.split() for line in PROFESSIONAL_GATE.strip().splitlines())
    return {
        (mode, relation, opposed == "yes"): outcome for mode, relation, opposed, outcome in rows
    }


def _visibility() -> dict[str, dict[str, bool]]:
    header, *rows = (line.split() for line in CODE_VISIBILITY.strip().splitlines())
    return {
        row[0]: dict(zip(header[1:], (cell == "+" for cell in row[1:]), strict=True))
        for row in rows
    }


GATE = _gate()
VISIBILITY = _visibility()


@dataclass(frozen=True)
class Row:
    mode: AccessMode
    relationship: Relationship
    code: ConfidentialityCode
    record: str
    caller: str
    document: str
    author: bool
    """The caller wrote the document."""

    def __str__(self) -> str:
        return "-".join(
            (
                self.mode,
                self.relationship,
                self.code,
                self.record,
                self.caller,
                self.document,
                "author" if self.author else "reader",
            )
        )


ROWS = [
    Row(mode=m, relationship=r, code=c, record=rec, caller=who, document=doc, author=author)
    for m, r, c, rec, who, doc, author in itertools.product(
        AccessMode, Relationship, ConfidentialityCode, RECORDS, CALLERS, DOCUMENTS, (False, True)
    )
]


def expected(row: Row) -> tuple[bool, str]:
    """The oracle: (allowed, reason) for a row, from the tables above."""
    kind, profession = CALLERS[row.caller]
    if row.record == "closed":
        return False, "record_closed"
    if kind in (CallerKind.PATIENT, CallerKind.LEGAL_REPRESENTATIVE):
        if row.mode != AccessMode.NORMAL:
            return False, "access_mode_not_permitted"
        column = "pat" if kind == CallerKind.PATIENT else "rep"
        if not VISIBILITY[row.code][column]:
            return False, HIDING_REASON[(column, row.code)]
        return True, "patient" if kind == CallerKind.PATIENT else "legal_representative"
    if kind == CallerKind.SYSTEM:
        return False, "caller_kind_not_permitted"
    if row.record == "no_consent":
        return False, "no_consent"
    if row.author and kind == CallerKind.PROFESSIONAL:
        # Authors keep access to what they wrote, unless the patient blocked them.
        if row.relationship == Relationship.BLOCKED:
            return False, "blocked"
        return True, "author"
    if row.mode == AccessMode.CENTRE_15 and profession != "10":
        if row.relationship == Relationship.BLOCKED:
            return False, "blocked"
        return False, "access_mode_not_permitted"
    outcome = GATE[(row.mode, row.relationship, row.record == "opposed")]
    if outcome.startswith("!"):
        return False, outcome[1:]
    seen = VISIBILITY[row.code]
    if row.mode != AccessMode.NORMAL:
        column = "emer"
    elif row.relationship == Relationship.MEDECIN_TRAITANT:
        column = "mt"
    else:
        column = "pro"
    if not seen[column]:
        return False, HIDING_REASON[(column, row.code)]
    if profession != "10" and not seen["non-physician"]:
        return False, HIDING_REASON[("non-physician", row.code)]
    if row.document not in MATRIX[row.caller]:
        return False, "profession_not_permitted"
    return True, outcome


def caller(who: str, *, mode: AccessMode = AccessMode.NORMAL, subject_id: str = "") -> Caller:
    kind, profession = CALLERS[who]
    return Caller(
        kind=kind,
        subject_id=subject_id or f"id-{who}",
        profession=profession,
        structure_id="10B0152872" if kind is CallerKind.PROFESSIONAL else None,
        access_mode=mode,
    )


def document(
    kind: str = "consult_note",
    *codes: ConfidentialityCode,
    authors: tuple[str, ...] = ("id-author",),
    status: str = AvailabilityStatus.APPROVED,
) -> DocumentFacts:
    class_code, type_code = DOCUMENTS[kind]
    return DocumentFacts(
        class_code=class_code,
        type_code=type_code,
        confidentiality=frozenset(codes or (ConfidentialityCode.N,)),
        author_ids=frozenset(authors),
        availability_status=status,
    )


# --- the table -------------------------------------------------------------------------------


def test_the_table_covers_every_combination() -> None:
    assert len(ROWS) == 3 * 5 * 6 * 4 * 7 * 3 * 2 == 15120
    assert len(GATE) == 30


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_access_table(row: Row) -> None:
    decision = POLICY.may_see(
        caller=caller(row.caller, mode=row.mode),
        record=RECORDS[row.record],
        relationship=row.relationship,
        document=document(
            row.document, row.code, authors=(f"id-{row.caller}",) if row.author else ("id-x",)
        ),
    )
    assert (decision.allowed, decision.reason.value) == expected(row)
    assert decision.emergency is (row.mode != AccessMode.NORMAL)
    assert decision.message == decision.reason.message


# --- reading the record ----------------------------------------------------------------------

OPEN = RECORDS["open"]


def query(who: str, relationship: Relationship = Relationship.NONE, **kwargs: object):
    record = kwargs.pop("record", OPEN)
    return POLICY.may_query(
        caller=caller(who, **kwargs),  # type: ignore[arg-type]
        record=record,  # type: ignore[arg-type]
        relationship=relationship,
    )


def test_closed_record_answers_nobody() -> None:
    closed = RECORDS["closed"]
    for who in CALLERS:
        assert query(who, Relationship.AUTHORISED, record=closed).reason is Reason.RECORD_CLOSED


def test_patient_reads_own_record_without_authorisation_or_consent() -> None:
    assert query("patient").reason is Reason.PATIENT
    assert query("patient", record=RECORDS["no_consent"]).allowed
    assert query("legal_representative").reason is Reason.LEGAL_REPRESENTATIVE


def test_patient_may_not_use_emergency_modes() -> None:
    decision = query("patient", mode=AccessMode.BREAK_THE_GLASS)
    assert decision.reason is Reason.ACCESS_MODE_NOT_PERMITTED
    assert decision.emergency


def test_system_caller_feeds_but_never_reads() -> None:
    assert query("system", Relationship.AUTHORISED).reason is Reason.CALLER_KIND_NOT_PERMITTED
    assert POLICY.may_feed(caller=caller("system"), record=OPEN).allowed


def test_professional_needs_the_patients_consent() -> None:
    decision = query("physician", Relationship.AUTHORISED, record=RECORDS["no_consent"])
    assert decision.reason is Reason.NO_CONSENT


def test_unauthorised_professional_is_refused_in_normal_mode() -> None:
    assert query("physician").reason is Reason.NOT_AUTHORISED


def test_authorised_professional_reads() -> None:
    decision = query("nurse", Relationship.AUTHORISED)
    assert decision.allowed and decision.reason is Reason.AUTHORISED and not decision.emergency


def test_care_team_member_reads_without_authorisation() -> None:
    assert query("nurse", Relationship.CARE_TEAM).reason is Reason.AUTHORISED


def test_blocked_professional_is_refused_even_in_emergency_modes() -> None:
    for mode in AccessMode:
        assert query("physician", Relationship.BLOCKED, mode=mode).reason is Reason.BLOCKED


def test_bris_de_glace_needs_no_authorisation_and_is_flagged_emergency() -> None:
    decision = query("nurse", mode=AccessMode.BREAK_THE_GLASS)
    assert decision.allowed and decision.reason is Reason.BRIS_DE_GLACE
    assert decision.emergency


def test_bris_de_glace_is_refused_when_the_patient_opposed_it() -> None:
    record = RecordState(opposes_bris_de_glace=True)
    decision = query("physician", mode=AccessMode.BREAK_THE_GLASS, record=record)
    assert decision.reason is Reason.OPPOSED_BRIS_DE_GLACE and decision.emergency
    assert query("physician", mode=AccessMode.CENTRE_15, record=record).allowed


def test_centre_15_needs_no_authorisation_and_is_flagged_emergency() -> None:
    decision = query("physician", mode=AccessMode.CENTRE_15)
    assert decision.allowed and decision.reason is Reason.CENTRE_15 and decision.emergency


def test_centre_15_is_refused_when_the_patient_opposed_it() -> None:
    record = RecordState(opposes_centre_15=True)
    assert query("physician", mode=AccessMode.CENTRE_15, record=record).reason is (
        Reason.OPPOSED_CENTRE_15
    )
    assert query("physician", mode=AccessMode.BREAK_THE_GLASS, record=record).allowed


def test_centre_15_is_for_physicians_only() -> None:
    decision = query("nurse", mode=AccessMode.CENTRE_15)
    assert decision.reason is Reason.ACCESS_MODE_NOT_PERMITTED


# --- seeing a document -----------------------------------------------------------------------


def see(who: str, doc: DocumentFacts, relationship=Relationship.AUTHORISED, record=OPEN, **kwargs):
    return POLICY.may_see(
        caller=caller(who, **kwargs), record=record, relationship=relationship, document=doc
    )


def test_deleted_document_is_seen_by_nobody_its_author_included() -> None:
    deleted = document(status=DmpAvailabilityStatus.DELETED)
    for who in ("physician", "patient", "legal_representative"):
        assert see(who, deleted).reason is Reason.DOCUMENT_DELETED
    assert see("physician", deleted, subject_id="id-author").reason is Reason.DOCUMENT_DELETED
    assert see("physician", deleted, mode=AccessMode.BREAK_THE_GLASS).allowed is False


def test_submitted_document_is_not_seen() -> None:
    submitted = document(status=AvailabilityStatus.SUBMITTED)
    assert see("patient", submitted).reason is Reason.DOCUMENT_NOT_AVAILABLE


@pytest.mark.parametrize(
    "status",
    [AvailabilityStatus.APPROVED, AvailabilityStatus.DEPRECATED, DmpAvailabilityStatus.ARCHIVED],
)
def test_archived_and_deprecated_documents_are_seen_like_approved(status: str) -> None:
    assert see("physician", document(status=status)).allowed
    assert see("patient", document(status=status)).allowed


def test_invisible_patient_hides_from_patient_and_legal_representatives() -> None:
    doc = document("lab_report", ConfidentialityCode.INVISIBLE_PATIENT)
    assert see("patient", doc).reason is Reason.INVISIBLE_TO_PATIENT
    assert see("legal_representative", doc).reason is Reason.INVISIBLE_TO_PATIENT
    assert see("physician", doc).allowed


def test_invisible_representants_legaux_hides_from_legal_representatives_only() -> None:
    doc = document("lab_report", ConfidentialityCode.INVISIBLE_REPRESENTANTS_LEGAUX)
    assert see("legal_representative", doc).reason is Reason.INVISIBLE_TO_LEGAL_REPRESENTATIVES
    assert see("patient", doc).allowed
    assert see("physician", doc).allowed


def test_masque_ps_hides_from_professionals_but_not_the_patient() -> None:
    doc = document("consult_note", ConfidentialityCode.MASQUE_PS)
    assert see("physician", doc).reason is Reason.MASKED_FROM_PROFESSIONALS
    assert see("physician", doc, Relationship.CARE_TEAM).reason is (
        Reason.MASKED_FROM_PROFESSIONALS
    )
    assert see("patient", doc).allowed


def test_author_sees_own_masked_document() -> None:
    doc = document("prescription", ConfidentialityCode.MASQUE_PS, ConfidentialityCode.V)
    decision = see("nurse", doc, subject_id="id-author")
    assert decision.allowed and decision.reason is Reason.AUTHOR


def test_author_sees_own_document_whatever_the_matrix() -> None:
    doc = document("consult_note")  # the default matrix keeps consult notes from nurses
    assert see("nurse", doc).reason is Reason.PROFESSION_NOT_PERMITTED
    assert see("nurse", doc, subject_id="id-author").reason is Reason.AUTHOR


def test_author_sees_own_document_without_authorisation() -> None:
    doc = document()
    decision = see("physician", doc, Relationship.NONE, subject_id="id-author")
    assert decision.allowed and decision.reason is Reason.AUTHOR
    assert see("physician", doc, Relationship.NONE).reason is Reason.NOT_AUTHORISED


def test_author_sees_own_document_in_any_mode_even_if_the_patient_opposed_it() -> None:
    for mode in (AccessMode.BREAK_THE_GLASS, AccessMode.CENTRE_15):
        decision = see(
            "nurse",
            document("lab_report"),
            Relationship.NONE,
            subject_id="id-author",
            mode=mode,
            record=RECORDS["opposed"],
        )
        assert decision.allowed and decision.reason is Reason.AUTHOR and decision.emergency


def test_blocked_author_no_longer_sees_own_document() -> None:
    decision = see("physician", document(), Relationship.BLOCKED, subject_id="id-author")
    assert decision.reason is Reason.BLOCKED


def test_author_needs_an_open_consented_record() -> None:
    author = {"subject_id": "id-author"}
    assert see("physician", document(), record=RECORDS["closed"], **author).reason is (
        Reason.RECORD_CLOSED
    )
    assert see("physician", document(), record=RECORDS["no_consent"], **author).reason is (
        Reason.NO_CONSENT
    )


def test_medecin_traitant_sees_masked_document() -> None:
    doc = document("consult_note", ConfidentialityCode.MASQUE_PS)
    assert see("physician", doc, Relationship.MEDECIN_TRAITANT).allowed


def test_emergency_access_sees_masked_document_and_is_flagged() -> None:
    doc = document("consult_note", ConfidentialityCode.MASQUE_PS)
    for mode in (AccessMode.BREAK_THE_GLASS, AccessMode.CENTRE_15):
        decision = see("physician", doc, Relationship.NONE, mode=mode)
        assert decision.allowed and decision.emergency


def test_very_restricted_documents_are_for_physicians_and_the_author() -> None:
    doc = document("prescription", ConfidentialityCode.V)
    assert see("physician", doc).allowed
    assert see("pharmacist", doc).reason is Reason.VERY_RESTRICTED
    assert see("pharmacist", doc, subject_id="id-author").allowed
    assert see("patient", doc).allowed


def test_normal_and_restricted_add_nothing_to_the_matrix() -> None:
    for code in (ConfidentialityCode.N, ConfidentialityCode.R):
        assert see("pharmacist", document("prescription", code)).allowed
        assert not see("pharmacist", document("consult_note", code)).allowed


def test_matrix_restricts_professions_in_emergency_modes_too() -> None:
    decision = see("pharmacist", document("consult_note"), mode=AccessMode.BREAK_THE_GLASS)
    assert decision.reason is Reason.PROFESSION_NOT_PERMITTED and decision.emergency


def test_matrix_reads_the_speciality() -> None:
    from carnet.access_matrix import parse_access_matrix

    matrix = parse_access_matrix(
        'version = 1\n[[allow]]\nprofession = "10"\nspecialties = ["SM26"]\nclass_codes = ["10"]',
        source="test",
    )
    policy = AccessPolicy(matrix=matrix)
    doc = document("consult_note")

    def with_specialty(specialty: str) -> bool:
        who = Caller(
            kind=CallerKind.PROFESSIONAL, subject_id="x", profession="10", specialty=specialty
        )
        return policy.may_see(
            caller=who, record=OPEN, relationship=Relationship.AUTHORISED, document=doc
        ).allowed

    assert with_specialty("SM26")
    assert not with_specialty("SM54")


def test_several_confidentiality_codes_all_apply() -> None:
    doc = document(
        "lab_report",
        ConfidentialityCode.N,
        ConfidentialityCode.MASQUE_PS,
        ConfidentialityCode.INVISIBLE_PATIENT,
    )  # the submission signature's codes: in nobody's listings
    assert not see("patient", doc).allowed
    assert not see("legal_representative", doc).allowed
    assert not see("physician", doc).allowed
    assert see("physician", doc, Relationship.MEDECIN_TRAITANT).allowed


def test_visible_filters_a_query_result_in_order() -> None:
    docs = [
        document("prescription"),
        document("consult_note"),
        document("lab_report", ConfidentialityCode.MASQUE_PS),
        document("lab_report"),
    ]
    visible = POLICY.visible(
        caller=caller("nurse"), record=OPEN, relationship=Relationship.AUTHORISED, documents=docs
    )
    assert visible == [docs[0], docs[3]]


# --- feeding, deleting, hiding ---------------------------------------------------------------


def test_feeding_needs_no_authorisation() -> None:
    for who in CALLERS:
        decision = POLICY.may_feed(caller=caller(who), record=OPEN)
        assert decision.allowed and decision.reason is Reason.FEEDING


def test_feeding_needs_an_open_record_whose_patient_did_not_oppose() -> None:
    feed = POLICY.may_feed
    assert feed(caller=caller("physician"), record=RECORDS["closed"]).reason is (
        Reason.RECORD_CLOSED
    )
    assert feed(caller=caller("physician"), record=RECORDS["no_consent"]).reason is (
        Reason.NO_CONSENT
    )


def test_only_the_author_deletes() -> None:
    doc = document()
    assert POLICY.may_delete(caller=caller("physician"), record=OPEN, document=doc).reason is (
        Reason.NOT_AUTHOR
    )
    assert POLICY.may_delete(caller=caller("patient"), record=OPEN, document=doc).reason is (
        Reason.NOT_AUTHOR
    )
    decision = POLICY.may_delete(
        caller=caller("nurse", subject_id="id-author"), record=OPEN, document=doc
    )
    assert decision.allowed and decision.reason is Reason.AUTHOR


def test_patient_deletes_a_document_they_authored() -> None:
    doc = document(authors=("id-patient",))
    assert POLICY.may_delete(caller=caller("patient"), record=OPEN, document=doc).allowed


def test_delete_needs_an_open_record_and_a_document_not_deleted_yet() -> None:
    author = caller("physician", subject_id="id-author")
    closed = POLICY.may_delete(caller=author, record=RECORDS["closed"], document=document())
    assert closed.reason is Reason.RECORD_CLOSED
    deleted = document(status=DmpAvailabilityStatus.DELETED)
    assert POLICY.may_delete(caller=author, record=OPEN, document=deleted).reason is (
        Reason.DOCUMENT_DELETED
    )


def archive(who: str, doc=None, relationship=Relationship.AUTHORISED, **kw):
    return POLICY.may_archive(
        caller=caller(who, **kw), record=OPEN, relationship=relationship, document=doc or document()
    )


def test_whoever_sees_the_document_archives_it() -> None:
    assert archive("physician").allowed
    assert archive("patient").allowed
    assert archive("legal_representative").allowed
    decision = archive("physician", relationship=Relationship.NONE, subject_id="id-author")
    assert decision.allowed and decision.reason is Reason.AUTHOR


def test_archive_is_refused_to_whoever_does_not_see_the_document() -> None:
    assert archive("physician", relationship=Relationship.NONE).reason is Reason.NOT_AUTHORISED
    masked = document("consult_note", ConfidentialityCode.MASQUE_PS)
    assert archive("physician", masked).reason is Reason.MASKED_FROM_PROFESSIONALS
    deleted = document(status=DmpAvailabilityStatus.DELETED)
    assert archive("patient", deleted).reason is Reason.DOCUMENT_DELETED


def test_archive_is_refused_in_emergency_modes() -> None:
    decision = archive("physician", mode=AccessMode.BREAK_THE_GLASS, subject_id="id-author")
    assert decision.reason is Reason.ACCESS_MODE_NOT_PERMITTED and decision.emergency


def test_archived_documents_unarchive_like_they_archive() -> None:
    archived = document(status=DmpAvailabilityStatus.ARCHIVED)
    assert archive("patient", archived).allowed


def test_policy_names_the_registrys_dmp_statuses() -> None:
    from registry.dmp_vocabulary import DmpAvailabilityStatus as RegistryStatus

    assert DmpAvailabilityStatus is RegistryStatus


def change(
    who: str, code: ConfidentialityCode, doc=None, relationship=Relationship.AUTHORISED, **kw
):
    return POLICY.may_change_visibility(
        caller=caller(who, **kw),
        record=OPEN,
        relationship=relationship,
        document=doc or document(),
        code=code,
    )


def test_patient_and_legal_representative_hide_from_professionals() -> None:
    assert change("patient", ConfidentialityCode.MASQUE_PS).allowed
    assert change("legal_representative", ConfidentialityCode.MASQUE_PS).allowed


def test_author_hides_from_professionals() -> None:
    decision = change("physician", ConfidentialityCode.MASQUE_PS, subject_id="id-author")
    assert decision.reason is Reason.AUTHOR


def test_other_professionals_may_not_hide_from_professionals() -> None:
    for relationship in (Relationship.AUTHORISED, Relationship.MEDECIN_TRAITANT):
        decision = change("physician", ConfidentialityCode.MASQUE_PS, relationship=relationship)
        assert decision.reason is Reason.VISIBILITY_NOT_PERMITTED


def test_medecin_traitant_and_author_set_invisible_patient() -> None:
    code = ConfidentialityCode.INVISIBLE_PATIENT
    assert change("physician", code, relationship=Relationship.MEDECIN_TRAITANT).reason is (
        Reason.MEDECIN_TRAITANT
    )
    assert change("physician", code, subject_id="id-author").allowed
    assert change("physician", code).reason is Reason.VISIBILITY_NOT_PERMITTED


def test_patient_may_not_change_invisible_patient() -> None:
    hidden = document("lab_report", ConfidentialityCode.INVISIBLE_PATIENT)
    code = ConfidentialityCode.INVISIBLE_PATIENT
    assert change("patient", code, hidden).reason is Reason.INVISIBLE_TO_PATIENT
    assert change("patient", code).reason is Reason.VISIBILITY_NOT_PERMITTED


def test_patient_but_not_representatives_changes_invisible_representants_legaux() -> None:
    code = ConfidentialityCode.INVISIBLE_REPRESENTANTS_LEGAUX
    assert change("patient", code).allowed
    assert change("legal_representative", code).reason is Reason.VISIBILITY_NOT_PERMITTED


def test_non_author_must_see_the_document_to_change_its_visibility() -> None:
    masked = document("consult_note", ConfidentialityCode.MASQUE_PS)
    decision = change("physician", ConfidentialityCode.INVISIBLE_PATIENT, masked)
    assert decision.reason is Reason.MASKED_FROM_PROFESSIONALS


@pytest.mark.parametrize(
    "code", [ConfidentialityCode.N, ConfidentialityCode.R, ConfidentialityCode.V]
)
def test_only_visibility_codes_are_set_and_cleared(code: ConfidentialityCode) -> None:
    decision = change("patient", code)
    assert decision.reason is Reason.NOT_A_VISIBILITY_CODE


# --- vocabulary and facts --------------------------------------------------------------------


def test_confidentiality_codes_carry_their_code_systems() -> None:
    assert ConfidentialityCode.N.scheme == "2.16.840.1.113883.5.25"
    assert ConfidentialityCode.MASQUE_PS.scheme == "1.2.250.1.213.1.1.4.13"
    assert {code for code in ConfidentialityCode if code.is_visibility} == {
        ConfidentialityCode.MASQUE_PS,
        ConfidentialityCode.INVISIBLE_PATIENT,
        ConfidentialityCode.INVISIBLE_REPRESENTANTS_LEGAUX,
    }


def test_every_reason_has_a_message() -> None:
    assert all(reason.message for reason in Reason)


def test_document_facts_from_entry() -> None:
    entry = DocumentEntry(
        entry_uuid="urn:uuid:0b1e5c1c-8a07-4b6e-9d0c-2b9a0a7e2f31",
        unique_id="1.2.250.1.999.1",
        patient_id="279035121518989^^^&1.2.250.1.213.1.4.10&ISO^NH",
        availability_status=DmpAvailabilityStatus.ARCHIVED,
        class_code=Code(code="10", scheme="1.2.250.1.213.1.1.4.1"),
        type_code=Code(code="11502-2", scheme="2.16.840.1.113883.6.1"),
        confidentiality_codes=(
            Code(code="N", scheme="2.16.840.1.113883.5.25"),
            Code(code="MASQUE_PS", scheme="1.2.250.1.213.1.1.4.13"),
            Code(code="MASQUE_PS", scheme="2.16.840.1.113883.5.25"),  # wrong system: ignored
            Code(code="X", scheme="2.16.840.1.113883.5.25"),
        ),
        authors=(
            Author(person="899900023351^DUPONT^JEAN^^^^^^&1.2.250.1.71.4.2.1&ISO^D^^^IDNPS"),
            Author(person="^MARTIN^LUC"),
            Author(),
        ),
    )
    facts = DocumentFacts.from_entry(entry)
    assert facts == DocumentFacts(
        class_code="10",
        type_code="11502-2",
        confidentiality=frozenset({ConfidentialityCode.N, ConfidentialityCode.MASQUE_PS}),
        author_ids=frozenset({"899900023351"}),
        availability_status="urn:asip:ci-sis:2010:StatusType:Archived",
    )
