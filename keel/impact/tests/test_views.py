"""Pages of the impact assessment: start from the AI system page, edit, add an impact, approve,
raise to risk; what the AI system page, the risk page and the dashboard show."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from keel.aisystems.tests import factories as af
from keel.impact.models import ImpactAssessment
from keel.organisation.models import ManagementSystem
from keel.platform.choices import Role
from keel.platform.models import User
from keel.risks.models import Risk
from keel.risks.tests import factories as rf

from . import factories as f

pytestmark = pytest.mark.django_db


def test_the_pages_take_an_assessment_from_start_to_a_raised_risk(
    admin_client: Client,
    aims: ManagementSystem,
    make_user: Callable[..., User],
    login_client: Callable[[User], Client],
) -> None:
    rf.methodology()
    system = af.ai_system(aims, purpose="Scores applicants.")
    page = admin_client.get(reverse("ai-system-detail", args=[system.short_name])).content.decode()
    assert "Start assessment" in page and "No impact assessment yet" in page
    # Start
    r = admin_client.post(reverse("impact-assessment-start", args=[system.short_name]))
    a = ImpactAssessment.objects.get(ai_system=system)
    assert r.status_code == 302 and r["Location"] == reverse("impact-assessment-edit", args=[a.pk])
    # Edit sections (prefilled)
    form = admin_client.get(r["Location"]).content.decode()
    assert "Scores applicants." in form
    r = admin_client.post(
        reverse("impact-assessment-edit", args=[a.pk]),
        {"scope": "Scoring in the EU", "purpose": "Scores applicants.", "trigger_new_model": "on"},
    )
    assert r.status_code == 302
    a.refresh_from_db()
    assert a.scope == "Scoring in the EU" and a.trigger_new_model and not a.trigger_stage_change
    # Add an impact; a bad rating is shown on the form
    url = reverse("impact-create", args=[a.pk])
    data = {**f.HARM, "occurrence": "potential"}
    assert admin_client.post(url, {**data, "severity": "9"}).status_code == 422
    assert admin_client.post(url, data).status_code == 302
    # Approve
    r = admin_client.post(reverse("impact-assessment-approve", args=[a.pk]), {"note": "mine"}, follow=True)
    assert "someone else" in r.content.decode()
    a.refresh_from_db()
    assert a.status == "draft"
    reviewer = login_client(make_user(Role.ADMIN))
    reviewer.post(reverse("impact-assessment-approve", args=[a.pk]), {"note": "ok"})
    a.refresh_from_db()
    assert a.status == "approved"
    detail = admin_client.get(reverse("impact-assessment-detail", args=[a.pk])).content.decode()
    assert "Raise as AI risk" in detail and "Add impact" not in detail
    # Raise to risk: the risk page shows the impact, the assessment shows the risk
    impact = a.impacts.get()
    r = admin_client.post(reverse("impact-raise-risk", args=[a.pk, impact.pk]))
    risk = Risk.objects.get(impact=impact)
    assert r["Location"] == reverse("risk-detail", args=[risk.ref_id])
    assert impact.title in admin_client.get(r["Location"]).content.decode()
    assert risk.ref_id in admin_client.get(reverse("impact-assessment-detail", args=[a.pk])).content.decode()


def test_a_due_reassessment_shows_on_the_system_page_and_the_dashboard(
    admin_client: Client, aims: ManagementSystem
) -> None:
    system = af.ai_system(aims)
    a = f.approved(system)
    ImpactAssessment.objects.filter(pk=a.pk).update(due=True, due_reason="New model: model x was added")
    page = admin_client.get(reverse("ai-system-detail", args=[system.short_name])).content.decode()
    assert "Re-assessment due" in page and "Start re-assessment" in page
    dash = admin_client.get(reverse("dashboard")).content.decode()
    assert 'id="impact-due-count">1<' in dash and "model x was added" in dash


def test_an_approved_version_has_no_edit_page(admin_client: Client, aims: ManagementSystem) -> None:
    a = f.approved(af.ai_system(aims))
    r = admin_client.post(reverse("impact-assessment-edit", args=[a.pk]), {"scope": "changed"})
    assert r.status_code == 422
    a.refresh_from_db()
    assert a.scope != "changed"
