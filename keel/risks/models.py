"""Risk management: one versioned methodology, two registers (information security and AI),
treatment plans with actions, approvals that freeze what they relied on, and snapshots.

- A :class:`Methodology` row is one *version*: never changed after it is created. Changing the
  methodology creates the next version; every risk keeps the version it was assessed under.
- A :class:`Risk` is a management-system record (docs/adr/0004).
- A :class:`RiskApproval` records what the owner accepted: residual values, plan version, the
  controls relied on. A later change to any of them voids it (docs/adr/0012).
- A :class:`RiskSnapshot` is a frozen JSON copy of a register for an assessment cycle.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from django.utils import timezone

from keel.aisystems.models import AISystem
from keel.assets.models import Asset
from keel.controls.models import Control
from keel.organisation.models import ManagementSystem
from keel.platform.errors import Conflict
from keel.platform.models import User
from keel.standards.models import Requirement

from .choices import Acceptance, ActionStatus, ApprovalState, Register, RiskStatus, TreatmentOption


class Methodology(models.Model):
    """One version of the organisation's risk methodology (immutable once created).

    ``likelihood`` and ``impact``: ``[{"value": 1, "label": "Rare", "description": "..."}, ...]``
    (3 to 5 entries, values 1..n). ``levels``: ordered lowest first,
    ``[{"key": "low", "label": "Low", "acceptable": true, "appetite": "..."}, ...]`` — a residual
    risk at an ``acceptable`` level may be accepted by its owner; above it only by exception.
    ``matrix[l-1][i-1]`` is the level key of likelihood ``l`` and impact ``i``.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=200)
    note = models.TextField(blank=True, help_text="What changed in this version and why.")
    likelihood = models.JSONField()
    impact = models.JSONField()
    levels = models.JSONField()
    matrix = models.JSONField()
    max_exception_days = models.PositiveIntegerField(
        default=365,
        help_text="The longest an exception (a residual risk accepted above the criteria) may run, in days.",
    )
    # When risk assessments are performed (ISO/IEC 27001 and 42001 6.1.2): the planned interval
    # and the events that make one due. keel.risks.queries.assessments_due applies them.
    assessment_interval_months = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        default=12,
        help_text="Re-assess every risk at least this often (months); empty: no planned interval.",
    )
    assess_on_significant_change = models.BooleanField(
        default=True,
        help_text="A significant change to an AI system makes its AI risks due for re-assessment.",
    )
    assess_on_new_ai_system = models.BooleanField(
        default=True, help_text="A new AI system is due for a risk assessment until it has AI risks."
    )
    assess_on_impact_assessment = models.BooleanField(
        default=True,
        help_text="An approved AI system impact assessment makes that system's AI risks due for re-assessment.",
    )
    significant_changes = models.TextField(
        blank=True, help_text="What counts as a significant change here, in the organisation's words."
    )
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        verbose_name_plural = "methodologies"

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise Conflict(f"Methodology version {self.version} is fixed: create a new version to change it.")
        super().save(*args, **kwargs)

    def level_of(self, likelihood: int, impact: int) -> str:
        return str(self.matrix[likelihood - 1][impact - 1])

    def level(self, key: str) -> dict[str, Any]:
        for lv in self.levels:
            if lv["key"] == key:
                return dict(lv)
        return {"key": key, "label": key, "acceptable": False, "appetite": ""}

    def rank(self, key: str) -> int:
        keys = [lv["key"] for lv in self.levels]
        return keys.index(key) if key in keys else -1

    def acceptable(self, key: str) -> bool:
        return bool(self.level(key).get("acceptable"))


