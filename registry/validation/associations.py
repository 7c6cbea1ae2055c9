"""ITI TF-3 4.2.2 and 4.1.4 — associations inside one submission.

What can be decided from the submission alone: known association types,
HasMember with the SubmissionSetStatus slot, every DocumentEntry and Folder
a member of the SubmissionSet, folder membership carried by the submission
set, document relationships whose source is a document of the submission.
Whether a reference to an object already in the registry resolves is
decided at registration (``registry/register.py``), which owns the store.
"""

from __future__ import annotations

from collections.abc import Iterator

from registry.errors import MetadataError, RegistryError
from registry.model import Association, Submission
from registry.vocabulary import AssociationType, SubmissionSetStatus

# Association types an ITI-42 submission may carry (ITI TF-3 Table 4.2.2-1);
# UpdateAvailabilityStatus and SubmitAssociation belong to ITI-57.
SUBMITTABLE_TYPES = frozenset(
    {
        AssociationType.HAS_MEMBER,
        AssociationType.REPLACE,
        AssociationType.TRANSFORM,
        AssociationType.APPEND,
        AssociationType.TRANSFORM_AND_REPLACE,
        AssociationType.SIGNS,
        AssociationType.IS_SNAPSHOT_OF,
    }
)


def _fail(association: Association, reason: str) -> MetadataError:
    return MetadataError(
        f"Association {association.entry_uuid}: {reason}", location=association.entry_uuid
    )


def check_associations(submission: Submission) -> Iterator[RegistryError]:
    """Yield every error in the submission's associations (ITI TF-3 4.2.2)."""
    submission_set_id = submission.submission_set.entry_uuid
    documents = {d.entry_uuid for d in submission.documents}
    folders = {f.entry_uuid for f in submission.folders}
    associations = {a.entry_uuid: a for a in submission.associations}
    members_of_set: set[str] = set()

    for association in submission.associations:
        kind = association.kind
        if kind is None or kind not in SUBMITTABLE_TYPES:
            yield _fail(
                association,
                f"associationType {association.association_type!r} may not be submitted "
                "in a Register Document Set-b",
            )
            continue
        if not association.source_id or not association.target_id:
            yield _fail(association, "sourceObject and targetObject are required")
            continue
        if association.source_id == association.target_id:
            yield _fail(association, "an association cannot link an object to itself")
            continue
        if kind is AssociationType.HAS_MEMBER:
            yield from _check_has_member(
                association, submission_set_id, documents, folders, associations
            )
            if association.source_id == submission_set_id:
                members_of_set.add(association.target_id)
        elif kind.is_relationship and association.source_id not in documents:
            # ITI TF-3 4.2.2.2: the source of a relationship is a new DocumentEntry
            # of this submission; signs may also come from the SubmissionSet.
            yield _fail(
                association,
                f"the source of a {kind.name} relationship must be a DocumentEntry "
                "of this submission",
            )

    # ITI TF-3 4.1.4: every DocumentEntry and Folder submitted is a member
    # of the SubmissionSet.
    for entry_uuid in sorted((documents | folders) - members_of_set):
        yield MetadataError(
            f"{entry_uuid} is not linked to the SubmissionSet by a HasMember association",
            location=entry_uuid,
        )

    # ITI TF-3 4.2.2.1.3: a folder membership submitted is itself a member of
    # the SubmissionSet (so the registry knows who added the document).
    for association in submission.associations:
        if (
            association.kind is AssociationType.HAS_MEMBER
            and association.source_id != submission_set_id
            and association.entry_uuid not in members_of_set
        ):
            yield _fail(
                association,
                "a folder membership must itself be a member of the SubmissionSet",
            )

    replaced: dict[str, str] = {}
    for association in submission.associations:
        if association.kind is not None and association.kind.replaces:
            if association.target_id in replaced:
                yield _fail(
                    association,
                    f"{association.target_id} is replaced twice in one submission",
                )
            replaced[association.target_id] = association.entry_uuid


def _check_has_member(
    association: Association,
    submission_set_id: str,
    documents: set[str],
    folders: set[str],
    associations: dict[str, Association],
) -> Iterator[RegistryError]:
    if association.source_id == submission_set_id:
        # ITI TF-3 4.2.2.1.1: SubmissionSetStatus is Original for objects of this
        # submission, Reference for objects already in the registry.
        status = association.submission_set_status
        if status is None:
            yield _fail(association, "a SubmissionSet HasMember needs the SubmissionSetStatus slot")
            return
        in_submission = (
            association.target_id in documents
            or association.target_id in folders
            or association.target_id in associations
        )
        if in_submission and status is not SubmissionSetStatus.ORIGINAL:
            yield _fail(
                association,
                "SubmissionSetStatus must be Original for an object of this submission",
            )
        if not in_submission and status is SubmissionSetStatus.ORIGINAL:
            yield _fail(
                association,
                f"SubmissionSetStatus Original names {association.target_id}, "
                "which is not in this submission",
            )
        return
    if association.source_id in documents:
        yield _fail(association, "a DocumentEntry cannot be the source of a HasMember")
        return
    if association.source_id in folders and association.target_id in folders:
        yield _fail(association, "a Folder cannot be a member of a Folder")
