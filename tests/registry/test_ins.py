"""registry/ins.py: the INS authorities and the NIR check key (``DMP.md`` §2.4)."""

from __future__ import annotations

import pytest

from registry.dmp_errors import InvalidIns
from registry.ins import Ins, nir_key


def with_key(number: str) -> str:
    return f"{number}{nir_key(number):02d}"


def test_nir_key_is_97_minus_the_number_mod_97() -> None:
    assert nir_key("2790351215189") == 97 - 2790351215189 % 97 == 89


@pytest.mark.parametrize("authority", ["8", "9", "10", "11"])
def test_ins_accepts_each_ins_authority(authority: str) -> None:
    ins = Ins.parse(f"279035121518989^^^&1.2.250.1.213.1.4.{authority}&ISO")
    assert ins.matricule == "279035121518989"
    assert ins.patient_id == f"279035121518989^^^&1.2.250.1.213.1.4.{authority}&ISO"


def test_ins_refuses_a_wrong_key() -> None:
    with pytest.raises(InvalidIns, match="has key 88, its NIR gives 89"):
        Ins.of("279035121518988", authority_oid="1.2.250.1.213.1.4.10")


def test_ins_of_corsica_2a_counts_2a_as_19() -> None:
    number = "1801220" + "123456"
    corsican = number[:5] + "2A" + number[7:]
    assert nir_key(corsican) == 97 - int(number[:5] + "19" + number[7:]) % 97
    assert Ins.of(with_key(corsican), authority_oid="1.2.250.1.213.1.4.8").matricule[5:7] == "2A"


def test_ins_of_corsica_2b_counts_2b_as_18() -> None:
    corsican = "18012" + "2B" + "123456"
    assert nir_key(corsican) == 97 - int("18012" + "18" + "123456") % 97
    Ins.of(with_key(corsican), authority_oid="1.2.250.1.213.1.4.8")
    with pytest.raises(InvalidIns):
        Ins.of(
            corsican + f"{(nir_key(corsican) % 97) + 1:02d}", authority_oid="1.2.250.1.213.1.4.8"
        )


def test_ins_refuses_another_authority() -> None:
    with pytest.raises(InvalidIns, match="not an INS authority"):
        Ins.parse("279035121518989^^^&1.2.3.4&ISO")


@pytest.mark.parametrize("matricule", ["27903512151898", "2790351215189890", "279035X21518989"])
def test_ins_refuses_a_malformed_matricule(matricule: str) -> None:
    with pytest.raises(InvalidIns, match="not a NIR"):
        Ins.of(matricule, authority_oid="1.2.250.1.213.1.4.10")
