"""For the permission matrix: a small, valid import file and the argv to import it."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from keel.organisation.models import ManagementSystem
from keel.platform.models import User

CONTROLS = "Control register\nControl ID;Title;Status;ISO 27001:2022 reference\nIMP-1;Access;Done;A.5.15\n"
SOA = "Annex A control,Applicable,Justification\nA.7.4,No,No offices\n"


def _file(name: str, text: str) -> str:
    path = Path(tempfile.mkdtemp(prefix="keel-import-")) / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def controls_argv(user: User | None) -> list[str]:
    return ["import", "controls", _file("controls.csv", CONTROLS), "--format", "json"]


def soa_argv(ms: ManagementSystem, user: User | None) -> list[str]:
    from keel.soa.tests.factories import soa_for

    soa_for(ms)
    return [
        "import",
        "soa",
        _file("soa.csv", SOA),
        "--standard",
        "iso27001:2022",
        "--management-system",
        ms.short_name,
        "--format",
        "json",
    ]


def _editable(world: Any, user: User | None) -> str:
    from keel.platform.permissions import Perm, has_perm

    for ms in (world.a, world.b):
        if has_perm(user, Perm.EDIT_CONTROLS, ms):
            return str(ms.short_name)
    return str(world.a.short_name)


def page_upload_data(world: Any, user: User | None) -> dict[str, Any]:
    """The wizard's upload step: a one-row file into a system the user may edit."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {
        "file": SimpleUploadedFile("controls.csv", CONTROLS.encode(), content_type="text/csv"),
        "management_system": _editable(world, user),
    }


def page_confirm_data(world: Any, user: User | None) -> dict[str, Any]:
    """The wizard's confirm step: a file staged for this user."""
    from keel.platform.importing.staging import stage_upload

    token = stage_upload(CONTROLS.encode(), "controls.csv", user) if user is not None else "0" * 32
    return {"token": token, "management_system": _editable(world, user)}


# ---------------------------------------------------------------- the import pages of SoA, assets, crosswalks

ASSETS = "Asset,Type\nMatrix asset,database\n"
CROSSWALK = (
    "source,target,relation,rationale,extension\n"
    "A.8.33,A.7.4,intersects,Test data is protected.,Add quality criteria.\n"
)


def _upload(name: str, text: str) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def _staged(name: str, text: str, user: User | None) -> str:
    from keel.platform.importing.staging import stage_upload

    return stage_upload(text.encode(), name, user) if user is not None else "0" * 32


def _soa_system(world: Any, user: User | None) -> str:
    from keel.platform.permissions import Perm, has_perm

    for ms in (world.a, world.b):
        if has_perm(user, Perm.EDIT_SOA, ms):
            return str(ms.short_name)
    return str(world.a.short_name)


def soa_page_upload(world: Any, user: User | None) -> dict[str, Any]:
    return {
        "file": _upload("soa.csv", SOA),
        "standard": "iso27001:2022",
        "management_system": _soa_system(world, user),
    }


def soa_page_confirm(world: Any, user: User | None) -> dict[str, Any]:
    return {
        "token": _staged("soa.csv", SOA, user),
        "standard": "iso27001:2022",
        "management_system": _soa_system(world, user),
        "action": "apply",
    }


def asset_page_upload(world: Any, user: User | None) -> dict[str, Any]:
    return {"file": _upload("assets.csv", ASSETS), "management_system": world.a.short_name}


def asset_page_confirm(world: Any, user: User | None) -> dict[str, Any]:
    return {
        "token": _staged("assets.csv", ASSETS, user),
        "management_system": world.a.short_name,
        "action": "apply",
    }


def crosswalk_page_upload(world: Any, user: User | None) -> dict[str, Any]:
    from keel.mapping.tests.matrix import KEY

    return {"file": _upload("cw.csv", CROSSWALK), "crosswalk": KEY}


def crosswalk_page_confirm(world: Any, user: User | None) -> dict[str, Any]:
    from keel.mapping.tests.matrix import KEY

    return {"token": _staged("cw.csv", CROSSWALK, user), "crosswalk": KEY, "action": "apply"}
