"""The evidence API: list with filters (fixed query count), create links (JSON) and files
(multipart), detail with versions, update, withdraw, versions, downloads and links."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from keel.controls import services as controls
from keel.evidence import queries
from keel.evidence.models import Evidence
from keel.organisation.models import ManagementSystem
from keel.platform.choices import Role
from keel.platform.models import User

from .factories import SYSTEM, file_evidence, link_evidence, new_file_version

pytestmark = pytest.mark.django_db
API = "/api/v1/evidence"


def _json(client: Client, method: str, url: str, body: Any = None) -> Any:
    return client.generic(
        method, url, json.dumps(body) if body is not None else "", content_type="application/json"
    )


def test_create_a_link_as_json(admin_client: Client, isms: ManagementSystem) -> None:
    control = controls.create_control(SYSTEM, title="Monitoring", type="technical", frequency="continuous")
    r = _json(
        admin_client,
        "POST",
        API,
        {
            "title": "Uptime status page",
            "url": "https://status.example.com",
            "management_systems": [isms.short_name],
            "controls": [control.ref_id],
            "requirements": ["iso27001:2022:A.8.16"],
            "valid_until": (queries.today() + dt.timedelta(days=90)).isoformat(),
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["ref_id"] == "EV-001" and body["kind"] == "link" and body["validity"] == "valid"
    assert body["controls"] == [control.ref_id] and body["versions"][0]["download"] is None


def test_a_javascript_link_is_refused_with_the_error_format(admin_client: Client) -> None:
    r = _json(admin_client, "POST", API, {"title": "X", "url": "javascript:alert(1)"})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "validation_error" and "url" in r.json()["error"]["fields"]


def test_upload_a_file_multipart_then_download_it(admin_client: Client, isms: ManagementSystem) -> None:
    content = b"%PDF-1.4 model evaluation report\n"
    r = admin_client.post(
        f"{API}/upload",
        {
            "title": "Model evaluation report",
            "management_systems": [isms.short_name],
            "requirements": ["iso42001:2023:A.6.2.4"],
            "file": SimpleUploadedFile("eval.pdf", content, content_type="application/pdf"),
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["sha256"] == hashlib.sha256(content).hexdigest() and body["size"] == len(content)
    url = body["versions"][0]["download"]
    assert url == f"{API}/{body['ref_id']}/versions/1/download"
    dl = admin_client.get(url)
    assert dl.status_code == 200 and b"".join(dl.streaming_content) == content  # type: ignore[attr-defined]
    assert dl["Content-Type"] == "application/pdf"
    assert dl["Content-Disposition"] == 'attachment; filename="eval.pdf"'
    assert dl["X-Content-Type-Options"] == "nosniff"
    assert dl["X-Checksum-SHA256"] == body["sha256"]
    assert dl["Digest"].startswith("sha-256=")


def test_upload_over_the_limit_is_refused(admin_client: Client, settings: Any) -> None:
    settings.KEEL_EVIDENCE_MAX_BYTES = 100
    r = admin_client.post(
        f"{API}/upload", {"title": "Big", "file": SimpleUploadedFile("big.bin", b"x" * 101)}
    )
    assert r.status_code == 422 and "KEEL_EVIDENCE_MAX_BYTES" in r.json()["error"]["message"]
    assert not Evidence.objects.exists()


def test_versions_are_added_listed_and_kept(admin_client: Client, isms: ManagementSystem) -> None:
    ev = file_evidence([isms], content=b"one")
    r = admin_client.post(
        f"{API}/{ev.ref_id}/versions/upload", {"file": SimpleUploadedFile("two.csv", b"two"), "note": "Q2"}
    )
    assert r.status_code == 201 and r.json()["number"] == 2 and r.json()["note"] == "Q2"
    versions = admin_client.get(f"{API}/{ev.ref_id}/versions").json()
    assert [v["number"] for v in versions] == [2, 1]
    assert (
        admin_client.get(f"{API}/{ev.ref_id}/versions/1").json()["sha256"]
        == hashlib.sha256(b"one").hexdigest()
    )
    link = link_evidence([isms])
    r = _json(admin_client, "POST", f"{API}/{link.ref_id}/versions", {"url": "https://status.example.com/v2"})
    assert r.status_code == 201 and r.json()["url"] == "https://status.example.com/v2"
    r = _json(admin_client, "POST", f"{API}/{ev.ref_id}/versions", {"url": "https://x.example.com"})
    assert r.status_code == 422  # a file evidence takes files


def test_update_and_withdraw(admin_client: Client, isms: ManagementSystem) -> None:
    ev = link_evidence([isms])
    r = _json(admin_client, "PATCH", f"{API}/{ev.ref_id}", {"title": "Status page (public)"})
    assert r.status_code == 200 and r.json()["title"] == "Status page (public)"
    assert admin_client.delete(f"{API}/{ev.ref_id}?reason=Replaced").status_code == 204
    assert admin_client.get(API).json()["count"] == 0
    assert admin_client.get(f"{API}?status=withdrawn").json()["items"][0]["status"] == "withdrawn"
    assert _json(admin_client, "PATCH", f"{API}/{ev.ref_id}", {"title": "Again"}).status_code == 409


def test_link_endpoints(admin_client: Client, isms: ManagementSystem) -> None:
    control = controls.create_control(SYSTEM, title="Backups", type="technical", frequency="daily")
    ev = link_evidence([isms])
    assert (
        _json(admin_client, "POST", f"{API}/{ev.ref_id}/controls", {"control": control.ref_id}).status_code
        == 201
    )
    assert (
        _json(admin_client, "POST", f"{API}/{ev.ref_id}/controls", {"control": control.ref_id}).status_code
        == 409
    )
    r = _json(
        admin_client, "POST", f"{API}/{ev.ref_id}/requirements", {"requirement": "iso27001:2022:A.8.13"}
    )
    assert r.status_code == 201 and r.json()["requirements"] == ["iso27001:2022:A.8.13"]
    assert admin_client.delete(f"{API}/{ev.ref_id}/controls/{control.ref_id}").status_code == 204
    assert admin_client.delete(f"{API}/{ev.ref_id}/requirements/iso27001:2022:A.8.13").status_code == 204
    assert admin_client.get(f"{API}/{ev.ref_id}").json()["controls"] == []


def test_list_filters(admin_client: Client, isms: ManagementSystem, aims: ManagementSystem) -> None:
    today = queries.today()
    control = controls.create_control(SYSTEM, title="Suppliers", type="process", frequency="annually")
    file_evidence(
        [isms],
        title="Expired DPA",
        collected_on=today - dt.timedelta(days=800),
        valid_until=today - dt.timedelta(days=3),
        controls=[control.ref_id],
    )
    link_evidence(
        [aims],
        title="Model card",
        valid_until=today + dt.timedelta(days=5),
        requirements=["iso42001:2023:A.6.2.4"],
    )
    link_evidence([isms], title="Policy page")

    def titles(query: str) -> list[str]:
        r = admin_client.get(f"{API}?{query}")
        assert r.status_code == 200, r.content
        return [i["title"] for i in r.json()["items"]]

    assert titles("validity=expired") == ["Expired DPA"]
    assert titles("validity=expiring") == ["Model card"]
    assert titles("validity=no_expiry") == ["Policy page"]
    assert titles(f"control={control.ref_id}") == ["Expired DPA"]
    assert titles("requirement=iso42001:2023:A.6.2.4") == ["Model card"]
    assert titles(f"management_system={aims.short_name}") == ["Model card"]
    assert titles("kind=file") == ["Expired DPA"]
    assert titles("q=card") == ["Model card"]
    assert titles("order=valid_until") == ["Expired DPA", "Model card", "Policy page"]
    assert admin_client.get(f"{API}?validity=soon").status_code == 422


def test_list_runs_a_fixed_number_of_queries(admin_client: Client, isms: ManagementSystem) -> None:
    control = controls.create_control(SYSTEM, title="C", type="process", frequency="annually")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert admin_client.get(API).status_code == 200
        return len(ctx.captured_queries)

    file_evidence([isms], controls=[control.ref_id], requirements=["iso27001:2022:A.5.1"])
    small = count()
    for i in range(6):
        link_evidence([isms], title=f"L{i}", controls=[control.ref_id], requirements=["iso27001:2022:A.5.2"])
        new_file_version(file_evidence([isms], title=f"F{i}"), b"v2")
    assert count() == small


def test_a_role_on_system_b_cannot_read_or_download_system_a_evidence(
    make_user: Callable[..., User],
    login_client: Callable[[User], Client],
    isms: ManagementSystem,
    aims: ManagementSystem,
) -> None:
    ev = file_evidence([isms], content=b"A only")
    b_admin = login_client(make_user(Role.ADMIN, aims))
    assert b_admin.get(f"{API}/{ev.ref_id}/versions/1/download").status_code == 403
    assert b_admin.get(f"{API}/{ev.ref_id}").status_code == 403
    assert b_admin.get(API).json()["count"] == 0
    a_viewer = login_client(make_user(Role.VIEWER, isms))
    assert a_viewer.get(f"{API}/{ev.ref_id}/versions/1/download").status_code == 200
    assert _json(a_viewer, "PATCH", f"{API}/{ev.ref_id}", {"title": "x"}).status_code == 403
