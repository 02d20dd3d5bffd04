"""The register of legal, regulatory and contractual requirements, the commitments API, and the
documents that inform interested parties about an AI system: services, API and pages."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from keel.aisystems.tests import factories as ai
from keel.controls import services as controls
from keel.controls.models import Control
from keel.documents.tests import factories as docs
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.errors import Conflict, PermissionDenied, ValidationFailed
from keel.platform.models import TrailEntry
from keel.support import legal, queries
from keel.support.hooks import legal_reviews_due
from keel.support.models import LegalRequirement, SystemDocument

from . import factories as f

pytestmark = pytest.mark.django_db
API = "/api/v1"


def control(ms: Any, title: str = "Encryption at rest") -> Control:
    return controls.create_control(
        f.SYSTEM, title=title, type="technical", frequency="continuous", management_systems=[ms.pk]
    )


def gdpr(ms: Any, **kw: Any) -> LegalRequirement:
    data: dict[str, Any] = {
        "title": "Security of processing",
        "kind": "regulation",
        "jurisdiction": "EU",
        "source": "GDPR Art. 32",
        "summary": "Protect personal data with measures suited to the risk.",
        **kw,
    }
    return legal.create_legal_requirement(f.SYSTEM, management_system=ms.short_name, **data)


def send(client: Client, path: str, body: Any = None, method: str = "POST", **headers: Any) -> Any:
    return client.generic(
        method, API + path, json.dumps(body or {}), content_type="application/json", **headers
    )


# ---------------------------------------------------------------- services


def test_a_requirement_records_its_source_links_and_trail(isms: Any, make_user: Any) -> None:
    kc = control(isms)
    owner = make_user()
    lr = gdpr(isms, owner=owner.email, controls=[kc.ref_id], requirements=["iso27001:2022:A.5.34"])
    assert lr.ref_id == "LR-001" and lr.owner == owner and lr.status == "applicable"
    assert [c.ref_id for c in lr.controls.all()] == [kc.ref_id]
    assert [r.key for r in lr.requirements.all()] == ["iso27001:2022:A.5.34"]
    entries = TrailEntry.objects.filter(object_id=str(lr.pk))
    assert entries.count() == 2  # created, then linked
    assert gdpr(isms, title="UK GDPR").ref_id == "LR-002"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"controls": ["KC-999"]}, "controls", "No control KC-999"),
        ({"requirements": ["iso42001:2023:A.8.2"]}, "requirements", "does not cover iso42001"),
        ({"requirements": ["nonsense"]}, "requirements", "No requirement"),
        ({"kind": "treaty"}, "kind", "kind"),
        ({"standards": ["iso42001:2023"]}, "standards", "does not cover"),
    ],
)
def test_a_bad_requirement_is_refused_and_nothing_is_saved(
    isms: Any, data: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ValidationFailed, match=message) as exc:
        gdpr(isms, **data)
    assert field in exc.value.fields
    assert not LegalRequirement.objects.exists()


def test_a_control_of_another_system_is_refused(isms: Any, aims: Any) -> None:
    other = control(aims)
    with pytest.raises(ValidationFailed, match="not a control of isms"):
        gdpr(isms, controls=[other.ref_id])
    assert not LegalRequirement.objects.exists()


def test_only_an_editor_changes_it_and_a_stale_version_is_a_conflict(isms: Any, make_user: Any) -> None:
    lr = gdpr(isms)
    kc = control(isms)
    viewer = Actor.for_user(make_user(Role.VIEWER, isms), "web")
    with pytest.raises(PermissionDenied):
        legal.update_legal_requirement(viewer, lr.pk, title="x")
    with pytest.raises(PermissionDenied):
        legal.create_legal_requirement(
            viewer, management_system="isms", title="t", kind="law", source="s", summary="s"
        )
    with pytest.raises(Conflict):
        legal.update_legal_requirement(f.SYSTEM, lr.pk, expected_version="stale", title="x")
    legal.update_legal_requirement(f.SYSTEM, lr.ref_id, controls=[kc.ref_id], status="retired")
    lr.refresh_from_db()
    assert lr.status == "retired" and lr.title == "Security of processing"
    assert list(lr.controls.all()) == [kc]
    last = TrailEntry.objects.filter(object_id=str(lr.pk)).order_by("-pk").first()
    assert last is not None and json.loads(last.payload)["changes"]["controls"] == [[], [kc.ref_id]]


def test_review_dates_feed_the_reminders(isms: Any, make_user: Any) -> None:
    owner = make_user()
    today = timezone.localdate()
    gdpr(isms, owner=owner.email, review_on=today - dt.timedelta(days=2))
    gdpr(isms, title="Later", review_on=today + dt.timedelta(days=60))
    gdpr(isms, title="Retired", review_on=today, status="retired")
    due = list(legal_reviews_due(None, today, dt.timedelta(days=14)))
    assert [d.title for d in due] == ["Security of processing (LR-001)"]
    assert due[0].person_id == owner.pk and due[0].overdue(today)


# ---------------------------------------------------------------- API


def test_legal_requirements_through_the_api(admin_client: Client, isms: Any) -> None:
    kc = control(isms)
    body = {
        "management_system": "isms",
        "title": "Lender security schedule",
        "kind": "contract",
        "source": "MSA Schedule 4",
        "summary": "Encrypt lender data; tell them of incidents within 24 hours.",
        "controls": [kc.ref_id],
        "requirements": ["iso27001:2022:A.5.20"],
        "standards": ["iso27001:2022"],
    }
    r = send(admin_client, "/legal-requirements", body)
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["ref_id"] == "LR-001" and out["controls"] == [kc.ref_id]
    assert out["requirements"] == ["iso27001:2022:A.5.20"] and out["kind"] == "contract"
    lst = admin_client.get(API + "/legal-requirements?kind=contract").json()
    assert lst["count"] == 1
    assert admin_client.get(API + "/legal-requirements?kind=law").json()["count"] == 0
    assert admin_client.get(API + "/legal-requirements?kind=treaty").status_code == 422
    r = send(admin_client, "/legal-requirements/LR-001", {"controls": [], "version": out["version"]}, "PATCH")
    assert r.status_code == 200 and r.json()["controls"] == []
    assert send(admin_client, "/legal-requirements/LR-001", {"title": None}, "PATCH").status_code == 422
    bad = send(admin_client, "/legal-requirements", {**body, "controls": ["KC-404"]})
    assert bad.status_code == 422 and "KC-404" in bad.content.decode()


def test_legal_requirements_api_refuses_a_viewer(login_client: Any, make_user: Any, isms: Any) -> None:
    client = login_client(make_user(Role.VIEWER, isms))
    r = send(
        client,
        "/legal-requirements",
        {"management_system": "isms", "title": "t", "kind": "law", "source": "s", "summary": "s"},
    )
    assert r.status_code == 403
    assert client.get(API + "/legal-requirements").status_code == 200


def test_commitments_through_the_api(admin_client: Client, admin: Any, isms: Any) -> None:
    body = {
        "management_system": "isms",
        "decision": "Fund a second security engineer",
        "decided_on": "2026-03-01",
        "decided_by": admin.email,
        "standards": ["iso27001:2022"],
    }
    r = send(admin_client, "/commitments", body)
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["decided_by"] == admin.email and out["decision"] == "Fund a second security engineer"
    assert admin_client.get(API + "/commitments").json()["count"] == 1
    assert admin_client.get(API + f"/commitments/{out['id']}").json()["minutes"] == ""
    r = send(
        admin_client,
        f"/commitments/{out['id']}",
        {"minutes": "Board, March", "version": out["version"]},
        "PATCH",
    )
    assert r.status_code == 200 and r.json()["minutes"] == "Board, March"
    assert send(admin_client, "/commitments", {**body, "decided_by": "nobody@example.com"}).status_code == 422


# ---------------------------------------------------------------- pages


def test_the_pages_list_show_create_and_edit(admin_client: Client, admin: Any, isms: Any) -> None:
    kc = control(isms)
    r = admin_client.post(
        reverse("legal-requirement-create"),
        {
            "management_system": "isms",
            "title": "UK GDPR",
            "kind": "law",
            "jurisdiction": "UK",
            "source": "UK GDPR Art. 22",
            "summary": "People may ask for a human to look at an automated decision.",
            "owner": admin.email,
            "controls": kc.ref_id,
            "requirements": "iso27001:2022:A.5.34",
            "status": "applicable",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    page = admin_client.get(reverse("legal-requirement-detail", args=["LR-001"])).content.decode()
    assert "UK GDPR Art. 22" in page and kc.ref_id in page and "iso27001:2022:A.5.34" in page
    listing = admin_client.get(reverse("legal-requirement-list")).content.decode()
    assert "LR-001" in listing and "UK GDPR" in listing
    edit = admin_client.get(reverse("legal-requirement-edit", args=["LR-001"])).content.decode()
    assert kc.ref_id in edit
    r = admin_client.post(
        reverse("legal-requirement-create"),
        {
            "management_system": "isms",
            "title": "x",
            "kind": "law",
            "source": "s",
            "summary": "s",
            "status": "applicable",
            "controls": "KC-404",
        },
    )
    assert r.status_code == 422 and "KC-404" in r.content.decode()
    assert queries.legal_requirements(None).count() == 1


# ---------------------------------------------------------------- documents about AI systems


def test_a_document_linked_to_an_ai_system_shows_on_its_page(
    admin_client: Client, admin: Any, aims: Any, make_user: Any
) -> None:
    system = ai.ai_system(aims)
    doc = docs.approved_policy(admin, make_user(Role.ADMIN), [aims], title="Model card summary")
    link = legal.link_document(f.SYSTEM, system.short_name, doc.ref_id, "model_card", "At onboarding")
    with pytest.raises(Conflict):
        legal.link_document(f.SYSTEM, system.short_name, doc.ref_id, "model_card")
    with pytest.raises(ValidationFailed):
        legal.link_document(f.SYSTEM, system.short_name, "DOC-999", "model_card")
    with pytest.raises(ValidationFailed):
        legal.link_document(f.SYSTEM, system.short_name, doc.ref_id, "gossip")
    viewer = Actor.for_user(make_user(Role.VIEWER, aims), "web")
    with pytest.raises(PermissionDenied):
        legal.unlink_document(viewer, link.pk)
    page = admin_client.get(reverse("ai-system-detail", args=[system.short_name])).content.decode()
    assert "Information for interested parties" in page and doc.ref_id in page and "A.8.5" in page
    r = admin_client.post(reverse("ai-system-document-unlink", args=[link.pk]))
    assert r.status_code == 302 and not SystemDocument.objects.exists()
    r = admin_client.post(
        reverse("ai-system-document-link", args=[system.short_name]),
        {"document": doc.ref_id, "purpose": "user_notice"},
    )
    assert r.status_code == 302 and SystemDocument.objects.get().purpose == "user_notice"
