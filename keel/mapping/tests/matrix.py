"""For the permission matrix: how to call the crosswalk pages, API operations and commands
(crosswalks are organisation-level records: the target of every call is the organisation)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from keel.platform.models import User

KEY = "iso27001-2022--iso42001-2023"
CSV = "source,target,relation,rationale,extension\nA.8.33,A.7.4,intersects,Test data is protected.,Add quality criteria.\n"


def relation_id() -> Any:
    from keel.mapping.models import CrosswalkRelation

    return CrosswalkRelation.objects.get(
        crosswalk__key=KEY, source__key="iso27001:2022:A.5.23", target__key="iso42001:2023:A.10.3"
    ).pk


def key_kwargs(world: Any, user: User | None) -> dict[str, Any]:
    return {"key": KEY}


def relation_kwargs(world: Any, user: User | None) -> dict[str, Any]:
    return {"relation_id": relation_id()}


def new_relation(world: Any, user: User | None) -> dict[str, Any]:
    """A valid relation not in the shipped data (27001 A.8.33 → 42001 A.7.4)."""
    return {
        "source": "A.8.33",
        "target": "A.7.4",
        "relation": "intersects",
        "rationale": "Test data is protected.",
        "extension": "Add quality criteria.",
    }


def new_relation_body(world: Any, user: User | None) -> dict[str, Any]:
    return {"crosswalk": KEY, **new_relation(world, user)}


def edit_data(world: Any, user: User | None) -> dict[str, Any]:
    return {"relation": "intersects", "rationale": "Reworded by a person.", "extension": "Add AI criteria."}


def new_crosswalk_body(world: Any, user: User | None) -> dict[str, Any]:
    return {"key": "matrix-cw", "name": "Matrix", "source": "iso42001:2023", "target": "iso27001:2022"}


def import_argv(world: Any, user: User | None) -> list[str]:
    path = Path(tempfile.mkdtemp(prefix="keel-crosswalk-")) / "cw.csv"
    path.write_text(CSV, encoding="utf-8")
    return ["crosswalk", "import", str(path), "--key", KEY, "--format", "json"]
