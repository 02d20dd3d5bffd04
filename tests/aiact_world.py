"""EU AI Act records for the permission matrix: system A's AI system classified high-risk for
its deployer (made directly, without the services)."""

from __future__ import annotations

from typing import Any

from keel.aiact.models import Classification
from keel.organisation.models import ManagementSystem
from keel.platform.models import User

from . import aisystems_world as aw
from .permission_world import World

ANSWERS = {"eu_use": True, "annex3_5b": True}


def classified(world: World) -> Classification:
    system = aw.system_a(world)
    c = Classification.objects.filter(ai_system=system).first()
    if c is None:
        c = Classification.objects.create(
            ai_system=system,
            version=1,
            questionnaire_version="2026.1",
            role="deployer",
            answers=ANSWERS,
            tier="high_risk",
            high_risk_route="annex_iii",
            annex_iii_points=["5(b)"],
            reasons=[{"question": "annex3_5b", "ref": "Annex III 5(b)", "text": "Credit scoring."}],
        )
    return c


def system_kwargs(world: World, user: User | None) -> dict[str, Any]:
    classified(world)
    return {"ref": aw.SYSTEM}


def obligation_kwargs(world: World, user: User | None) -> dict[str, Any]:
    classified(world)
    return {"ref": aw.SYSTEM, "key": "art26-deployer"}


def api_obligation_kwargs(world: World, user: User | None) -> dict[str, Any]:
    classified(world)
    return {"ai_system": aw.SYSTEM, "obligation": "art26-deployer"}


def classification_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"classification_id": classified(world).pk}


def none_but_built(world: World, user: User | None) -> dict[str, Any]:
    classified(world)
    return {}


def classify_body(world: World, user: User | None) -> dict[str, Any]:
    aw.system_a(world)
    return {"ai_system": aw.SYSTEM, "role": "deployer", "answers": ANSWERS}


def classify_form(world: World, user: User | None) -> dict[str, Any]:
    return {"role": "deployer", "eu_use": "yes", "annex3_5b": "yes"}


ADVICE = {"ai_centrality": "core", "ai_separate": "no", "high_risk": "yes", "team_size": "small"}


def merge_body(world: World, user: User | None) -> dict[str, Any]:
    """An empty system to merge into A (no overlap, so an allowed call succeeds)."""
    src = ManagementSystem.objects.filter(short_name="merge-src").first()
    if src is None:
        src = ManagementSystem.objects.create(
            organisation=world.a.organisation,
            name="Merge source",
            short_name="merge-src",
            operating_model="federated",
        )
    return {"target": world.a.short_name, "source": src.short_name}


def split_body(world: World, user: User | None) -> dict[str, Any]:
    return {"management_system": world.a.short_name, "name": "AIMS of A", "short_name": "a-aims"}


def fria_kwargs(world: World, user: User | None) -> dict[str, Any]:
    """System A's AI system with a draft fundamental rights impact assessment."""
    from keel.aiact.models import FundamentalRightsAssessment

    classified(world)
    FundamentalRightsAssessment.objects.get_or_create(ai_system=aw.system_a(world))
    return {"ref": aw.SYSTEM}


def fria_body(world: World, user: User | None) -> dict[str, Any]:
    classified(world)
    return {"ai_system": aw.SYSTEM}


def fria_ref(world: World, user: User | None) -> dict[str, Any]:
    fria_kwargs(world, user)
    return {"ref": aw.SYSTEM}


def document_link_kwargs(world: World, user: User | None) -> dict[str, Any]:
    """A document linked to system A's AI system as information for interested parties."""
    from keel.support.models import SystemDocument

    from . import documents_world as dw

    link, _ = SystemDocument.objects.get_or_create(
        ai_system=aw.system_a(world), document=dw.approved(world), defaults={"purpose": "user_notice"}
    )
    return {"link_id": link.pk}
