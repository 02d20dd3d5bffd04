"""Test helpers of keel.changes: an AI system with a model version, and changes of each family,
made through the services (so their trail entries exist)."""

from __future__ import annotations

from typing import Any

from keel.aisystems.models import AISystem, ModelVersion
from keel.aisystems.tests import factories as ai
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.models import User

from .. import services
from ..models import Change

SYSTEM = Actor.system("changes-tests")


def system_with_version(
    ms: ManagementSystem, short_name: str = "credit-scoring"
) -> tuple[AISystem, ModelVersion]:
    system = ai.ai_system(ms, short_name)
    return system, ai.model_version(system, "3.2", name="helix-gbm")


def retraining(system: AISystem, version: ModelVersion | None, requester: User, **kw: Any) -> Change:
    data: dict[str, Any] = {
        "kind": "retraining",
        "title": "Retrain the credit model on 2026 Q3 data",
        "ai_system": system.short_name,
        "model_version": f"{version.model.name}@{version.label}" if version else None,
        "requester": requester.email,
        **kw,
    }
    return services.create(
        SYSTEM, family="model_lifecycle", **{k: v for k, v in data.items() if v is not None}
    )


def it_change(ms: ManagementSystem, requester: User, kind: str = "normal", **kw: Any) -> Change:
    data: dict[str, Any] = {"title": "Upgrade the database cluster", "requester": requester.email, **kw}
    return services.create(SYSTEM, family="information_system", management_system=ms, kind=kind, **data)


def ms_change(ms: ManagementSystem, requester: User, **kw: Any) -> Change:
    data: dict[str, Any] = {"title": "Separate the ISMS and the AIMS", "requester": requester.email, **kw}
    return services.create(SYSTEM, family="management_system", management_system=ms, kind="structure", **data)