class Risk(models.Model):
    """One risk of either register. Register-specific fields are empty in the other register."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ref_id = models.CharField(max_length=32, unique=True, help_text="e.g. IS-004 or AI-002.")
    register = models.CharField(max_length=2, choices=Register.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    management_system = models.ForeignKey(ManagementSystem, on_delete=models.PROTECT, related_name="risks")
    methodology = models.ForeignKey(
        Methodology, on_delete=models.PROTECT, related_name="risks", help_text="The version assessed under."
    )
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="owned_risks")
    delegate = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="delegated_risks",
        help_text="May approve the plan and accept the residual risk for the owner.",
    )
    status = models.CharField(max_length=8, choices=RiskStatus.choices, default=RiskStatus.OPEN)
    close_reason = models.TextField(blank=True, help_text="Why the risk was closed (required to close it).")
    closed_at = models.DateTimeField(null=True, blank=True)
    # when it was last assessed, and whether an event made a re-assessment due
    assessed_at = models.DateTimeField(
        default=timezone.now, help_text="When the risk was last assessed (created, re-scored or re-assessed)."
    )
    reassessment_reason = models.CharField(
        max_length=300, blank=True, help_text="Why a re-assessment is due (an event); empty: none due."
    )
    reassessment_since = models.DateTimeField(null=True, blank=True)
    # information security
    asset = models.ForeignKey(Asset, null=True, blank=True, on_delete=models.PROTECT, related_name="risks")
    process = models.CharField(
        max_length=200, blank=True, help_text="The process at risk, when not an asset."
    )
    threat = models.TextField(blank=True)
    vulnerability = models.TextField(blank=True)
    affects_confidentiality = models.BooleanField(default=False)
    affects_integrity = models.BooleanField(default=False)
    affects_availability = models.BooleanField(default=False)
    # AI
    ai_system = models.ForeignKey(
        AISystem, null=True, blank=True, on_delete=models.PROTECT, related_name="risks"
    )
    risk_source = models.ForeignKey(
        Requirement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="An ISO/IEC 42001 Annex C risk source.",
    )
    objective = models.ForeignKey(
        Requirement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The Annex C objective affected (fairness, transparency ...).",
    )
    affected_people = models.TextField(blank=True)
    impact = models.ForeignKey(
        "impact.Impact",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="risks",
        help_text="The impact of an AI system impact assessment this risk was raised from.",
    )
    # assessment and treatment
    inherent_likelihood = models.PositiveSmallIntegerField()
    inherent_impact = models.PositiveSmallIntegerField()
    inherent_level = models.CharField(max_length=40)
    treatment_option = models.CharField(max_length=8, choices=TreatmentOption.choices, blank=True)
    treatment_plan = models.TextField(blank=True)
    plan_version = models.PositiveIntegerField(default=1)
    controls = models.ManyToManyField(Control, related_name="risks", blank=True)
    residual_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_impact = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_level = models.CharField(max_length=40, blank=True)
    review_date = models.DateField(null=True, blank=True)
    acceptance = models.CharField(max_length=20, choices=Acceptance.choices, default=Acceptance.NONE)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ref_id"]
        indexes = [
            models.Index(fields=["register", "status"]),
            models.Index(fields=["inherent_likelihood", "inherent_impact"]),
            models.Index(fields=["residual_likelihood", "residual_impact"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(register__in=[r.value for r in Register]), name="risk_register_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(register="ai")
                | models.Q(ai_system__isnull=True, risk_source__isnull=True),
                name="risk_ai_fields_only_on_ai",
            ),
            models.CheckConstraint(
                condition=models.Q(register="is") | models.Q(asset__isnull=True), name="risk_asset_only_on_is"
            ),
            models.CheckConstraint(
                condition=models.Q(treatment_option__in=["", *TreatmentOption.values]),
                name="risk_treatment_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref_id} {self.title}"

    @property
    def inherent_label(self) -> str:
        return str(self.methodology.level(self.inherent_level)["label"])

    @property
    def residual_label(self) -> str:
        return str(self.methodology.level(self.residual_level)["label"]) if self.residual_level else ""

    @property
    def current_acceptance(self) -> str:
        """The acceptance on the day the risk was read (``lapsed`` once its exception expired):
        the annotation of :func:`keel.risks.queries.base_risks`, else the rule on today."""
        from .rules import acceptance_on

        if hasattr(self, "acceptance_now"):
            return str(self.acceptance_now)
        return acceptance_on(self.acceptance, getattr(self, "exception_until", None), timezone.localdate())

    @property
    def assessment_due(self) -> tuple[str, str, Any] | None:
        """``(trigger, reason, since)`` when this open risk is due for re-assessment, else ``None``
        (:func:`keel.risks.rules.assessment_due_on`; the interval of its own methodology version)."""
        from .rules import assessment_due_on

        if self.status != RiskStatus.OPEN:
            return None
        return assessment_due_on(
            reassessment_reason=self.reassessment_reason,
            reassessment_since=self.reassessment_since,
            review_date=self.review_date,
            assessed_at=self.assessed_at,
            interval_months=self.methodology.assessment_interval_months,
            now=timezone.now(),
        )

    @property
    def lapsing_soon(self) -> bool:
        """An exception in force that lapses within 30 days (needs :func:`base_risks`)."""
        from .rules import lapses_soon

        day = getattr(self, "acceptance_day", None)
        return day is not None and lapses_soon(self.acceptance, getattr(self, "exception_until", None), day)


class TreatmentAction(models.Model):
    """One action of a risk's treatment plan."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "created_at"]

    def __str__(self) -> str:
        return self.title


class RiskApproval(models.Model):
    """The owner's (or delegate's) approval of the treatment plan and acceptance of the residual
    risk, with what it relied on. An exception (residual above the acceptance criteria) also
    needs a reason, an expiry date and a second approver, a different person."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="approvals")
    state = models.CharField(max_length=8, choices=ApprovalState.choices)
    approved_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField()
    methodology_version = models.PositiveIntegerField()
    residual_likelihood = models.PositiveSmallIntegerField()
    residual_impact = models.PositiveSmallIntegerField()
    residual_level = models.CharField(max_length=40)
    plan_version = models.PositiveIntegerField()
    controls = models.JSONField(default=list, help_text="References of the controls relied on.")
    is_exception = models.BooleanField(default=False)
    exception_reason = models.TextField(blank=True)
    exception_expires = models.DateField(null=True, blank=True)
    second_approver = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    second_approved_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-approved_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_exception=False)
                | (~models.Q(exception_reason="") & models.Q(exception_expires__isnull=False)),
                name="risk_exception_has_reason_and_expiry",
            ),
        ]

    def __str__(self) -> str:
        return f"Approval of {self.risk.ref_id} ({self.get_state_display().lower()})"


class RiskSnapshot(models.Model):
    """A register frozen for an assessment cycle: never changes after it is taken."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    cycle = models.CharField(max_length=120, help_text="e.g. 2026 Q4 assessment.")
    register = models.CharField(max_length=2, choices=Register.choices)
    taken_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    taken_at = models.DateTimeField()
    risk_count = models.PositiveIntegerField()
    rows = models.JSONField(default=list)

    class Meta:
        ordering = ["-taken_at"]
        constraints = [
            models.UniqueConstraint(fields=["register", "cycle"], name="risk_snapshot_unique_cycle")
        ]

    def __str__(self) -> str:
        return f"{self.get_register_display()} — {self.cycle}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise Conflict("A risk snapshot never changes: take a new snapshot for a new cycle.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise Conflict("A risk snapshot is kept for good: it cannot be deleted.")
