"""DMP patient ids — the INS (Identifiant National de Santé) and the NIR's check key.

A DMP is keyed by the patient's INS (``../shared/DMP.md`` §2.4): the matricule, assigned by one
of the INS authorities (:class:`cda.ins.InsAuthority`: ``1.2.250.1.213.1.4.8`` INS-NIR, ``.9``
INS-NIA, ``.10`` test, ``.11`` demonstration), written in XDS as the CX
``<matricule>^^^&<OID>&ISO`` (ITI TF-3 Table 4.2.3.1.7-2; the DMP adds ``^NH`` as CX.5, which
Carnet's patient ids leave out).

The matricule is a NIR (or a NIA, built alike): 13 characters — sex, year, month, department
(``2A``/``2B`` for Corsica), commune, order number — and a 2-digit key equal to
``97 - (number mod 97)``, the number being the 13 characters read as an integer with ``2A``
taken as ``19`` and ``2B`` as ``18`` (INSEE convention; décret 82-103, the key of the NIR).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cda.ins import InsAuthority, is_ins_authority
from registry.dmp_errors import InvalidIns
from registry.hl7_datatypes import CX

__all__ = ["Ins", "nir_key"]

_MATRICULE = re.compile(r"^[12378]\d{4}(\d{2}|2A|2B)\d{6}\d{2}$")
"""Sex (1, 2; 3, 7, 8 for the temporary and foreign-born series), YYMM, department, the rest."""


def nir_key(number: str) -> int:
    """The check key of the 13 first characters of a NIR.

    >>> nir_key("2790351215189")
    89
    >>> nir_key("1801220123456"), nir_key("18012" + "2A" + "123456")
    (72, 2)
    """
    if len(number) != 13:
        raise ValueError(f"a NIR has 13 characters before its key, not {len(number)}")
    digits = number.upper().replace("2A", "19", 1).replace("2B", "18", 1)
    if not digits.isdigit():
        raise ValueError(f"NIR {number!r} holds a character other than digits, 2A or 2B")
    return 97 - int(digits) % 97


@dataclass(frozen=True, kw_only=True, slots=True)
class Ins:
    """A checked INS: matricule and authority."""

    matricule: str
    """The NIR or NIA with its key: 15 characters."""
    authority: InsAuthority
    """Who assigned it (production NIR, NIA, test or demonstration)."""

    @classmethod
    def parse(cls, patient_id: str) -> Ins:
        """Check ``patient_id``, a CX ``matricule^^^&OID&ISO``, as an INS.

        >>> Ins.parse("279035121518989^^^&1.2.250.1.213.1.4.10&ISO").authority.name
        'NIR_TEST'
        >>> Ins.parse("279035121518988^^^&1.2.250.1.213.1.4.10&ISO")
        Traceback (most recent call last):
        ...
        registry.dmp_errors.InvalidIns: INS 279035121518988 has key 88, its NIR gives 89
        """
        try:
            cx = CX.parse(patient_id)
        except ValueError as exc:
            raise InvalidIns(str(exc), location=patient_id) from None
        return cls.of(cx.id, authority_oid=cx.authority_oid)

    @classmethod
    def of(cls, matricule: str, *, authority_oid: str) -> Ins:
        """Check the matricule ``matricule`` of the INS authority ``authority_oid``."""
        if not is_ins_authority(authority_oid):
            raise InvalidIns(
                f"{authority_oid} is not an INS authority (1.2.250.1.213.1.4.8 INS-NIR, .9 "
                "INS-NIA, .10 test, .11 demonstration)",
                location=matricule,
            )
        if not _MATRICULE.match(matricule):
            raise InvalidIns(
                f"INS {matricule!r} is not a NIR: 13 characters (digits, 2A or 2B as the "
                "department) and a 2-digit key",
                location=matricule,
            )
        expected = nir_key(matricule[:13])
        if int(matricule[13:]) != expected:
            raise InvalidIns(
                f"INS {matricule} has key {matricule[13:]}, its NIR gives {expected:02d}",
                location=matricule,
            )
        return cls(matricule=matricule, authority=InsAuthority(authority_oid))

    @property
    def patient_id(self) -> str:
        """The XDS CX the registry files the patient's documents under."""
        return str(CX(id=self.matricule, authority_oid=self.authority.value))
