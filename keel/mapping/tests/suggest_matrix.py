"""How the permission matrix calls the catalogue import and the mapping suggestions: sample
arguments and bodies (tests/test_permission_matrix.py)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from keel.platform.models import User

TARGET = "iso42001:2023:A.6.2.8"


def _control_ref(world: Any) -> str:
    from tests import controls_world as cw

    return str(cw.control_a(world).ref_id)


def decision_form(world: Any, user: User | None) -> dict[str, Any]:
    return {"source": _control_ref(world), "target": TARGET, "decision": "reject", "method": "lexical"}


def decision_body(world: Any, user: User | None) -> dict[str, Any]:
    return {"source": _control_ref(world), "target": TARGET, "decision": "rejected"}


def decide_argv(world: Any, user: User | None) -> list[str]:
    return ["map", "decide", "--source", _control_ref(world), "--target", TARGET, "reject"]


def catalog_argv(world: Any, user: User | None) -> list[str]:
    folder = Path(tempfile.mkdtemp(prefix="keel-matrix-catalog-"))
    path = folder / "catalog.csv"
    path.write_text("id,title,text\nM-1,Event logs,AI systems record logs.\n", encoding="utf-8")
    return ["catalog", "import", str(path), "--key", "matrix-cat", "--name", "Matrix", "--id-column", "id",
            "--title-column", "title", "--text-column", "text"]  # fmt: skip
