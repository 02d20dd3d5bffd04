"""The demo's incidents: a closed security incident with its GDPR clock met, the open drift
incident the credit model's metric flag opened (once), a serious harm-to-people incident near its
deadline; the dashboard shows the running clocks."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from keel.aisystems.models import MetricFlag
from keel.incidents.models import Incident
from keel.incidents.queries import clock_views
from keel.site.demo import DEMO_ADMIN_EMAIL, DEMO_PASSWORD


@pytest.mark.usefixtures("demo")
def test_the_demo_incidents(client: Any) -> None:
    closed = Incident.objects.get(incident_type__slug="security-incident")
    assert closed.status == "closed" and closed.clocks.get().met_at is not None
    assert closed.clocks.get().met_at <= closed.clocks.get().due_at
    drift = Incident.objects.get(incident_type__slug="ai-drift", ai_systems__short_name="credit-scoring")
    flag = MetricFlag.objects.get(metric__short_name="psi-drift")
    assert flag.incident_ref == drift.ref_id and drift.status == "triage"
    harm = Incident.objects.get(incident_type__slug="ai-harm")
    (clock,) = clock_views(harm)
    assert (
        clock.name == "EU AI Act serious incident report"
        and not clock.overdue
        and 24 <= clock.hours_left <= 72
    )
    assert client.login(email=DEMO_ADMIN_EMAIL, password=DEMO_PASSWORD)
    html = client.get(reverse("dashboard")).content.decode()
    assert 'id="incident-clocks"' in html and harm.ref_id in html
