"""The AI system impact assessment (ISO/IEC 42001 6.1.4, 8.4, A.5), a record structured as
ISO/IEC 42005 describes: scope; the system; data; models; deployment environment; interested
parties; impacts (benefits and harms by dimension, with severity and likelihood on the risk
methodology's scales); measures and residual impact; approval; re-assessment triggers.

- An :class:`ImpactAssessment` row is one *version* of the assessment of one AI system. A
  re-assessment is a new version (a copy of the latest, as a draft). Approved versions never
  change their content: the services refuse, and :meth:`ImpactAssessment.save` refuses a save
  that touches content fields once approved. Only the workflow state (status superseded, the
  re-assessment-due flag) moves after approval.
- Field names are neutral so that the EU AI Act fundamental rights impact assessment and a GDPR
  DPIA can reuse them (mapping in docs/ai-systems.md).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models

from keel.aisystems.models import AIModel, AISystem, Dataset
from keel.organisation.models import InterestedParty
from keel.platform.errors import Conflict
from keel.platform.models import User
from keel.risks.models import Methodology
from keel.standards.models import Requirement

from .choices import Affects, AssessmentStatus, Dimension, Nature, Occurrence

CONTENT_FIELDS = (
    "scope",
    "system_description",
    "capabilities",
    "purpose",
    "intended_uses",
    "unintended_uses",
    "data_description",
    "data_quality",
    "models_description",
    "deployment_environment",
    "affected_people",
    "parties_notes",
    "trigger_stage_change",
    "trigger_new_model",
    "trigger_intended_use",
    "trigger_drift",
    "trigger_data_quality",
    "review_interval_months",
)


class ImpactAssessment(models.Model):
    """One version of the impact assessment of an AI system."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ai_system = models.ForeignKey(AISystem, on_delete=models.CASCADE, related_name="impact_assessments")
    version = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT)
    methodology = models.ForeignKey(
        Methodology,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The risk methodology version whose scales rate severity and likelihood.",
    )
    # scope
    scope = models.TextField(blank=True, help_text="What the assessment covers and what it leaves out.")
    # the system (prefilled from the AI system record)
    system_description = models.TextField(blank=True)
    capabilities = models.TextField(blank=True)
    purpose = models.TextField(blank=True)
    intended_uses = models.TextField(blank=True)
    unintended_uses = models.TextField(blank=True, help_text="Foreseeable misuse and uses out of scope.")
    # data and models
    datasets = models.ManyToManyField(Dataset, related_name="impact_assessments", blank=True)
    data_description = models.TextField(blank=True)
    data_quality = models.TextField(blank=True, help_text="Quality, representativeness and gaps of the data.")
    ai_models = models.ManyToManyField(AIModel, related_name="impact_assessments", blank=True)
    models_description = models.TextField(blank=True)
    # deployment environment
    deployment_environment = models.TextField(
        blank=True, help_text="Where and how it runs: regions, settings, users, human oversight."
    )
    # interested parties
    interested_parties = models.ManyToManyField(
        InterestedParty, related_name="impact_assessments", blank=True
    )
    affected_people = models.TextField(blank=True, help_text="People affected who are not users.")
    parties_notes = models.TextField(blank=True)
    # re-assessment triggers
    trigger_stage_change = models.BooleanField(default=True)
    trigger_new_model = models.BooleanField(default=True)
    trigger_intended_use = models.BooleanField(default=True)
    trigger_drift = models.BooleanField(
        default=True, help_text="Re-assess when an operating metric of the system breaches its threshold."
    )
    trigger_data_quality = models.BooleanField(
        default=True, help_text="Re-assess when a data-quality check fails on a dataset the system uses."
    )
    review_interval_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Re-assess at least this often (months); empty: no planned interval."
    )
    # re-assessment due (workflow state of an approved version)
    due = models.BooleanField(default=False)
    due_reason = models.CharField(max_length=300, blank=True)
    due_since = models.DateTimeField(null=True, blank=True)
    next_review_at = models.DateTimeField(
        null=True, blank=True, help_text="Approval date plus the planned interval: due from then on."
    )
    # authorship and approval
    author = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    approval_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ai_system", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["ai_system", "version"], name="impact_assessment_version_unique"),
            models.UniqueConstraint(
                fields=["ai_system"], condition=models.Q(status="draft"), name="impact_assessment_one_draft"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in AssessmentStatus]),
                name="impact_assessment_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(approved_at__isnull=False),
                name="impact_assessment_approved_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Impact assessment of {self.ai_system.short_name} v{self.version}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding and self.pk:
            stored = ImpactAssessment.objects.filter(pk=self.pk).values("status", *CONTENT_FIELDS).first()
            if stored and stored["status"] != AssessmentStatus.DRAFT:
                changed = [f for f in CONTENT_FIELDS if stored[f] != getattr(self, f)]
                if changed:
                    raise Conflict(
                        f"Version {self.version} of this impact assessment is approved and never changes: "
                        "start a re-assessment (a new version) to change it."
                    )
        super().save(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.status == AssessmentStatus.DRAFT


IMPACT_FIELDS = (
    "title",
    "description",
    "occurrence",
    "affects",
    "affected_who",
    "nature",
    "dimension",
    "severity",
    "likelihood",
    "measures",
    "residual_severity",
    "residual_likelihood",
)


class Impact(models.Model):
    """One actual or potential impact of the AI system on individuals, groups or society: a
    benefit or a harm, by dimension, rated on the methodology's impact (severity) and likelihood
    scales, with the measures taken and the residual impact. A harm can be raised into the AI
    risk register (``risks``: the risks raised from it, each pointing back here)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    assessment = models.ForeignKey(ImpactAssessment, on_delete=models.CASCADE, related_name="impacts")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    occurrence = models.CharField(max_length=10, choices=Occurrence.choices, default=Occurrence.POTENTIAL)
    affects = models.CharField(max_length=12, choices=Affects.choices)
    affected_who = models.TextField(blank=True, help_text="Who exactly is affected.")
    nature = models.CharField(max_length=8, choices=Nature.choices)
    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    objective = models.ForeignKey(
        Requirement,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The ISO/IEC 42001 Annex C objective of the dimension, when it has one.",
    )
    severity = models.PositiveSmallIntegerField()
    likelihood = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=40, blank=True)
    measures = models.TextField(blank=True)
    residual_severity = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    residual_level = models.CharField(max_length=40, blank=True)
    copied_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The impact of the previous version this one was carried over from.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(dimension__in=[d.value for d in Dimension]), name="impact_dimension_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(nature__in=[n.value for n in Nature]), name="impact_nature_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(affects__in=[a.value for a in Affects]), name="impact_affects_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title
