"""What the gap analysis registers at start-up: drafting an SoA from the gap analysis, which the
SoA's create page offers (the SoA app is a lower layer and cannot import gap, ADR 0018)."""

from __future__ import annotations

from typing import Any

from keel.organisation.models import ManagementSystem
from keel.platform import hooks
from keel.platform.actor import Actor

from . import services


def draft_soa(*, actor: Actor, management_system: ManagementSystem, standard: str) -> dict[str, Any]:
    """The same service ``keel soa create --from-gap`` and the gap page use."""
    return services.draft_soa(actor, management_system, standard)


def register() -> None:
    hooks.register("soa.draft_from_gap", draft_soa)
