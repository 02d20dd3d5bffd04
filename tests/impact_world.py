"""Impact-assessment records for the permission matrix: a draft assessment of the AI system of
management system A with one harm, made on demand (directly, without the services)."""

from __future__ import annotations

from typing import Any

from keel.impact.models import Impact, ImpactAssessment
from keel.platform.models import User

from . import aisystems_world as aw
from . import risks_world as rw
from .permission_world import World

IMPACT = {
    "title": "Unfair scores",
    "affects": "groups",
    "nature": "harm",
    "dimension": "fairness",
    "severity": 3,
    "likelihood": 3,
}


def draft(world: World) -> ImpactAssessment:
    system = aw.system_a(world)
    a = ImpactAssessment.objects.filter(ai_system=system).first()
    if a is None:
        m = rw.methodology()
        a = ImpactAssessment.objects.create(ai_system=system, version=1, methodology=m, scope="Scoring A")
        Impact.objects.create(assessment=a, level=m.level_of(3, 3), **IMPACT)
    return a


def with_methodology(world: World, user: User | None) -> dict[str, Any]:
    rw.methodology()
    return aw.system_kwargs(world, user)


def assessment_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"assessment_id": draft(world).pk}


def impact_kwargs(world: World, user: User | None) -> dict[str, Any]:
    a = draft(world)
    return {"assessment_id": a.pk, "impact_id": a.impacts.get().pk}


def none_but_built(world: World, user: User | None) -> dict[str, Any]:
    draft(world)
    return {}


def impact_form(world: World, user: User | None) -> dict[str, Any]:
    return {**IMPACT, "occurrence": "potential", "severity": "2", "likelihood": "2"}


def start_body(world: World, user: User | None) -> dict[str, Any]:
    rw.methodology()
    aw.system_a(world)
    return {"ai_system": aw.SYSTEM}
