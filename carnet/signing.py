"""ITI TF-3 5.5.3.1 (IHE DSG) — a Document Source signing its submission before ITI-41.

:func:`signed_submission` computes the SubmissionSet Signature over the documents
(:func:`cda.signature.sign_submission_set`: XAdES-BES, a ``ds:Manifest`` naming the
SubmissionSet and every document with its SHA-256), then adds it to the submission as one
more document with the DMP's DocumentEntry and a ``signs`` association to the SubmissionSet
(:func:`repository.submission_signature.add_signature_entry`). This is what the DMP requires
of every TD2.1 feed, and what ``carnet submit --sign-key KEY --sign-cert CERT`` does.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from carnet.file_metadata import new_oid
from cda.certificates import SigningKey
from cda.signature import SignaturePurpose, sign_submission_set
from registry.model import Submission
from repository.submission_signature import add_signature_entry

__all__ = ["SIGNATURE_ENTRY_ID", "signed_submission"]

SIGNATURE_ENTRY_ID = "SubmissionSetSignature"
"""The symbolic id of the signature's DocumentEntry (suffixed if the submission uses it)."""


def signed_submission(
    submission: Submission,
    documents: Mapping[str, Path | bytes],
    *,
    key: SigningKey,
    purpose: SignaturePurpose = SignaturePurpose.SOURCE,
) -> tuple[Submission, dict[str, Path | bytes]]:
    """``submission`` and ``documents`` (by DocumentEntry id) with the SubmissionSet Signature.

    Each document is read once, in chunks, for its digest; the signature itself is a few
    kilobytes, returned as bytes under its entry's id.
    """
    signature = sign_submission_set(
        submission_set_unique_id=submission.submission_set.unique_id,
        documents={
            entry.unique_id: documents[entry.entry_uuid]
            for entry in submission.documents
            if entry.entry_uuid in documents  # a missing one is refused when the request is built
        },
        key=key,
        purpose=purpose,
    )
    taken = {obj.entry_uuid for obj in submission.objects()}
    entry_id = SIGNATURE_ENTRY_ID
    while entry_id in taken or f"{entry_id}-HasMember" in taken or f"{entry_id}-Signs" in taken:
        entry_id += "_"
    signed = add_signature_entry(
        submission, entry_id=entry_id, unique_id=new_oid(), purpose=purpose
    )
    return signed, {**documents, entry_id: signature}
