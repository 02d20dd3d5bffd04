"""Test helpers of the audit programme: records made through the services (as the system
actor), so their trail entries exist."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from keel.controls.models import Control
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.models import User

from .. import services
from ..models import Audit, AuditProgramme

SYSTEM = Actor.system("audit-tests")
CLAUSE = "iso27001:2022:9.2.2"
ANNEX = "iso27001:2022:A.5.15"


def control(
    ref: str, ms: ManagementSystem, *, owner: User | None = None, frequency: str = "quarterly"
) -> Control:
    c, _ = Control.objects.get_or_create(
        ref_id=ref,
        defaults={"title": f"Control {ref}", "type": "process", "frequency": frequency, "owner": owner},
    )
    c.management_systems.add(ms)
    return c


def programme(systems: Iterable[ManagementSystem] = (), **kw: Any) -> AuditProgramme:
    data: dict[str, Any] = {
        "title": "Internal audit programme 2026–2028",
        "first_year": 2026,
        "last_year": 2028,
        "standards": ["iso27001:2022", "iso42001:2023"],
        "management_systems": [ms.short_name for ms in systems],
        "criteria": "Both standards, our policies and the SoA.",
        "rationale": "Higher risk processes every year; the rest once a cycle.",
        **kw,
    }
    return services.create_programme(SYSTEM, **data)


def audit(prog: AuditProgramme | None = None, **kw: Any) -> Audit:
    data: dict[str, Any] = {
        "title": "Access management and internal audit",
        "planned_start": dt.date(2026, 3, 2),
        "planned_end": dt.date(2026, 3, 6),
        "requirements": [CLAUSE, ANNEX],
        **kw,
    }
    return services.plan_audit(SYSTEM, programme_ref=(prog or programme()).ref_id, **data)
