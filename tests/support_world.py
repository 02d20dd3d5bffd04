"""Support records of system A for the permission matrix, made on demand directly (without the
services, to stay fast) and rolled back with each case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from keel.platform.models import User
from keel.support.kinds import KINDS
from keel.support.models import (
    AwarenessCampaign,
    Commitment,
    Communication,
    Competence,
    CompetenceRecord,
    Concern,
    LegalRequirement,
    MsRole,
    Objective,
)

from .permission_world import World

__all__ = ["KINDS"]

DAY = dt.date(2026, 1, 5)


def role_a(w: World) -> MsRole:
    return MsRole.objects.get_or_create(
        management_system=w.a, name="System owner", defaults={"responsibilities": "Owns it."}
    )[0]


def objective_a(w: World) -> Objective:
    return Objective.objects.get_or_create(
        ref_id="OB-900",
        defaults={"management_system": w.a, "title": "Patch fast", "measure": "Days", "target": 7},
    )[0]


def campaign_a(w: World) -> AwarenessCampaign:
    return AwarenessCampaign.objects.get_or_create(
        management_system=w.a,
        title="Phishing",
        defaults={"message": "Report it.", "audience": "All", "starts_on": DAY},
    )[0]


MAKERS: dict[str, Any] = {
    "ms-role": role_a,
    "commitment": lambda w: Commitment.objects.get_or_create(
        management_system=w.a, decision="One system", defaults={"decided_on": DAY, "decided_by": w.target}
    )[0],
    "objective": objective_a,
    "competence": lambda w: Competence.objects.get_or_create(role=role_a(w), name="Cloud security")[0],
    "competence-record": lambda w: CompetenceRecord.objects.get_or_create(
        management_system=w.a,
        person=w.target,
        title="CCSP",
        defaults={"kind": "qualification", "achieved_on": DAY},
    )[0],
    "awareness-campaign": campaign_a,
    "communication": lambda w: Communication.objects.get_or_create(
        management_system=w.a,
        subject="Objectives",
        defaults={"when": "Quarterly", "audience": "Board", "method": "report"},
    )[0],
    "concern": lambda w: Concern.objects.get_or_create(
        ref_id="CN-900",
        defaults={"management_system": w.a, "summary": "Odd", "description": "Odd", "reported_on": DAY},
    )[0],
    "legal-requirement": lambda w: LegalRequirement.objects.get_or_create(
        ref_id="LR-900",
        defaults={
            "management_system": w.a,
            "title": "GDPR",
            "kind": "regulation",
            "source": "GDPR Art. 32",
            "summary": "Protect personal data.",
        },
    )[0],
}


def kwargs_for(slug: str) -> Any:
    def make(w: World, u: User | None) -> dict[str, Any]:
        obj = MAKERS[slug](w)
        return {"ref": str(getattr(obj, "ref_id", "") or obj.pk)}

    return make


def reading_form(w: World, u: User | None) -> dict[str, Any]:
    return {"value": "5", "on": "2026-01-06", "note": ""}


def completion_form(w: World, u: User | None) -> dict[str, Any]:
    return {"person": w.target.email, "completed_on": "2026-01-06"}
