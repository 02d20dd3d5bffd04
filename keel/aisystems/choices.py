"""Enums of the AI system inventory. Lifecycle stages and AI roles are shared with scope
statements (keel.core.choices)."""

from __future__ import annotations

from django.db import models

from keel.core.choices import AIRole, LifecycleStage

__all__ = ["AIRole", "AISystemOrigin", "LifecycleStage"]


class AISystemOrigin(models.TextChoices):
    """Where an AI system comes from. AI embedded in a bought product is the kind most often
    missed in an inventory, so it is a first-class answer."""

    IN_HOUSE = "in_house", "Built in-house"
    THIRD_PARTY_MODEL = "third_party_model", "Third-party model or API"
    EMBEDDED = "embedded", "AI embedded in a bought product"
