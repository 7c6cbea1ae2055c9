"""The shape of the code base: curated package surfaces and imports that flow one way.

``carnet`` → ``soap`` → ``repository`` → ``registry``; ``cda`` and ``schemas`` are leaves anyone
may use (``cda`` may parse with ``schemas``). See STYLE principles 3 and 8.
"""

from __future__ import annotations

import ast
import configparser
import importlib
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOP_LEVEL = ("carnet", "soap", "repository", "registry", "cda", "schemas")

# Which of our top-level packages each one must never import.
FORBIDDEN_IMPORTS = {
    "registry": {"soap", "repository", "carnet"},
    "repository": {"soap", "carnet"},
    "soap": {"carnet"},
    "cda": {"carnet", "soap", "repository", "registry"},
    "schemas": {"carnet", "soap", "repository", "registry", "cda"},
}


def shipped_packages() -> list[str]:
    """The explicit package list of setup.cfg."""
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    return config["options"]["packages"].split()


def package_dir(name: str) -> Path:
    return ROOT.joinpath(*name.split("."))


def python_files(top: str) -> list[Path]:
    files = package_dir(top).rglob("*.py")
    return sorted(path for path in files if "__pycache__" not in path.parts)


def imported_top_levels(path: Path) -> set[str]:
    """Top-level modules ``path`` imports, relative imports excluded (they stay inside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.partition(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.partition(".")[0])
    return found


def test_every_package_in_the_tree_ships() -> None:
    in_tree = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for top in TOP_LEVEL
        for init in package_dir(top).rglob("__init__.py")
    }
    assert in_tree <= set(shipped_packages()), "add these to setup.cfg [options] packages"


@pytest.mark.parametrize("name", shipped_packages())
def test_package_states_its_job_and_exports_names_that_exist(name: str) -> None:
    if not (package_dir(name) / "__init__.py").is_file():
        pytest.skip(f"{name}/__init__.py not written yet")
    package = importlib.import_module(name)
    assert package.__doc__ and package.__doc__.strip(), f"{name} has no docstring"
    public = [
        member
        for member, value in vars(package).items()
        if not member.startswith("_") and not isinstance(value, types.ModuleType)
    ]
    if not hasattr(package, "__all__"):
        assert not public, f"{name} defines {public} but has no __all__"
        pytest.skip(f"{name} is still empty")
    exported = package.__all__
    assert isinstance(exported, list)
    assert all(isinstance(member, str) for member in exported)
    assert len(set(exported)) == len(exported), f"{name}.__all__ has duplicates"
    missing = [member for member in exported if not hasattr(package, member)]
    assert not missing, f"{name}.__all__ names what it does not define: {missing}"


@pytest.mark.parametrize("package", sorted(FORBIDDEN_IMPORTS))
def test_imports_flow_one_way(package: str) -> None:
    offences = {
        str(path.relative_to(ROOT)): sorted(imported & FORBIDDEN_IMPORTS[package])
        for path in python_files(package)
        if (imported := imported_top_levels(path)) & FORBIDDEN_IMPORTS[package]
    }
    assert not offences, f"{package} must not import these: {offences}"


def test_registry_model_is_free_of_wire_and_storage() -> None:
    model = ROOT / "registry" / "model.py"
    if not model.is_file():
        pytest.skip("registry/model.py not written yet")
    assert not imported_top_levels(model) & {"lxml", "sqlalchemy"}


def test_every_top_level_package_is_typed() -> None:
    # PEP 561: the marker of a top-level package covers its subpackages.
    untyped = [top for top in TOP_LEVEL if not (package_dir(top) / "py.typed").is_file()]
    assert not untyped, f"these packages lack a py.typed marker: {untyped}"
