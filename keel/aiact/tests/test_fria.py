"""The fundamental rights impact assessment (Art. 27): who needs one, pre-filled from the AI
system impact assessment, completing it and the notification, the API and the pages."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from keel.aiact import fria, services
from keel.aiact.models import FundamentalRightsAssessment
from keel.aisystems.tests import factories as af
from keel.impact.tests import factories as imp
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.errors import Conflict, PermissionDenied, ValidationFailed
from keel.platform.models import TrailEntry

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")
API = "/api/v1"
FULL = {
    "processes": "Consumer loan decisions.",
    "period_of_use": "Every application, for three years.",
    "affected_people": "Loan applicants.",
    "risks_of_harm": "Thin-file applicants scored lower.",
    "oversight_measures": "A credit officer reviews each refusal.",
    "mitigation": "Roll back the model; tell the lenders.",
    "complaints": "Human review on request; complaints desk.",
}


def credit(aims: Any, role: str = "deployer") -> Any:
    system = af.ai_system(aims, human_oversight="A credit officer reviews each refusal.")
    services.classify_system(SYSTEM, system, role=role, answers={"eu_use": True, "annex3_5b": True})
    return system


def test_who_needs_one(aims: Any) -> None:
    deployer = services.current_classification(credit(aims))
    assert fria.needed(deployer) and fria.applies_to_use(deployer)
    provider_system = af.ai_system(aims, short_name="helix")
    provider = services.classify_system(
        SYSTEM, provider_system, role="provider", answers={"eu_use": True, "annex3_5b": True}
    )
    assert not fria.needed(provider) and fria.applies_to_use(provider)
    hr = af.ai_system(aims, short_name="cv")
    recruiting = services.classify_system(
        SYSTEM, hr, role="deployer", answers={"eu_use": True, "annex3_4a": True}
    )
    assert not fria.needed(recruiting)
    public = services.classify_system(
        SYSTEM, hr, role="deployer", answers={"eu_use": True, "annex3_4a": True, "public_body": True}
    )
    assert fria.needed(public) == bool(public.public_body)
    assert not fria.needed(None)


def test_it_starts_from_the_impact_assessment_and_completes_only_when_every_element_is_written(
    aims: Any,
) -> None:
    system = credit(aims)
    basis = imp.approved(system)
    record = fria.start(SYSTEM, system.short_name, period_of_use="Every application.")
    assert record.impact_assessment == basis and record.status == "draft"
    assert (
        "Older applicants scored lower" in record.risks_of_harm
        and "Applicants over 60" in record.risks_of_harm
    )
    assert "Monthly fairness-gap check" in record.mitigation
    assert record.oversight_measures == "A credit officer reviews each refusal."
    assert record.period_of_use == "Every application."
    assert "complaints" in record.missing()
    with pytest.raises(Conflict):
        fria.start(SYSTEM, system.short_name)
    with pytest.raises(ValidationFailed, match="still empty") as exc:
        fria.update(SYSTEM, system.short_name, status="complete")
    assert "complaints" in exc.value.fields
    with pytest.raises(ValidationFailed, match="complete it first"):
        fria.update(SYSTEM, system.short_name, notified_on=dt.date.today())
    record.refresh_from_db()
    assert record.status == "draft" and record.notified_on is None
    fria.update(SYSTEM, system.short_name, **FULL, status="complete")
    with pytest.raises(ValidationFailed, match="future"):
        fria.update(SYSTEM, system.short_name, notified_on=timezone.localdate() + dt.timedelta(days=2))
    done = fria.update(SYSTEM, record.pk, notified_on=timezone.localdate().isoformat())
    assert done.status == "complete" and done.completed_on == timezone.localdate()
    assert done.notified_on == timezone.localdate()
    changes = [
        json.loads(e.payload)["changes"]
        for e in TrailEntry.objects.filter(object_id=str(record.pk)).order_by("seq")
    ]
    assert len(changes) == 3 and changes[-1]["notified_on"][1] == timezone.localdate().isoformat()


def test_only_an_editor_of_the_system_writes_it_and_a_stale_version_is_a_conflict(
    aims: Any, make_user: Any
) -> None:
    system = credit(aims)
    viewer = Actor.for_user(make_user(Role.VIEWER, aims), "web")
    with pytest.raises(PermissionDenied):
        fria.start(viewer, system.short_name)
    assert not FundamentalRightsAssessment.objects.exists()
    fria.start(SYSTEM, system.short_name)
    with pytest.raises(PermissionDenied):
        fria.update(viewer, system.short_name, complaints="x")
    with pytest.raises(Conflict):
        fria.update(SYSTEM, system.short_name, expected_version="stale", complaints="x")
    with pytest.raises(ValidationFailed):
        fria.update(SYSTEM, system.short_name, status="finished")
    assert fria.get(system).complaints == ""


def test_the_api_lists_starts_and_changes_it(admin_client: Client, aims: Any) -> None:
    system = credit(aims)
    r = admin_client.post(
        API + "/fundamental-rights-assessments",
        json.dumps({"ai_system": system.short_name, "complaints": "Complaints desk."}),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["ai_system"] == system.short_name and out["required"] is True and out["status"] == "draft"
    assert "complaints" not in out["missing"] and out["impact_assessment"] is None
    listing = admin_client.get(API + "/fundamental-rights-assessments?status=draft").json()
    assert listing["count"] == 1
    r = admin_client.patch(
        API + f"/fundamental-rights-assessments/{system.short_name}",
        json.dumps({"status": "complete", "version": out["version"]}),
        content_type="application/json",
    )
    assert r.status_code == 422 and "still empty" in r.content.decode()
    r = admin_client.patch(
        API + f"/fundamental-rights-assessments/{out['id']}",
        json.dumps({**FULL, "status": "complete"}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "complete" and r.json()["missing"] == []
    assert admin_client.get(API + "/fundamental-rights-assessments/nope").status_code == 404


def test_the_ai_act_page_shows_it_and_the_form_saves(admin_client: Client, aims: Any) -> None:
    system = credit(aims)
    page = admin_client.get(reverse("aiact-system", args=[system.short_name])).content.decode()
    assert "Fundamental rights impact assessment (Art. 27)" in page and "Required before first use" in page
    assert "No assessment recorded yet" in page
    r = admin_client.post(reverse("aiact-fria-start", args=[system.short_name]))
    assert r.status_code == 302 and r["Location"] == reverse("aiact-fria", args=[system.short_name])
    form = admin_client.get(r["Location"]).content.decode()
    assert "Art. 27(1)(a)" in form and "A credit officer reviews each refusal." in form
    r = admin_client.post(r["Location"], {**FULL, "status": "complete", "notified_on": "2099-01-01"})
    assert r.status_code == 422 and "future" in r.content.decode()
    r = admin_client.post(
        reverse("aiact-fria", args=[system.short_name]),
        {**FULL, "status": "complete", "notified_on": timezone.localdate().isoformat()},
    )
    assert r.status_code == 302
    page = admin_client.get(reverse("aiact-system", args=[system.short_name])).content.decode()
    assert "Assessment complete" in page and "notified" in page
