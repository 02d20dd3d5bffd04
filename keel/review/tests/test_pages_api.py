"""Pages and API of management review: render, form posts, the frozen minutes (HTML and PDF)
that do not change when the data does, the API's shape, errors and permissions."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from keel.organisation.models import ContextIssue
from keel.platform.choices import Role
from keel.review import services
from keel.review.models import ReviewAction
from keel.support.tests import factories as support

from . import factories as f

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _minutes(page: bytes) -> str:
    text = page.decode()
    return text[text.index('<article class="card prose" id="minutes">') : text.index("</article>")]


@pytest.fixture
def manager(make_user: Any) -> Any:
    return make_user(Role.COMPLIANCE_MANAGER)


@pytest.fixture
def web(manager: Any) -> Client:
    c = Client()
    c.force_login(manager)
    return c


def test_plan_hold_decide_and_approve_through_the_pages(
    web: Client, manager: Any, isms: Any, aims: Any
) -> None:
    r = web.post(
        reverse("management-review-create"),
        {
            "held_on": (TODAY - dt.timedelta(days=1)).isoformat(),
            "management_systems": ["isms", "aims"],
            "chair": manager.email,
        },
    )
    assert r.status_code == 302
    ref = r["Location"].rstrip("/").split("/")[-1]
    page = web.get(reverse("management-review-detail", args=[ref]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Live figures" in body and "Both standards" in body and "ISO/IEC 42001" in body
    assert web.post(reverse("management-review-hold", args=[ref]), {}).status_code == 302
    item = services.get_review(ref).items.get(position=2)
    from keel.platform.concurrency import version_of

    web.post(
        reverse("review-item-notes", args=[ref, 2]),
        {"notes": "Regulatory change noted.", "version": version_of(item)},
    )
    web.post(
        reverse("review-decision-add", args=[ref]),
        {"text": "Keep one integrated review a year.", "item": "2"},
    )
    web.post(
        reverse("review-action-add", args=[ref]),
        {
            "title": "Brief the board",
            "owner": manager.email,
            "due_on": (TODAY + dt.timedelta(days=30)).isoformat(),
            "decision": "1",
        },
    )
    action = ReviewAction.objects.get()
    assert action.decision is not None
    assert web.post(reverse("management-review-approve", args=[ref])).status_code == 302
    review = services.get_review(ref)
    assert review.status == "approved" and review.items.get(position=2).notes == "Regulatory change noted."
    detail = web.get(reverse("management-review-detail", args=[ref])).content.decode()
    assert "Frozen at the meeting" in detail
    assert web.get(reverse("review-action-list")).status_code == 200
    assert web.get(reverse("review-action-detail", args=[action.ref_id])).status_code == 200
    r = web.post(
        reverse("review-action-status", args=[action.ref_id]),
        {"status": "done", "outcome": "", "version": version_of(action)},
    )
    assert r.status_code == 422 and "what was done" in r.content.decode()
    assert web.get(reverse("management-review-list") + "?status=approved").status_code == 200


def test_the_minutes_do_not_change_when_the_data_later_does(
    web: Client, manager: Any, isms: Any, org: Any
) -> None:
    support.objective(isms)
    review = f.held([isms], manager)
    services.add_decision(f.SYSTEM, review.ref_id, text="Agree the targets for next year.")
    url = reverse("management-review-minutes", args=[review.ref_id])
    before = _minutes(web.get(url).content)
    assert "Frozen at the meeting" in before and "Agree the targets" in before
    ContextIssue.objects.create(
        organisation=org, title="New law", description="x", kind="external", category="legal"
    )
    support.objective(isms, title="Second objective")
    services.create_review(f.SYSTEM, management_systems=["isms"], held_on=TODAY, chair=manager.email)
    after = _minutes(web.get(url).content)
    assert after == before  # the page around it carries a fresh nonce; the minutes are identical
    pdf = web.get(reverse("management-review-pdf", args=[review.ref_id]))
    assert (
        pdf.status_code == 200
        and pdf["Content-Type"] == "application/pdf"
        and pdf.content.startswith(b"%PDF")
    )


def test_api_shape_errors_and_permissions(web: Client, manager: Any, isms: Any, make_user: Any) -> None:
    r = web.post(
        "/api/v1/management-reviews",
        json.dumps(
            {
                "management_systems": ["isms"],
                "held_on": (TODAY - dt.timedelta(days=2)).isoformat(),
                "chair": manager.email,
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    data = r.json()
    ref = data["ref_id"]
    assert len(data["agenda"]) == 13 and {a["tag"] for a in data["agenda"]} == {"both", "27001", "42001"}
    assert all(a["figures"]["summary"] and not a["frozen"] for a in data["agenda"])
    assert (
        web.post(f"/api/v1/management-reviews/{ref}/hold", "{}", content_type="application/json").status_code
        == 200
    )
    again = web.post(f"/api/v1/management-reviews/{ref}/hold", "{}", content_type="application/json")
    assert again.status_code == 409 and "already held" in again.json()["error"]["message"]
    items = web.get(f"/api/v1/review-items?review={ref}&tag=42001").json()
    assert items["count"] == 2 and all(i["frozen"] for i in items["items"])
    bad = web.post(
        "/api/v1/review-actions",
        json.dumps({"review": ref, "title": "x", "owner": manager.email, "due_on": "2000-01-01"}),
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["error"]["fields"] == {"due_on": ["Before the review."]}
    ok = web.post(
        "/api/v1/review-actions",
        json.dumps(
            {"review": ref, "title": "Fund the red team", "owner": manager.email, "due_on": TODAY.isoformat()}
        ),
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["status"] == "open"
    assert web.get("/api/v1/review-actions?overdue=false").json()["count"] == 1
    viewer = Client()
    viewer.force_login(make_user(Role.VIEWER))
    assert viewer.get(f"/api/v1/management-reviews/{ref}").status_code == 200
    denied = viewer.patch(
        f"/api/v1/review-actions/{ok.json()['ref_id']}",
        json.dumps({"status": "cancelled"}),
        content_type="application/json",
    )
    assert denied.status_code == 403
