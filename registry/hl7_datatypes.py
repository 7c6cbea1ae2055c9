"""ITI TF-3 Table 4.2.3.1.7-2 — the HL7 v2 data types of XDS metadata.

XDS carries HL7 v2.5 data types in slot values and external identifiers:
CX (patient ids), XCN (persons), XON (organisations), XTN (telecom), DTM
(times) and OIDs for uniqueIds. These functions parse and check them; they
raise ``ValueError`` with a reason, which validation turns into an IHE error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_OID = re.compile(r"^[0-2](\.(0|[1-9][0-9]*))+$")
_DTM = re.compile(r"^\d{4}(\d{2}(\d{2}(\d{2}(\d{2}(\d{2})?)?)?)?)?$")
_DTM_FIELD_LENGTHS = (4, 6, 8, 10, 12, 14)


def is_oid(value: str) -> bool:
    """True when ``value`` is an ISO OID in dotted form (ITI TF-3 Table 4.2.3.1.7-2).

    >>> is_oid("1.3.6.1.4.1.21367.2005.3.7")
    True
    >>> is_oid("1.3.06")
    False
    >>> is_oid("urn:oid:1.2.3")
    False
    """
    return len(value) <= 64 and _OID.match(value) is not None


def check_dtm(value: str) -> str:
    """Check a DTM: ``YYYY[MM[DD[hh[mm[ss]]]]]`` in UTC, no fractions nor zone.

    ITI TF-3 Table 4.2.3.1.7-2 allows precision down to the second; month,
    day, hour, minute and second must be in range.

    >>> check_dtm("20051224")
    '20051224'
    >>> check_dtm("20051324")
    Traceback (most recent call last):
    ...
    ValueError: DTM '20051324' has month 13 out of range
    """
    if _DTM.match(value) is None:
        raise ValueError(f"DTM {value!r} is not YYYY[MM[DD[hh[mm[ss]]]]]")
    parts = (
        ("month", value[4:6], 1, 12),
        ("day", value[6:8], 1, 31),
        ("hour", value[8:10], 0, 23),
        ("minute", value[10:12], 0, 59),
        ("second", value[12:14], 0, 59),
    )
    for name, digits, low, high in parts:
        if digits and not low <= int(digits) <= high:
            raise ValueError(f"DTM {value!r} has {name} {int(digits)} out of range")
    return value


def dtm_bound(value: str, *, upper: bool) -> str:
    """Pad a DTM to 14 digits for comparisons in stored queries.

    ITI TF-2a 3.18.4.1.2.3.7 compares times at the precision sent; padding
    the lower bound with zeros and the upper with nines keeps From inclusive
    and To exclusive at any precision.

    >>> dtm_bound("2005", upper=False)
    '20050000000000'
    >>> dtm_bound("200512", upper=True)
    '20051299999999'
    """
    return value.ljust(14, "9" if upper else "0")


@dataclass(frozen=True, kw_only=True, slots=True)
class CX:
    """HL7 v2 CX, as XDS restricts it: ``id^^^&OID&ISO`` (ITI TF-3 Table 4.2.3.1.7-2)."""

    id: str
    authority_oid: str

    @classmethod
    def parse(cls, value: str) -> CX:
        """Parse a patient id; only components 1 and 4 are allowed.

        >>> CX.parse("SELF-5^^^&1.3.6.1.4.1.21367.2005.3.7&ISO")
        CX(id='SELF-5', authority_oid='1.3.6.1.4.1.21367.2005.3.7')
        >>> CX.parse("SELF-5^^^&1.3.6&DNS")
        Traceback (most recent call last):
        ...
        ValueError: CX 'SELF-5^^^&1.3.6&DNS' must have an assigning authority of type ISO
        """
        components = value.split("^")
        if len(components) < 4 or not components[0]:
            raise ValueError(f"CX {value!r} must be id^^^&OID&ISO")
        if any(components[1:3]) or any(components[4:]):
            raise ValueError(f"CX {value!r} may carry only components 1 and 4")
        authority = components[3].split("&")
        if len(authority) != 3 or authority[0]:
            raise ValueError(f"CX {value!r} must have an assigning authority &OID&ISO")
        if authority[2] != "ISO":
            raise ValueError(f"CX {value!r} must have an assigning authority of type ISO")
        if not is_oid(authority[1]):
            raise ValueError(f"CX {value!r} has an assigning authority that is not an OID")
        return cls(id=components[0], authority_oid=authority[1])

    def __str__(self) -> str:
        return f"{self.id}^^^&{self.authority_oid}&ISO"


def check_source_patient_id(value: str) -> str:
    """Check a ``sourcePatientId``: a CX with an id and an assigning authority.

    It is the id in the *source's* domain (ITI TF-3 4.2.3.2.19), so its
    authority need not be an ISO OID of the affinity domain; peers send
    local authorities. Only the shape is checked.

    >>> check_source_patient_id("89765a87b^^^&3.4.5&ISO")
    '89765a87b^^^&3.4.5&ISO'
    >>> check_source_patient_id("89765a87b")
    Traceback (most recent call last):
    ...
    ValueError: CX '89765a87b' must carry an id and an assigning authority (id^^^authority)
    """
    components = value.split("^")
    if len(components) < 4 or not components[0] or not components[3].strip("&"):
        raise ValueError(
            f"CX {value!r} must carry an id and an assigning authority (id^^^authority)"
        )
    return value


def check_xcn(value: str) -> str:
    """Check an XCN (person): an id (component 1) or a family name (component 2).

    When an id is given without a name, ITI TF-3 Table 4.2.3.1.7-2 wants its
    assigning authority (component 9) to be an ISO OID.

    >>> check_xcn("11375^Welby^Marcus^J^Jr. MD^Dr^^^&1.2.840.113619.6.197&ISO")
    '11375^Welby^Marcus^J^Jr. MD^Dr^^^&1.2.840.113619.6.197&ISO'
    >>> check_xcn("^^^")
    Traceback (most recent call last):
    ...
    ValueError: XCN '^^^' has neither an id nor a family name
    """
    components = value.split("^")
    identifier = components[0]
    family = components[1].split("&")[0] if len(components) > 1 else ""
    if not identifier and not family:
        raise ValueError(f"XCN {value!r} has neither an id nor a family name")
    if identifier and not family and len(components) > 8 and components[8]:
        authority = components[8].split("&")
        if len(authority) != 3 or authority[2] != "ISO" or not is_oid(authority[1]):
            raise ValueError(f"XCN {value!r} has an assigning authority that is not &OID&ISO")
    return value


def check_xon(value: str) -> str:
    """Check an XON (organisation): a name (component 1), optionally an id.

    >>> check_xon("Some Hospital^^^^^^^^^1.2.3.9.1789.45")
    'Some Hospital^^^^^^^^^1.2.3.9.1789.45'
    >>> check_xon("^^^^^^^^^1.2.3")
    Traceback (most recent call last):
    ...
    ValueError: XON '^^^^^^^^^1.2.3' has no organisation name
    """
    components = value.split("^")
    if not components[0]:
        raise ValueError(f"XON {value!r} has no organisation name")
    return value
