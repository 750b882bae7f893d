"""The layers import only downward (ARCHITECTURE.md): checked on the source, without importing anything."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# package (folder) -> top-level packages it must never import
FORBIDDEN = {
    "glueforge": {"transforms", "migration", "pipelines"},
    "transforms": {"migration", "pipelines"},
    "migration": {"pipelines"},
}
# The CLI is the top layer, even though it lives inside the glueforge package.
EXEMPT = {REPO / "glueforge" / "cli"}


def imported_top_levels(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def sources(package: str) -> list[Path]:
    return [
        path
        for path in sorted((REPO / package).rglob("*.py"))
        if not any(path.is_relative_to(exempt) for exempt in EXEMPT)
    ]


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layers_import_only_downward(package):
    violations = [
        f"{path.relative_to(REPO)} imports {sorted(imported_top_levels(path) & FORBIDDEN[package])}"
        for path in sources(package)
        if imported_top_levels(path) & FORBIDDEN[package]
    ]
    assert violations == []


def test_the_wheel_has_no_top_level_awsglue():
    """The local awsglue lives under glueforge/, so the wheel can never shadow Glue's own module."""
    assert not (REPO / "awsglue").exists()
    assert (REPO / "glueforge" / "glue_runtime" / "_local" / "awsglue" / "__init__.py").is_file()
