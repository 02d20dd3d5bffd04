"""Records of the EU AI Act app (docs/ai-act.md).

- :class:`Classification`: one *version* of the Act's classification of an AI system — the
  answers, the questionnaire version, the role, and what :func:`keel.aiact.classify.classify`
  concluded with its reasons. Never overwritten: a new classification is a new version; only
  the re-classification flag (workflow state) moves afterwards.
- :class:`ObligationStatus`: where an AI system stands on one obligation of the catalogue
  (``data/obligations.yaml``), with its evidence. No row means "not started".
- :class:`OperatingModelAdvice`: one version of the operating-model advice of the organisation
  (unified or federated management systems), with the answers and the reasons.
- :class:`FundamentalRightsAssessment`: the fundamental rights impact assessment of Art. 27 for
  an AI system, building on its AI system impact assessment (keel.impact).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models

from keel.aisystems.models import AISystem
from keel.evidence.models import Evidence
from keel.impact.models import ImpactAssessment
from keel.organisation.models import Organisation
from keel.platform.errors import Conflict
from keel.platform.models import User

from .choices import GPAI, ActRole, FriaStatus, HighRiskRoute, ObligationState, OperatingModel, Tier

CLASSIFICATION_CONTENT = (
    "questionnaire_version",
    "role",
    "answers",
    "tier",
    "high_risk_route",
    "annex_iii_points",
    "annex_i",
    "derogation_applied",
    "prohibited_practices",
    "transparency_cases",
    "gpai",
    "public_body",
    "reasons",
    "note",
)


class Classification(models.Model):
    """One version of the EU AI Act classification of an AI system."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ai_system = models.ForeignKey(AISystem, on_delete=models.CASCADE, related_name="act_classifications")
    version = models.PositiveIntegerField()
    questionnaire_version = models.CharField(max_length=20)
    role = models.CharField(
        max_length=24,
        choices=ActRole.choices,
        help_text="The organisation's role for this system under the Act.",
    )
    answers = models.JSONField(default=dict, help_text="Question key → yes/no, as answered.")
    tier = models.CharField(max_length=16, choices=Tier.choices)
    high_risk_route = models.CharField(max_length=12, choices=HighRiskRoute.choices, blank=True, default="")
    annex_iii_points = models.JSONField(default=list, blank=True)
    annex_i = models.BooleanField(default=False)
    derogation_applied = models.BooleanField(default=False)
    prohibited_practices = models.JSONField(default=list, blank=True)
    transparency_cases = models.JSONField(default=list, blank=True)
    gpai = models.CharField(max_length=10, choices=GPAI.choices, blank=True, default="")
    public_body = models.BooleanField(default=False)
    reasons = models.JSONField(default=list, help_text="The explanation: [{question, ref, text}].")
    note = models.TextField(blank=True)
    classified_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # re-classification due (workflow state; the content above never changes)
    redo_due = models.BooleanField(default=False)
    redo_reason = models.CharField(max_length=300, blank=True)
    redo_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["ai_system", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["ai_system", "version"], name="aiact_classification_version_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(tier__in=[t.value for t in Tier]), name="aiact_classification_tier_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=[r.value for r in ActRole]),
                name="aiact_classification_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"AI Act classification of {self.ai_system.short_name} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and self.pk:
            stored = Classification.objects.filter(pk=self.pk).values(*CLASSIFICATION_CONTENT).first()
            if stored and any(stored[f] != getattr(self, f) for f in CLASSIFICATION_CONTENT):
                raise Conflict(
                    f"Version {self.version} of this classification is on record and never changes: "
                    "classify the system again (a new version) instead."
                )
        super().save(*args, **kwargs)


class ObligationStatus(models.Model):
    """Where one AI system stands on one obligation of the catalogue."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ai_system = models.ForeignKey(AISystem, on_delete=models.CASCADE, related_name="act_obligations")
    obligation = models.CharField(max_length=40, help_text="The obligation's key in data/obligations.yaml.")
    status = models.CharField(
        max_length=16, choices=ObligationState.choices, default=ObligationState.NOT_STARTED
    )
    note = models.TextField(blank=True)
    evidence = models.ManyToManyField(Evidence, related_name="act_obligations", blank=True)
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ai_system", "obligation"]
        constraints = [
            models.UniqueConstraint(
                fields=["ai_system", "obligation"], name="aiact_obligation_status_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in ObligationState]),
                name="aiact_obligation_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.obligation} for {self.ai_system.short_name}"


class OperatingModelAdvice(models.Model):
    """One version of the operating-model advice: the answers, the recommendation and why."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="operating_models")
    version = models.PositiveIntegerField()
    answers = models.JSONField(default=dict)
    recommendation = models.CharField(max_length=10, choices=OperatingModel.choices)
    reasons = models.JSONField(default=list)
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "version"], name="aiact_operating_model_version_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(recommendation__in=[m.value for m in OperatingModel]),
                name="aiact_operating_model_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Operating model advice v{self.version}"


# The elements of Art. 27(1), (a) to (f), as the record's fields, with what each asks (our words).
FRIA_ELEMENTS: tuple[tuple[str, str, str], ...] = (
    (
        "processes",
        "(a)",
        "The deployer's processes in which the system is used, in line with its intended purpose.",
    ),
    ("period_of_use", "(b)", "For how long and how often the system is meant to be used."),
    ("affected_people", "(c)", "The categories of people and groups likely to be affected in this use."),
    (
        "risks_of_harm",
        "(d)",
        "The specific risks of harm to those people, in the light of the provider's information.",
    ),
    ("oversight_measures", "(e)", "How human oversight is carried out, following the instructions for use."),
    ("mitigation", "(f)", "What is done if the risks materialise, including internal governance."),
    ("complaints", "(f)", "How affected people can complain and get redress."),
)


class FundamentalRightsAssessment(models.Model):
    """The fundamental rights impact assessment (Art. 27) of one AI system: the elements the
    Act lists, written for this use, building on the system's AI system impact assessment
    (``impact_assessment``; its purpose, deployment, affected people and impacts pre-fill a new
    one). Complete once every element is written; ``notified_on`` is when the market
    surveillance authority was notified of the results."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ai_system = models.OneToOneField(
        AISystem, on_delete=models.CASCADE, related_name="fundamental_rights_assessment"
    )
    impact_assessment = models.ForeignKey(
        ImpactAssessment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fundamental_rights_assessments",
    )
    status = models.CharField(max_length=10, choices=FriaStatus.choices, default=FriaStatus.DRAFT)
    processes = models.TextField(blank=True)
    period_of_use = models.TextField(blank=True)
    affected_people = models.TextField(blank=True)
    risks_of_harm = models.TextField(blank=True)
    oversight_measures = models.TextField(blank=True)
    mitigation = models.TextField(blank=True)
    complaints = models.TextField(blank=True)
    note = models.TextField(blank=True)
    completed_on = models.DateField(null=True, blank=True)
    notified_on = models.DateField(
        null=True, blank=True, help_text="When the authority was notified of the results."
    )
    author = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in FriaStatus]), name="aiact_fria_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(notified_on__isnull=True) | models.Q(status=FriaStatus.COMPLETE),
                name="aiact_fria_notified_when_complete",
            ),
        ]

    def __str__(self) -> str:
        return f"Fundamental rights impact assessment of {self.ai_system.name}"

    def missing(self) -> list[str]:
        """The elements still empty."""
        return [name for name, _ref, _text in FRIA_ELEMENTS if not getattr(self, name).strip()]
