"""Test helpers of the support records, made through the services (so their trail entries exist)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.models import User

from .. import objectives, services
from ..models import CompetenceRecord, MsRole, Objective

SYSTEM = Actor.system("test")


def role(ms: ManagementSystem, name: str = "AI system owner", **kw: Any) -> MsRole:
    data: dict[str, Any] = {"responsibilities": "Owns the system's risks and releases.", **kw}
    return services.create(SYSTEM, services.ROLE, management_system=ms, name=name, **data)


def objective(ms: ManagementSystem, title: str = "Fewer failed changes", **kw: Any) -> Objective:
    data: dict[str, Any] = {
        "measure": "Share of changes rolled back",
        "target": "0.05",
        "direction": "lower",
        **kw,
    }
    return objectives.create_objective(SYSTEM, management_system=ms, title=title, **data)


def competence_record(ms: ManagementSystem, person: User, **kw: Any) -> CompetenceRecord:
    data: dict[str, Any] = {
        "kind": "qualification",
        "title": "Certified cloud security professional",
        "achieved_on": dt.date(2023, 1, 10),
        **kw,
    }
    return services.create(
        SYSTEM, services.COMPETENCE_RECORD, management_system=ms, person=person.email, **data
    )
