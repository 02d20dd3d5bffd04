"""Pages of the support records: the done-when of issue 14 — an objective with readings shows its
chart; a competence record past expiry shows on the person and in the consistency check — and
reporter protection on the concern page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from keel.platform.choices import Role
from keel.support import concerns, objectives

from . import factories as f

pytestmark = pytest.mark.django_db


def test_an_objective_with_readings_shows_its_chart(admin_client: Any, isms: Any) -> None:
    objective = f.objective(isms, unit="ratio")
    url = reverse("objective-detail", args=[objective.ref_id])
    assert "<svg" not in admin_client.get(url).content.decode()
    today = timezone.localdate()
    objectives.add_reading(f.SYSTEM, objective.pk, "0.09", today - dt.timedelta(days=60))
    objectives.add_reading(f.SYSTEM, objective.pk, "0.04", today)
    html = admin_client.get(url).content.decode()
    assert 'class="objective-chart"' in html and "<polyline" in html
    assert html.count('fill="#c0392b"') == 1 and html.count('fill="#2f855a"') == 1  # off, then on target
    assert "target 0.05 ratio" in html


def test_an_expired_competence_record_shows_on_the_person_and_in_the_check(
    admin_client: Any, isms: Any, make_user: Any
) -> None:
    person = make_user(full_name="Ada Byron")
    expired = timezone.localdate() - dt.timedelta(days=3)
    f.competence_record(isms, person, expires_on=expired)
    page = admin_client.get(reverse("person", args=[person.pk])).content.decode()
    assert "Certified cloud security professional" in page and f"Expired on {expired.isoformat()}" in page
    check = admin_client.get(reverse("check-list")).content.decode()
    assert "Ada Byron&#x27;s Certified cloud security professional expired" in check


def test_only_a_reporter_viewer_sees_who_reported_a_concern(
    admin_client: Any, login_client: Any, isms: Any, make_user: Any
) -> None:
    reporter = make_user(Role.VIEWER, full_name="Rita Reporter")
    from keel.platform.actor import Actor

    concern = concerns.report(
        Actor.for_user(reporter, "web"), management_system=isms.short_name, summary="Odd", description="Odd"
    )
    url = reverse("concern-detail", args=[concern.ref_id])
    assert "Rita Reporter" in admin_client.get(url).content.decode()
    manager = login_client(make_user(Role.COMPLIANCE_MANAGER))
    page = manager.get(url).content.decode()
    assert "Odd" in page and "Rita Reporter" not in page


def test_a_reading_posted_from_the_page_is_recorded_and_a_bad_one_changes_nothing(
    admin_client: Any, isms: Any
) -> None:
    objective = f.objective(isms)
    url = reverse("objective-reading-add", args=[objective.ref_id])
    assert admin_client.post(url, {"value": "lots", "on": "2026-01-01"}).status_code == 302
    assert objective.readings.count() == 0
    admin_client.post(url, {"value": "0.03", "on": timezone.localdate().isoformat()})
    assert [str(r.value.normalize()) for r in objective.readings.all()] == ["0.03"]


def test_the_list_page_keeps_the_valid_filters_and_says_which_one_it_dropped(
    admin_client: Any, isms: Any
) -> None:
    """Every support list's page filters by the shared declaration (issue 10): a search and a
    management system; an unknown system is refused with a message, the search still applies."""
    f.objective(isms, title="Fewer phishing clicks")
    f.objective(isms, title="Faster patching")
    url = reverse("objective-list")
    page = admin_client.get(url, {"q": "phishing", "management_system": "isms"}).content.decode()
    assert "Fewer phishing clicks" in page and "Faster patching" not in page
    page = admin_client.get(url, {"q": "phishing", "management_system": "nope"}).content.decode()
    assert "not understood" in page and "Fewer phishing clicks" in page and "Faster patching" not in page
