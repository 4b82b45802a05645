"""The layers depend one way (style.md): schemas are pure (no services, models, SQLAlchemy
or Flask), services never import Flask, and domain imports nothing of the package's."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "mectofitness"


def _imports(path: Path) -> set[str]:
    """Every module a file imports, with relative imports resolved against the package."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = parts[: len(parts) - node.level] if node.level else ()
            module = ".".join((*base, node.module) if node.module else base)
            found.add(module)
            found |= {f"{module}.{alias.name}" for alias in node.names}
    return found


def _files(folder: str) -> list[Path]:
    return sorted((PACKAGE / folder).glob("*.py")) if folder else [PACKAGE / "domain.py"]


@pytest.mark.parametrize(
    ("folder", "forbidden"),
    [
        ("schemas", ("sqlalchemy", "flask", "mectofitness.services", "mectofitness.models", "mectofitness.db")),
        ("services", ("flask", "flask_login", "mectofitness.api", "mectofitness.security")),
        ("", ("sqlalchemy", "flask", "pydantic", "mectofitness.")),
    ],
)
def test_layers_import_one_way(folder, forbidden):
    offending = {
        f"{path.relative_to(PACKAGE)}: {name}"
        for path in _files(folder)
        for name in _imports(path)
        if name.startswith(forbidden) and name != "mectofitness.domain"
    }
    assert not offending
