"""The checked-in API reference files, all derived from one OpenAPI document."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from . import create_app, postman
from .config import Settings
from .openapi import build_spec


def reference_files() -> dict[str, str]:
    """Relative path -> content of every generated reference file."""
    with tempfile.TemporaryDirectory() as tmp:
        # An app only to read its routes: no database is opened.
        app = create_app(Settings(instance_path=Path(tmp), database_url=f"sqlite:///{tmp}/unused.db",
                                  secret_key="reference-export-only"))
        spec: dict[str, Any] = build_spec(app)
    return {
        "openapi.json": json.dumps(spec, indent=2, ensure_ascii=False) + "\n",
        "postman/mectofitness.postman_collection.json": postman.dumps(postman.collection(spec)),
        "postman/mectofitness.postman_environment.json": postman.dumps(postman.environment()),
    }


def write_reference(folder: Path) -> list[Path]:
    written = []
    for relative, content in reference_files().items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
        written.append(path)
    return written
