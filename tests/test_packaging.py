"""The wheel ships the schemas, the typing markers and the ``carnet`` command."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[zipfile.ZipFile]:
    # Build with the test environment's setuptools (the 'test' extra): no download needed.
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
         "--quiet", "--wheel-dir", str(out)],
        check=True,
        cwd=out,
    )  # fmt: skip
    (built,) = out.glob("carnet-*.whl")
    with zipfile.ZipFile(built) as archive:
        yield archive


def test_wheel_ships_the_schemas(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    for expected in (
        "schemas/xds/lcm.xsd",
        "schemas/wsdl/iti18.wsdl",
        "schemas/wsdl/schema/ebRS30/rim.xsd",
        "schemas/hl7v3/iti44/iti44.xsd",
        "schemas/hl7v3/iti44/schema/HL7V3/NE2008/coreschemas/datatypes.xsd",
        "schemas/PROVENANCE.md",
        # CDA R2 with the CI-SIS extensions, the CI-SIS schematrons, their value sets and the
        # ISO skeleton that compiles them (cda/validation.py, cda/schematron.py)
        "schemas/cda/CDA_extended.xsd",
        "schemas/cda/general/datatypes-base.xsd",
        "schemas/cda/schema/XMLSchema.xsd",
        "schemas/cisis/schematrons/CI-SIS_VSM_2023.01.sch",
        "schemas/cisis/schematrons/abstract/dansJeuDeValeurs.sch",
        "schemas/cisis/schematrons/profils/structurationMinimale/ASIP-STRUCT-MIN-StrucMin.sch",
        "schemas/cisis/schematrons/profils/structurationMinimale/include/"
        "voc-1.2.250.1.213.1.1.5.124-DYNAMIC.xml",
        "schemas/cisis/jeuxDeValeurs/JDV_AbordVeineuxCentral_CISIS.xml",
        "schemas/schematron/iso-schematron-xslt1/iso_svrl_for_xslt1.xsl",
        "schemas/schematron/iso-schematron-xslt1/iso_schematron_skeleton_for_xslt1.xsl",
    ):
        assert expected in names


def test_wheel_ships_typing_markers(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    for package in ("carnet", "registry", "repository", "cda", "soap", "schemas"):
        assert f"{package}/py.typed" in names


def test_wheel_ships_no_tests(wheel: zipfile.ZipFile) -> None:
    assert not [name for name in wheel.namelist() if name.startswith(("tests/", "bench/"))]


def test_wheel_declares_the_carnet_command(wheel: zipfile.ZipFile) -> None:
    (entry_points,) = [name for name in wheel.namelist() if name.endswith("entry_points.txt")]
    text = wheel.read(entry_points).decode()
    assert "[console_scripts]" in text
    assert "carnet = carnet.cli:main" in text
