"""Test helpers of incidents, made through the services (so their trail entries exist)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor

from .. import catalogue, services
from ..models import Incident

SYSTEM = Actor.system("test")


def incident(ms: ManagementSystem, incident_type: str = "security-incident", **kw: Any) -> Incident:
    catalogue.ensure_incident_catalogue()
    data: dict[str, Any] = {
        "title": "Laptop with customer data stolen",
        "description": "A sales laptop was stolen from a car.",
        "aware_at": timezone.now() - dt.timedelta(hours=2),
        **kw,
    }
    return services.report_incident(SYSTEM, management_system=ms, incident_type=incident_type, **data)
