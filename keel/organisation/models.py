"""The organisation: its management systems, scope and context, and role assignments.

Which records belong where (see docs/adr/0004-organisation-vs-management-system.md):
- Organisation-level (the shared governance layer, one record serves every management
  system and is tagged to the standards it answers): the organisation profile, interested
  parties, context issues (including the climate-change determination), users, role
  assignments at organisation level, API tokens and the audit trail.
- Management-system-level (moves with the system when systems are split or merged): scope
  statements (one versioned series per standard covered), role assignments over that system.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from keel.organisation.choices import (
    AIRole,
    ClimateRelevance,
    IssueCategory,
    IssueEffect,
    IssueKind,
    LifecycleStage,
    ManagementSystemStatus,
    OperatingModel,
    PartyCategory,
    ScopeStatus,
)
from keel.platform.choices import Role
from keel.platform.models import User
from keel.standards.models import Standard


class Organisation(models.Model):
    """The one organisation this instance serves."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    singleton = models.BooleanField(default=True, unique=True, editable=False)
    name = models.CharField(max_length=200)
    legal_name = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    sector = models.CharField(max_length=120, blank=True)
    headquarters = models.CharField(max_length=200, blank=True)
    website = models.URLField(blank=True)
    climate_relevance = models.CharField(
        max_length=16, choices=ClimateRelevance.choices, default=ClimateRelevance.NOT_DETERMINED
    )
    climate_rationale = models.TextField(
        blank=True, help_text="Why climate change is or is not a relevant issue (clause 4.1)."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(singleton=True), name="organisation_singleton")]

    def __str__(self) -> str:
        return self.name


class ManagementSystem(models.Model):
    """A management system (ISMS, AIMS or an integrated one): the perimeter roles are granted over."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="management_systems"
    )
    name = models.CharField(max_length=200)
    short_name = models.SlugField(max_length=40, unique=True)
    description = models.TextField(blank=True)
    operating_model = models.CharField(max_length=16, choices=OperatingModel.choices)
    status = models.CharField(
        max_length=16, choices=ManagementSystemStatus.choices, default=ManagementSystemStatus.ACTIVE
    )
    standards = models.ManyToManyField(Standard, related_name="management_systems", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="management_system_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class ScopeStatement(models.Model):
    """One version of the scope of a management system for one standard (clause 4.3).

    Versions are never edited once approved: a change starts a new draft version, and
    approving it supersedes the previously approved one.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    management_system = models.ForeignKey(
        ManagementSystem, on_delete=models.PROTECT, related_name="scope_statements"
    )
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="scope_statements")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=ScopeStatus.choices, default=ScopeStatus.DRAFT)
    summary = models.TextField(
        help_text="The scope in one or two sentences, as it would appear on a certificate."
    )
    boundaries = models.TextField(blank=True, help_text="Organisational, physical and logical boundaries.")
    interfaces = models.TextField(
        blank=True, help_text="Interfaces and dependencies on activities outside the scope."
    )
    sites = models.TextField(blank=True)
    exclusions = models.TextField(blank=True, help_text="What is excluded and why.")
    ai_systems = models.TextField(blank=True, help_text="ISO 42001: the AI systems in scope.")
    lifecycle_stages = models.JSONField(
        default=list, blank=True, help_text="ISO 42001: lifecycle stages in scope."
    )
    ai_roles = models.JSONField(
        default=list, blank=True, help_text="ISO 42001: the organisation's AI roles in scope."
    )
    change_note = models.TextField(blank=True, help_text="What changed from the previous version.")
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    approved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["management_system", "standard", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["management_system", "standard", "version"], name="scope_unique_version"
            ),
            models.UniqueConstraint(
                fields=["management_system", "standard"],
                condition=Q(status="approved"),
                name="scope_one_approved",
            ),
            models.UniqueConstraint(
                fields=["management_system", "standard"],
                condition=Q(status="draft"),
                name="scope_one_draft",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved")
                | (Q(approved_by__isnull=False) & Q(approved_at__isnull=False)),
                name="scope_approved_has_approver",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.management_system} / {self.standard.key} v{self.version}"

    @staticmethod
    def valid_lifecycle_stages() -> set[str]:
        return {c.value for c in LifecycleStage}

    @staticmethod
    def valid_ai_roles() -> set[str]:
        return {c.value for c in AIRole}


class InterestedParty(models.Model):
    """An interested party and its needs and expectations (clause 4.2), shared by both standards."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="interested_parties"
    )
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=24, choices=PartyCategory.choices)
    needs_expectations = models.TextField(help_text="What this party needs and expects from us.")
    requirements = models.TextField(
        blank=True, help_text="Which of those needs we address through the management system(s)."
    )
    climate_related = models.BooleanField(
        default=False, help_text="Has climate-related requirements (note to clause 4.2)."
    )
    affected_not_user = models.BooleanField(
        default=False, help_text="Affected by our AI systems without being their user (ISO 42001)."
    )
    standards = models.ManyToManyField(Standard, related_name="interested_parties", blank=True)
    review_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "interested parties"
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="interested_party_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class ContextIssue(models.Model):
    """An internal or external issue relevant to the management system(s) (clause 4.1)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="context_issues")
    title = models.CharField(max_length=200)
    description = models.TextField()
    kind = models.CharField(max_length=16, choices=IssueKind.choices)
    category = models.CharField(max_length=16, choices=IssueCategory.choices)
    effect = models.CharField(max_length=16, choices=IssueEffect.choices, default=IssueEffect.RISK)
    climate_related = models.BooleanField(default=False)
    standards = models.ManyToManyField(Standard, related_name="context_issues", blank=True)
    review_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "title"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "title"], name="context_issue_unique_title")
        ]

    def __str__(self) -> str:
        return self.title


class RoleAssignment(models.Model):
    """A role held by a user over a perimeter: the whole organisation (no management system)
    or one management system."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=24, choices=Role.choices)
    management_system = models.ForeignKey(
        ManagementSystem, null=True, blank=True, on_delete=models.CASCADE, related_name="role_assignments"
    )
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "management_system"], name="role_unique_per_system"
            ),
            models.UniqueConstraint(
                fields=["user", "role"], condition=Q(management_system__isnull=True), name="role_unique_org"
            ),
        ]

    def __str__(self) -> str:
        where = self.management_system.name if self.management_system is not None else "organisation"
        return f"{self.user} — {self.get_role_display()} @ {where}"
