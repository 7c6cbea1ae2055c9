"""carnet.access_matrix: the packaged default, an operator's file, and refused files."""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest

from carnet.access_matrix import (
    AccessMatrix,
    AccessMatrixError,
    load_access_matrix,
    parse_access_matrix,
)
from carnet.settings import Settings, SettingsError

ROOT = Path(__file__).resolve().parents[2]

OPERATOR_FILE = """\
version = 1

[[allow]]
label = "Cardiologists only, every document"
profession = "10"
specialties = ["SM04"]
class_codes = ["*"]

[[allow]]
profession = "60"
type_codes = ["11502-2"]
"""


def permits(
    matrix: AccessMatrix,
    profession: str | None,
    class_code: str,
    type_code: str | None = None,
    specialty: str | None = None,
) -> bool:
    return matrix.permits(
        profession=profession, specialty=specialty, class_code=class_code, type_code=type_code
    )


def test_default_matrix_lets_physicians_read_every_document() -> None:
    matrix = load_access_matrix()
    assert matrix.source == "(default)"
    for class_code in ("10", "11", "31", "42", "60", "90", "95", "anything"):
        assert permits(matrix, "10", class_code)


def test_default_matrix_restricts_other_professions_by_class_and_type() -> None:
    matrix = load_access_matrix()
    assert permits(matrix, "21", "42")  # pharmacist, prescription
    assert not permits(matrix, "21", "10", "11488-4")  # pharmacist, consult note
    assert permits(matrix, "21", "10", "11502-2")  # pharmacist, laboratory report
    assert permits(matrix, "60", "44")  # nurse, care plan
    assert not permits(matrix, "60", "95")  # nurse, management document
    assert not permits(matrix, "40", "60")  # dentist, reimbursement data


def test_default_matrix_refuses_unlisted_professions() -> None:
    matrix = load_access_matrix()
    assert not permits(matrix, "91", "42")  # orthophoniste
    assert not permits(matrix, None, "42")


def test_default_matrix_ships_as_package_data() -> None:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    assert "data/*.toml" in config["options.package_data"]["carnet"]
    assert (ROOT / "carnet" / "data" / "access_matrix.toml").is_file()


def test_operator_file_replaces_the_default(tmp_path: Path) -> None:
    path = tmp_path / "matrix.toml"
    path.write_text(OPERATOR_FILE, encoding="utf-8")
    matrix = load_access_matrix(path)
    assert matrix.source == str(path)
    assert permits(matrix, "10", "42", specialty="SM04")
    assert not permits(matrix, "10", "42", specialty="SM26")  # specialty rule
    assert not permits(matrix, "21", "42")  # pharmacists are no longer in the table
    assert permits(matrix, "60", "10", "11502-2")
    assert not permits(matrix, "60", "44")


def test_matrix_file_is_read_once(tmp_path: Path) -> None:
    path = tmp_path / "matrix.toml"
    path.write_text(OPERATOR_FILE, encoding="utf-8")
    first = load_access_matrix(path)
    path.write_text("not toml at all [", encoding="utf-8")
    assert load_access_matrix(path) is first


def test_malformed_matrix_file_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("version = 1\n[[allow]\n", encoding="utf-8")
    with pytest.raises(AccessMatrixError, match=r"broken\.toml: not valid TOML"):
        load_access_matrix(path)


def test_missing_matrix_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(AccessMatrixError, match="cannot be read"):
        load_access_matrix(tmp_path / "absent.toml")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "version must be 1, not None"),
        ("version = 2", "version must be 1, not 2"),
        ('version = 1\nrules = "x"', r"unknown key\(s\) \['rules'\]"),
        ("version = 1\nallow = 3", r"allow must be an array of tables"),
        ('version = 1\n[[allow]]\nclass_codes = ["*"]', r"allow\[0\]: profession must be"),
        ('version = 1\n[[allow]]\nprofession = 10\nclass_codes = ["*"]', "profession must be"),
        ('version = 1\n[[allow]]\nprofession = "10"', r"allow\[0\]: allows nothing"),
        (
            'version = 1\n[[allow]]\nprofession = "10"\nclass_code = ["*"]',
            r"unknown key\(s\) \['class_code'\]",
        ),
        ('version = 1\n[[allow]]\nprofession = "10"\nclass_codes = "*"', "must be a list"),
        ('version = 1\n[[allow]]\nprofession = "10"\nclass_codes = [""]', "non-empty strings"),
        (
            'version = 1\n[[allow]]\nprofession = "10"\nclass_codes = ["*"]\nlabel = 1',
            "label must be a string",
        ),
    ],
)
def test_invalid_matrix_is_refused_with_a_clear_reason(text: str, problem: str) -> None:
    with pytest.raises(AccessMatrixError, match=rf"^access matrix op\.toml: .*{problem}"):
        parse_access_matrix(text, source="op.toml")


def test_access_matrix_setting_comes_from_the_environment(tmp_path: Path) -> None:
    path = tmp_path / "matrix.toml"
    path.write_text(OPERATOR_FILE, encoding="utf-8")
    settings = Settings.load(environ={"CARNET_ACCESS_MATRIX": str(path)})
    assert settings.access_matrix == path
    assert Settings.load(environ={}).access_matrix is None


def test_access_matrix_setting_must_name_a_file(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="access_matrix"):
        Settings.load(environ={"CARNET_ACCESS_MATRIX": str(tmp_path / "absent.toml")})
