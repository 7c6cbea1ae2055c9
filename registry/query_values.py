"""ITI TF-2a 3.18.4.1.2.3.5 — writing stored-query parameter values.

The grammar the registry reads in ``registry/query_parameters.py``: a string is quoted
``'x'`` with ``''`` for a quote inside it, a time is an unquoted DTM, several values of a
multi-valued parameter form a parenthesised list ``('a','b')``. Codes are written
``code^^scheme`` (ITI TF-2a 3.18.4.1.2.3.7).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from registry.model import Code

__all__ = ["code_value", "dtm", "quote", "quote_list"]


def quote(value: str) -> str:
    """A quoted string value.

    >>> quote("it's")
    "'it''s'"
    """
    return "'" + value.replace("'", "''") + "'"


def quote_list(values: Iterable[str]) -> str:
    """A stored-query list value ``('a','b')`` (ITI TF-2a 3.18.4.1.2.3.5).

    >>> quote_list(["urn:x", "it's"])
    "('urn:x','it''s')"
    """
    return "(" + ",".join(quote(v) for v in values) + ")"


def code_value(code: Code | str) -> str:
    """A code as ``code^^scheme``; a string is taken as already written so.

    >>> code_value(Code(code="11488-4", scheme="2.16.840.1.113883.6.1"))
    '11488-4^^2.16.840.1.113883.6.1'
    """
    return str(code)


def dtm(value: datetime | str) -> str:
    """A time parameter: a DTM string as given, or a datetime in UTC to the second.

    ITI TF-3 Table 4.2.3.1.7-2: XDS times are UTC. A naive datetime is taken as UTC.

    >>> dtm(datetime(2024, 10, 15, 10, 15, tzinfo=UTC))
    '20241015101500'
    >>> dtm("2024")
    '2024'
    """
    if isinstance(value, str):
        return value
    moment = value if value.tzinfo is None else value.astimezone(UTC)
    return moment.strftime("%Y%m%d%H%M%S")
