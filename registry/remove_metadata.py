"""ITI TF-2b 3.62 (Remove Metadata) — the Document Registry's actions on Delete Document Set.

A ``lcm:RemoveObjectsRequest`` names, by ObjectRef, registry objects of any
kind — DocumentEntries, Folders, SubmissionSets, Associations — to delete
(3.62.4.1.3). The registry deletes them all or none, and refuses when the
request would break the metadata model (ebRS 3.0 §5.3, ITI TF-2b 3.62.4.1.3):

* ``UnresolvedReferenceException`` — an ObjectRef names no registered object;
* ``ReferencesExistException`` — an object to delete is an end of an
  Association the request does not delete as well (a DocumentEntry still a
  member of its SubmissionSet, a SubmissionSet still holding members, an
  Association a SubmissionSet's HasMember still records);
* ``XDSUnreferencedObjectException`` — deleting an Association would leave an
  object that stays with no Association at all (a DocumentEntry outside any
  SubmissionSet, a SubmissionSet left empty).

The rules and their order are those of the NIST XDS toolkit's registry
simulator, against which public Remove Metadata test plans were written: a
whole submission goes with its SubmissionSet, its members and their
HasMembers; a folder membership goes with the SubmissionSet HasMember that
recorded it. The Document Repository's copy of a document is not touched:
removing it is ITI-86.
"""

from __future__ import annotations

from collections.abc import Iterable

from registry.errors import (
    ReferencesExist,
    RegistryError,
    RegistryErrorList,
    UnreferencedObject,
    UnresolvedReference,
)
from registry.model import ObjectRef
from registry.storage.database import Database
from registry.storage.store import ObjectKind, RegistryStore

__all__ = ["delete_document_set", "remove_metadata"]


def delete_document_set(database: Database, refs: Iterable[ObjectRef]) -> tuple[str, ...]:
    """ITI-62: delete the objects ``refs`` name in one unit of work; return their ids."""
    with database.unit_of_work() as store:
        return remove_metadata(store, refs)


def remove_metadata(store: RegistryStore, refs: Iterable[ObjectRef]) -> tuple[str, ...]:
    """Delete the objects ``refs`` name from ``store``, or raise and delete nothing.

    Raises a :class:`RegistryErrorList` holding every error found.
    """
    ids = tuple(dict.fromkeys(ref.id for ref in refs))
    found = store.objects_by_uuid(ids)
    unresolved = [
        UnresolvedReference(f"ObjectRef {each} names no object of the registry", location=each)
        for each in ids
        if each not in found
    ]
    if unresolved:
        raise RegistryErrorList(unresolved)
    removing = set(ids)
    errors: list[RegistryError] = []

    # ebRS 3.0 §5.3: nothing may keep referring to a deleted object.
    staying: dict[str, list[str]] = {}
    for association in store.associations_touching(ids):
        if association.entry_uuid in removing:
            continue
        for end in {association.source_id, association.target_id} & removing:
            staying.setdefault(end, []).append(association.entry_uuid)
    for each in ids:
        if each in staying:
            holders = staying[each]
            errors.append(
                ReferencesExist(
                    f"{found[each].kind.value} {each} is referenced by {len(holders)} "
                    f"Association(s) not removed with it: {', '.join(sorted(holders))}",
                    location=each,
                )
            )

    # ITI TF-2b 3.62.4.1.3: no object may be left that no Association references.
    removed_links = [each for each in ids if found[each].kind is ObjectKind.ASSOCIATION]
    ends = {
        end
        for association in store.associations(removed_links)
        for end in (association.source_id, association.target_id)
        if end not in removing
    }
    still_linked = {
        end
        for association in (store.associations_touching(sorted(ends)) if ends else ())
        if association.entry_uuid not in removing
        for end in (association.source_id, association.target_id)
    }
    for end in sorted(ends - still_linked):
        errors.append(
            UnreferencedObject(
                f"removing the Associations of {end} would leave it referenced by none",
                location=end,
            )
        )
    if errors:
        raise RegistryErrorList(errors)
    store.remove(ids)
    return ids
