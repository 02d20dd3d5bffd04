"""Core domain: the organisation, its management systems, scope and context, people and
access, and the audit trail.

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
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import Q

from keel.standards.models import Standard

from .choices import (
    AIRole,
    Channel,
    ClimateRelevance,
    IssueCategory,
    IssueEffect,
    IssueKind,
    LifecycleStage,
    ManagementSystemStatus,
    OperatingModel,
    PartyCategory,
    Role,
    ScopeStatus,
    TrailAction,
)


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user


class User(AbstractBaseUser):
    """A person who logs in with an email address. Roles come from :class:`RoleAssignment`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    job_title = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(auto_now_add=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email


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


class ApiToken(models.Model):
    """A bearer token for scripts. Only its SHA-256 is stored; the token is shown once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="The first characters, to recognise a token.")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class LoginAttempt(models.Model):
    """A login attempt, kept to throttle repeated failures across all server processes."""

    email = models.CharField(max_length=254, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    succeeded = models.BooleanField()
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["ip", "at"])]

    def __str__(self) -> str:
        return f"{self.email} {'ok' if self.succeeded else 'failed'} at {self.at:%Y-%m-%d %H:%M}"


class TrailHead(models.Model):
    """The head of the audit-trail hash chain (a single row). Appending locks it, so
    concurrent writers queue and the chain never forks."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="trail_head_singleton")]

    def __str__(self) -> str:
        return f"trail head #{self.seq}"


class RefSequence(models.Model):
    """The last reference number handed out per prefix (``KC-``, ``EV-``, ``AS-``, ``IS-``, ``AI-``).
    Its row is locked while a new reference is chosen, so concurrent creates never collide
    (:func:`keel.core.concurrency.next_ref`)."""

    prefix = models.CharField(max_length=16, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}{self.last}"


class ChainedEntries(models.Manager["TrailEntry"]):
    """Entries on the numbered chain only (``seq >= 1``): a row forged outside the sequence
    never reaches a page or the API. Verification reads every row (``TrailEntry.rows``)."""

    def get_queryset(self) -> models.QuerySet[TrailEntry]:
        return super().get_queryset().filter(seq__gte=1)


class TrailEntry(models.Model):
    """One append-only audit-trail entry.

    ``payload`` is the exact canonical JSON text that is hashed: ``hash = sha256(prev_hash +
    payload)``. The other columns are copies of payload fields for filtering; verification
    checks them against the payload too. The management systems an entry concerns are in
    ``TrailEntrySystem`` rows (and, for entries written since they exist, in the payload's
    ``management_system_ids``).
    """

    seq = models.PositiveBigIntegerField(primary_key=True)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor_label = models.CharField(max_length=254)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    ip = models.CharField(max_length=45, blank=True)
    action = models.CharField(max_length=16, choices=TrailAction.choices)
    object_type = models.CharField(max_length=64, db_index=True)
    object_id = models.CharField(max_length=128, db_index=True)
    object_repr = models.CharField(max_length=255)
    management_system_id = models.UUIDField(null=True, blank=True, db_index=True)
    payload = models.TextField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = ChainedEntries()
    rows = models.Manager()  # noqa: DJ012 (every row, forged ones included: for verification)

    class Meta:
        ordering = ["-seq"]
        verbose_name_plural = "trail entries"
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type} {self.object_repr}"


class TrailEntrySystem(models.Model):
    """One management system a trail entry concerns (a control concerns every system it
    belongs to): what scopes the trail for an auditor of one system."""

    entry = models.ForeignKey(TrailEntry, on_delete=models.CASCADE, related_name="system_rows")
    management_system_id = models.UUIDField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "management_system_id"], name="trail_entry_system_once")
        ]

    def __str__(self) -> str:
        return f"#{self.entry_id} {self.management_system_id}"
