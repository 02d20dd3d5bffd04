"""The AI system inventory: every AI system the organisation develops, provides or uses.

AI systems are management-system records (docs/adr/0004): each belongs to one management
system, and roles over that system apply to it. Models, datasets, evaluations, impact
assessments and operating metrics hang off an AI system.
"""

from __future__ import annotations

import uuid

from django.db import models

from keel.core.models import ManagementSystem, User

from .choices import AIRole, AISystemOrigin, LifecycleStage


class AISystem(models.Model):
    """One AI system, named by a short name that scripts use (``keel ai metric push SYSTEM …``)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    short_name = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    management_system = models.ForeignKey(
        ManagementSystem, on_delete=models.PROTECT, related_name="ai_systems"
    )
    purpose = models.TextField(blank=True)
    intended_use = models.TextField(blank=True)
    foreseeable_misuse = models.TextField(blank=True)
    lifecycle_stage = models.CharField(
        max_length=16, choices=LifecycleStage.choices, default=LifecycleStage.DESIGN
    )
    origin = models.CharField(max_length=20, choices=AISystemOrigin.choices)
    ai_roles = models.JSONField(
        default=list, blank=True, help_text="The organisation's roles (ISO/IEC 22989)."
    )
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_ai_systems"
    )
    users_description = models.TextField(blank=True, help_text="Who uses the system.")
    affected_people = models.TextField(blank=True, help_text="People it affects who are not its users.")
    deployment_regions = models.JSONField(default=list, blank=True)
    human_oversight = models.TextField(blank=True)
    third_party_components = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "AI system"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lifecycle_stage__in=[s.value for s in LifecycleStage]),
                name="aisystem_stage_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(origin__in=[o.value for o in AISystemOrigin]), name="aisystem_origin_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def valid_roles() -> set[str]:
        return set(AIRole.values)
