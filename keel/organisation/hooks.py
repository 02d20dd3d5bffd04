"""What the organisation app registers at start-up: the role assignments the permissions
machinery of the platform looks up, and the labels of its choices for templates."""

from __future__ import annotations

import uuid

from django.db import models

from keel.platform import hooks
from keel.platform.models import User

from .choices import AIRole, LifecycleStage

CHOICES: dict[str, type[models.TextChoices]] = {"ai_role": AIRole, "lifecycle_stage": LifecycleStage}


def choices(kind: str) -> type[models.TextChoices] | None:
    return CHOICES.get(kind)


def assignments(user: User) -> list[tuple[str, uuid.UUID | None]]:
    """The user's roles, each over a management system or the whole organisation (None)."""
    return [(a.role, a.management_system_id) for a in user.role_assignments.all()]


def register() -> None:
    hooks.register("choice_labels", choices)
    hooks.register("roles.assignments", assignments)
