"""Pages of incidents: the done-when of issue 16 on the page (a serious harm-to-people incident
shows its deadline 15 days after awareness, 2 and 10 days in the special cases), the report form,
the actions on the incident page and the catalogue pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from keel.platform.choices import Role

from .. import catalogue
from ..models import Incident
from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("facts", "days"), [({}, 15), ({"widespread_or_critical": "on"}, 2), ({"death": "on"}, 10)]
)
def test_a_serious_harm_to_people_incident_shows_its_deadline_on_the_page(
    admin_client: Any, aims: Any, facts: dict[str, str], days: int
) -> None:
    catalogue.ensure_incident_catalogue()
    aware = timezone.localtime(timezone.now() - dt.timedelta(hours=2)).replace(second=0, microsecond=0)
    r = admin_client.post(
        reverse("incident-create"),
        {
            "incident_type": "ai-harm",
            "management_system": "aims",
            "title": "Applicant refused on a misread payslip",
            "severity": "high",
            "aware_at": aware.strftime("%Y-%m-%dT%H:%M"),
            "serious_ai_incident": "on",
            **facts,
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    incident = Incident.objects.get()
    assert incident.aware_at == aware
    html = admin_client.get(r["Location"]).content.decode()
    due = timezone.localtime(aware + dt.timedelta(days=days))
    assert "EU AI Act serious incident report" in html
    assert due.strftime("%-d %b %Y %H:%M") in html
    left = days * 24 - 3 if days else 0
    assert f"{left // 24} d {left % 24} h left" in html
    listed = admin_client.get(reverse("incident-list") + "?open_clocks=on").content.decode()
    assert incident.ref_id in listed and "left" in listed


def test_report_form_refuses_without_changing_anything(
    admin_client: Any, isms: Any, make_user: Any, login_client: Any
) -> None:
    catalogue.ensure_incident_catalogue()
    future = (timezone.localtime() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    r = admin_client.post(
        reverse("incident-create"),
        {
            "incident_type": "security-incident",
            "management_system": "isms",
            "title": "x",
            "severity": "low",
            "aware_at": future,
        },
    )
    assert r.status_code == 422 and "In the future." in r.content.decode()
    assert Incident.objects.count() == 0
    viewer = login_client(make_user(Role.VIEWER, isms))
    assert viewer.get(reverse("incident-create")).status_code == 403
    assert viewer.get(reverse("incident-list")).status_code == 200


def test_the_incident_page_actions(admin_client: Any, isms: Any) -> None:
    incident = f.incident(isms, personal_data_breach=True, aware_at=timezone.now() - dt.timedelta(days=4))
    url = reverse("incident-detail", args=[incident.ref_id])
    html = admin_client.get(url).content.decode()
    assert "badge-bad" in html and "overdue by" in html  # the GDPR clock, 72 hours, is past
    step = incident.steps.first()
    assert (
        admin_client.post(
            reverse("incident-step", args=[incident.ref_id, step.pk]), {"done": "1"}
        ).status_code
        == 302
    )
    clock = incident.clocks.get()
    r = admin_client.post(
        reverse("incident-clock-met", args=[incident.ref_id, clock.pk]), {"note": "ICO case 1"}
    )
    assert r.status_code == 302
    r = admin_client.post(
        reverse("incident-timeline", args=[incident.ref_id]), {"kind": "action", "text": "Wiped remotely."}
    )
    assert r.status_code == 302
    r = admin_client.post(reverse("incident-advance", args=[incident.ref_id]), {"to": "closed"})
    assert r.status_code == 422 and "post-incident review" in r.content.decode()
    r = admin_client.post(
        reverse("incident-review", args=[incident.ref_id]),
        {
            "review_what_happened": "Stolen.",
            "review_root_cause": "Left in car.",
            "review_lessons": "Encryption held.",
        },
    )
    assert r.status_code == 302
    assert (
        admin_client.post(reverse("incident-advance", args=[incident.ref_id]), {"to": "closed"}).status_code
        == 302
    )
    html = admin_client.get(url).content.decode()
    assert "Closed" in html and "ICO case 1" in html and "Wiped remotely." in html and "met late" in html
    edit = admin_client.get(reverse("incident-edit", args=[incident.ref_id]))
    assert edit.status_code == 200


def test_the_edit_page_sets_facts_and_the_clocks_follow(admin_client: Any, isms: Any) -> None:
    incident = f.incident(isms)
    page = admin_client.get(reverse("incident-edit", args=[incident.ref_id]))
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, False)}
    data["aware_at"] = timezone.localtime(incident.aware_at).strftime("%Y-%m-%dT%H:%M")
    data.update(nis2_significant="on", severity="high")
    r = admin_client.post(reverse("incident-edit", args=[incident.ref_id]), data)
    assert r.status_code == 302, r.content.decode()[:2000]
    assert incident.clocks.count() == 3


def test_catalogue_pages(admin_client: Any, org: Any, isms: Any, login_client: Any, make_user: Any) -> None:
    catalogue.ensure_incident_catalogue()
    assert "AI incident: harm to people" in admin_client.get(reverse("incident-type-list")).content.decode()
    assert (
        "10 days"
        in admin_client.get(
            reverse("incident-clock-detail", args=["ai-act-serious-incident"])
        ).content.decode()
    )
    r = admin_client.post(
        reverse("incident-clock-create"),
        {
            "name": "Lender notice",
            "regime": "contract",
            "starts_from": "awareness",
            "duration": "48",
            "unit": "hours",
            "order": "100",
        },
    )
    assert r.status_code == 302
    r = admin_client.post(
        reverse("incident-type-create"),
        {"name": "Lender incident", "family": "security", "clocks": ["lender-notice"], "order": "5"},
    )
    assert r.status_code == 302 and r["Location"].endswith("/incidents/types/lender-incident/")
    r = admin_client.post(
        reverse("incident-type-step-add", args=["lender-incident"]),
        {"stage": "contain", "text": "Call them.", "role": "Account manager"},
    )
    assert r.status_code == 302
    assert (
        "Call them."
        in admin_client.get(reverse("incident-type-detail", args=["lender-incident"])).content.decode()
    )
    r = admin_client.post(
        reverse("incident-clock-variant-add", args=["lender-notice"]),
        {"condition": "death", "duration": "12", "unit": "hours"},
    )
    assert r.status_code == 302
    r = admin_client.post(
        reverse("incident-clock-variant-add", args=["lender-notice"]),
        {"condition": "death", "duration": "6", "unit": "hours"},
    )
    assert r.status_code == 422 and "Already set." in r.content.decode()
    manager = login_client(make_user(Role.COMPLIANCE_MANAGER, isms))  # over one system only
    assert (
        manager.post(reverse("incident-type-create"), {"name": "x", "family": "ai", "order": "1"}).status_code
        == 403
    )
    assert manager.get(reverse("incident-type-list")).status_code == 200
