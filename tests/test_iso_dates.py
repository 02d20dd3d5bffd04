"""Issue 9 defect 12: plain numbers are not dates. The API takes dates as ISO ``YYYY-MM-DD`` and
datetimes as ISO 8601; ``until=0.5`` (read as a Unix timestamp before) is a 422 with a message."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from keel.organisation.models import ManagementSystem
from keel.platform.isodates import MESSAGE

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", ["0.5", "0", "1700000000", "-3", "1e9"])
def test_a_number_as_a_datetime_filter_is_a_422(admin_client: Client, value: str) -> None:
    response = admin_client.get(f"/api/v1/metric-readings?until={value}")
    assert response.status_code == 422, response.content
    body = response.json()["error"]
    assert MESSAGE in body["message"] or any(MESSAGE in m for m in body["fields"].get("until", []))


def test_iso_dates_and_datetimes_are_still_accepted(admin_client: Client) -> None:
    assert admin_client.get("/api/v1/metric-readings?until=2026-03-31T09:00:00Z").status_code == 200
    assert admin_client.get("/api/v1/metric-readings?since=2026-03-31").status_code == 200


def test_a_number_as_a_date_in_a_body_is_a_422_and_changes_nothing(
    admin_client: Client, isms: ManagementSystem
) -> None:
    from keel.risks.models import Risk
    from keel.risks.tests.factories import methodology

    methodology()
    body = {
        "register": "is",
        "management_system": isms.short_name,
        "title": "Number as a date",
        "owner": "admin@example.com",
        "inherent_likelihood": 2,
        "inherent_impact": 2,
        "review_date": 0,
    }
    response = admin_client.post("/api/v1/risks", json.dumps(body), content_type="application/json")
    assert response.status_code == 422, response.content
    assert "review_date" in response.json()["error"]["fields"]
    assert not Risk.objects.filter(title="Number as a date").exists()
