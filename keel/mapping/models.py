"""Crosswalks between standards and the decisions people take on mapping suggestions.

A crosswalk relates the entries of one standard (the source) to those of another (the
target); each relation is typed with the set-theory vocabulary of NIST IR 8477 and carries
its rationale and, where the source only partly answers the target, an extension note
saying what must be added. Keel ships crosswalks as versioned data files (loaded by
``keel init`` like the standards); people add and edit relations in the app. A target entry
with nothing related to it is recorded as ``not_related`` with the reason, so a complete
crosswalk names every target entry.
"""

from __future__ import annotations

import uuid

from django.db import models

from keel.controls.models import Control
from keel.platform.models import User
from keel.standards.models import Requirement, Standard

from .choices import Origin, Relation, SuggestionDecisionKind, SuggestionMethod


class Crosswalk(models.Model):
    """A set of relations from the entries of ``source`` to those of ``target``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.SlugField(max_length=120, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    source = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="crosswalks_from")
    target = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="crosswalks_to")
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.USER)
    revision = models.PositiveIntegerField(
        default=1, help_text="Keel's data revision of a shipped crosswalk."
    )
    data_source = models.CharField(max_length=255, blank=True, help_text="Data file it was loaded from.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")), name="crosswalk_two_standards"
            ),
            models.CheckConstraint(
                condition=models.Q(origin__in=[o.value for o in Origin]), name="crosswalk_origin_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CrosswalkRelation(models.Model):
    """One relation: ``source <relation> target``. A ``not_related`` relation either has no
    source (the target entry has no counterpart at all) or names one (a pair reviewed and found to
    share only a theme, kept with its rationale so the reason stays on record); ``rationale``
    says why. Only the other relations carry coverage."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    crosswalk = models.ForeignKey(Crosswalk, on_delete=models.CASCADE, related_name="relations")
    source = models.ForeignKey(
        Requirement, null=True, blank=True, on_delete=models.PROTECT, related_name="crosswalk_sources"
    )
    target = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="crosswalk_targets")
    relation = models.CharField(max_length=16, choices=Relation.choices)
    rationale = models.TextField()
    extension = models.TextField(
        blank=True, help_text="What must be added to the source side to answer the target in full."
    )
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.USER)
    edited = models.BooleanField(
        default=False,
        help_text="A person changed a shipped relation; reloading the data keeps their version.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["crosswalk", "target__sort_order", "source__sort_order"]
        indexes = [
            models.Index(fields=["crosswalk", "target"]),
            models.Index(fields=["crosswalk", "source"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["crosswalk", "source", "target"],
                condition=models.Q(source__isnull=False),
                name="crosswalk_relation_unique_pair",
            ),
            models.UniqueConstraint(
                fields=["crosswalk", "target"],
                condition=models.Q(source__isnull=True),
                name="crosswalk_relation_one_unrelated_per_target",
            ),
            models.CheckConstraint(
                condition=models.Q(relation__in=[r.value for r in Relation]), name="crosswalk_relation_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(relation=Relation.NOT_RELATED) | models.Q(source__isnull=False),
                name="crosswalk_relation_related_has_source",
            ),
        ]

    def __str__(self) -> str:
        src = self.source.ref_id if self.source_id and self.source else "—"
        return f"{src} {self.relation} {self.target.ref_id if self.target_id else '?'}"


class SuggestionDecision(models.Model):
    """A person's answer to a mapping suggestion: accepted (it became a link) or rejected (it
    is not suggested again). The source is one of the organisation's controls or an entry of
    a loaded or imported catalogue."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    source_control = models.ForeignKey(
        Control, null=True, blank=True, on_delete=models.CASCADE, related_name="suggestion_decisions"
    )
    source_requirement = models.ForeignKey(
        Requirement,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="suggestion_decisions_as_source",
    )
    target = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="suggestion_decisions")
    decision = models.CharField(max_length=16, choices=SuggestionDecisionKind.choices)
    # Accepted: how the person said the source relates to the target (NIST IR 8477); blank
    # for a rejection.
    relation = models.CharField(max_length=16, choices=Relation.choices, blank=True)
    method = models.CharField(max_length=16, choices=SuggestionMethod.choices)
    score = models.FloatField()
    explanation = models.TextField(blank=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(source_control__isnull=False, source_requirement__isnull=True)
                    | models.Q(source_control__isnull=True, source_requirement__isnull=False)
                ),
                name="suggestion_decision_one_source",
            ),
            models.UniqueConstraint(
                fields=["source_control", "target"],
                condition=models.Q(source_control__isnull=False),
                name="suggestion_decision_unique_control",
            ),
            models.UniqueConstraint(
                fields=["source_requirement", "target"],
                condition=models.Q(source_requirement__isnull=False),
                name="suggestion_decision_unique_requirement",
            ),
            models.CheckConstraint(
                condition=models.Q(decision__in=[d.value for d in SuggestionDecisionKind]),
                name="suggestion_decision_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.decision}: → {self.target_id}"
