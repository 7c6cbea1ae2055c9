"""ITI TF-2b 3.41.4.1.3 and 3.43.4.1.3 — where the Document Repository keeps the bytes.

The repository stores each document it accepts on ITI-41 and serves it again on
ITI-43. :class:`DocumentStore` is the small interface the transactions use, so
that the folder on disk (:class:`~repository.folder_store.FolderDocumentStore`)
can later be joined by an object-store backend without touching them.

Contents are addressed by their SHA-1, as lower-case hex: the ``hash`` the
DocumentEntry carries (ITI TF-3 4.2.3.2.11). The registry metadata is then the
only index there is — a document is found from its entry alone, identical
contents are kept once, and what is stored can be checked against its name.
SHA-1 is no longer collision resistant (SHAttered, 2017): two different
documents crafted to collide would share one stored content. XDS fixes SHA-1
for ``hash``; a backend wanting a stronger guarantee can compare sizes or keep a
SHA-256 beside it without changing this interface.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import IO, Protocol

__all__ = ["DocumentStore", "is_document_key"]

_KEY = re.compile(r"[0-9a-f]{40}")


def is_document_key(value: str) -> bool:
    """Whether ``value`` is a content key: a SHA-1 in lower-case hex.

    >>> is_document_key("da39a3ee5e6b4b0d3255bfef95601890afd80709")
    True
    >>> is_document_key("DA39A3EE5E6B4B0D3255BFEF95601890AFD80709")
    False
    """
    return _KEY.fullmatch(value) is not None


class DocumentStore(Protocol):
    """Content-addressed storage of documents, keyed by their SHA-1 (lower-case hex).

    Implementations must make :meth:`put` atomic and durable — once it returns, the
    content survives a crash whole, and a crash before leaves no content under the
    key — since the registry commits entries that point at it right after.
    Failures raise :class:`~repository.errors.DocumentStoreError`.
    """

    def put(self, chunks: Iterable[bytes], *, expected_key: str | None = None) -> str:
        """Store the content read from ``chunks``; return its key (its SHA-1).

        With ``expected_key``, a content already stored under it is kept and ``chunks``
        is not read; a content whose SHA-1 differs is refused and nothing is stored.
        """
        ...

    def open(self, key: str) -> IO[bytes]:
        """The content under ``key``, to read as a stream; the caller closes it.

        Raises :class:`~repository.errors.DocumentNotStored` when there is none.
        """
        ...

    def exists(self, key: str) -> bool:
        """Whether a complete content is stored under ``key``."""
        ...

    def delete(self, key: str) -> bool:
        """Remove the content under ``key``; whether there was one."""
        ...

    def keys(self) -> Iterator[str]:
        """Every stored key, in no particular order (for the start-up sweep)."""
        ...

    def discard_incomplete(self) -> int:
        """Remove what interrupted writes left behind; how many were removed.

        Only safe while nothing writes to the store (before the server starts).
        """
        ...
