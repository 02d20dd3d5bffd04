"""Evidence records for the permission matrix: a file evidence of management system A linked to
the matrix control and a requirement (EV-900), and a link evidence of A with no links (EV-901),
made on demand through the services (files go to the test's temporary evidence folder)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from keel.evidence import services
from keel.evidence.models import Evidence
from keel.platform.actor import Actor
from keel.platform.models import User
from keel.platform.permissions import Perm, has_perm, system_ids_with

from . import controls_world as cw
from .permission_world import World

FILE_REF = "EV-900"
LINK_REF = "EV-901"
SYSTEM = Actor.system("matrix")


def file_a(world: World) -> Evidence:
    evidence = Evidence.objects.filter(ref_id=FILE_REF).first()
    if evidence is None:
        evidence = services.create_evidence(
            SYSTEM,
            ref_id=FILE_REF,
            title="Supplier assessment record",
            kind="file",
            version=services.NewVersion(
                file=SimpleUploadedFile("assessment.csv", b"supplier,score\nacme,4\n")
            ),
            management_systems=[world.a.pk],
            controls=[cw.control_a(world).ref_id],
            requirements=[cw.LINKED],
        )
    return evidence


def link_a(world: World) -> Evidence:
    evidence = Evidence.objects.filter(ref_id=LINK_REF).first()
    if evidence is None:
        cw.control_a(world)
        evidence = services.create_evidence(
            SYSTEM,
            ref_id=LINK_REF,
            title="Supplier portal",
            kind="link",
            version=services.NewVersion(url="https://suppliers.example.com/acme"),
            management_systems=[world.a.pk],
        )
    return evidence


def file_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"ref": file_a(world).ref_id}


def link_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"ref": link_a(world).ref_id}


def download_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"ref": file_a(world).ref_id, "number": 1}


def editable_system(world: World, user: User | None) -> str:
    for ms in (world.a, world.b):
        if has_perm(user, Perm.EDIT_EVIDENCE, ms):
            return ms.short_name
    return world.a.short_name


def new_link_form(world: World, user: User | None) -> dict[str, Any]:
    return {
        "kind": "link",
        "title": "Pentest ticket",
        "url": "https://tickets.example.com/SEC-1",
        "management_systems": [editable_system(world, user)],
    }


def new_version_form(world: World, user: User | None) -> dict[str, Any]:
    file_a(world)
    return {
        "file": SimpleUploadedFile("assessment-v2.csv", b"supplier,score\nacme,5\n"),
        "note": "Re-assessed",
    }


def upload_form(world: World, user: User | None) -> dict[str, Any]:
    return {
        "title": "Pentest report",
        "management_systems": [world.a.short_name],
        "file": SimpleUploadedFile("pentest.txt", b"0 critical findings\n"),
    }


def only_visible_evidence(world: World, user: User, body: Any) -> None:
    refs = {i["ref_id"] for i in body["items"]}
    visible = system_ids_with(user, Perm.VIEW)
    sees_a = visible is None or world.a.pk in visible
    assert (FILE_REF in refs) == sees_a, f"{user.email} listed {refs}; sees system A: {sees_a}"
