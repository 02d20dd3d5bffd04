"""Platform models: accounts (users, API tokens, login attempts), the audit trail and its chain
head, and the per-prefix reference sequences. Roles live in :mod:`keel.organisation.models`."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import Q

from keel.platform.choices import Channel, TrailAction


class UserManager(BaseUserManager["User"]):
    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user


# People whose email nobody knows yet (an owner imported by name or role) get an address in this
# reserved domain (RFC 2606: ``.invalid`` never resolves), so the email stays the unique,
# non-null key every resolver uses; pages and the API show such a person as having no email.
NO_EMAIL_DOMAIN = "no-email.invalid"


class User(AbstractBaseUser):
    """A person in the organisation's directory: a control, risk or AI system owner, an
    approver, a member of staff. ``has_login`` says whether they may log in: a person without a
    login has no usable password, every login, session and API token of theirs is refused, and
    their roles grant nothing until they are invited (docs/adr/0019-people.md). Roles come from
    :class:`RoleAssignment`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    job_title = models.CharField(max_length=150, blank=True)
    department = models.CharField(max_length=150, blank=True)
    has_login = models.BooleanField(
        default=True,
        help_text="Whether this person may log in. People imported or added to the directory have no "
        "login until they are invited.",
    )
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
        return self.full_name or self.shown_email or "(unnamed)"

    @property
    def has_email(self) -> bool:
        """False for a person whose address nobody knows yet (a placeholder in ``NO_EMAIL_DOMAIN``)."""
        return not self.email.lower().endswith("@" + NO_EMAIL_DOMAIN)

    @property
    def shown_email(self) -> str:
        """The email as people should see it: empty when it is only a placeholder."""
        return self.email if self.has_email else ""

    @property
    def can_log_in(self) -> bool:
        return self.is_active and self.has_login


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
    (:func:`keel.platform.concurrency.next_ref`)."""

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
