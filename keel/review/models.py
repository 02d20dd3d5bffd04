"""Management review (9.3 of ISO/IEC 27001 and ISO/IEC 42001; docs/management-review.md).

- :class:`ManagementReview` — one meeting of top management (MR-2026-01): the management systems
  it covers, its date, chair and attendees; planned → held → minutes approved.
- :class:`ReviewItem` — one agenda item: an input the standards require (9.3.2), tagged with the
  standard that asks for it. Its figures and chart are computed live from Keel's records until
  the review is held; holding it freezes them (``figures`` JSON + ``chart_svg``) and the minutes
  show only the frozen copy from then on.
- :class:`ReviewDecision` — a decision recorded at the review (9.3.3).
- :class:`ReviewAction` — an action decided, with its owner (a person, login or not), due date
  and status; the next review lists them under "status of actions from previous reviews".
"""

from __future__ import annotations

import uuid

from django.db import models

from keel.organisation.models import ManagementSystem, Organisation
from keel.platform.models import User

from .choices import ReviewActionStatus, ReviewStatus, ReviewTag


class ManagementReview(models.Model):
    """A management review meeting and its minutes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ref_id = models.CharField(max_length=32, unique=True, help_text="e.g. MR-2026-01.")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="management_reviews"
    )
    management_systems = models.ManyToManyField(ManagementSystem, related_name="management_reviews")
    title = models.CharField(max_length=200)
    held_on = models.DateField(help_text="The day of the meeting (planned, then actual).")
    chair = models.ForeignKey(User, on_delete=models.PROTECT, related_name="chaired_reviews")
    attendees = models.ManyToManyField(User, related_name="attended_reviews", blank=True)
    status = models.CharField(max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.PLANNED)
    period_start = models.DateField(
        help_text="Changes since this day are reported (the previous review, or a year before)."
    )
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="next_reviews"
    )
    frozen_at = models.DateTimeField(null=True, blank=True, help_text="When the inputs were frozen.")
    conclusions = models.TextField(
        blank=True, help_text="Overall conclusions on the suitability, adequacy and effectiveness."
    )
    approved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="approved_reviews"
    )
    approved_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-held_on", "-ref_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in ReviewStatus]), name="review_status"
            ),
            models.CheckConstraint(
                condition=models.Q(period_start__lte=models.F("held_on")), name="review_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref_id} {self.title}"

    @property
    def frozen(self) -> bool:
        return self.frozen_at is not None


class ReviewItem(models.Model):
    """One agenda item: an input of 9.3.2, its figures (frozen at the meeting) and the notes of
    the discussion. ``input`` is the key of the provider that fills it (keel/review/inputs/)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    review = models.ForeignKey(ManagementReview, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    input = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    clause = models.CharField(max_length=40, help_text="The clause that asks for it, e.g. 9.3.2 b.")
    tag = models.CharField(max_length=8, choices=ReviewTag.choices)
    figures = models.JSONField(null=True, blank=True, help_text="The figures frozen at the meeting.")
    chart_svg = models.TextField(blank=True, help_text="The chart frozen at the meeting (SVG).")
    notes = models.TextField(blank=True, help_text="What was discussed.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["review", "position"]
        constraints = [
            models.UniqueConstraint(fields=["review", "position"], name="review_item_position_unique"),
            models.UniqueConstraint(fields=["review", "input"], name="review_item_input_unique"),
            models.CheckConstraint(
                condition=models.Q(tag__in=[t.value for t in ReviewTag]), name="review_item_tag"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class ReviewDecision(models.Model):
    """A decision of the review (9.3.3): on improvement, changes to the system, resources."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    review = models.ForeignKey(ManagementReview, on_delete=models.CASCADE, related_name="decisions")
    item = models.ForeignKey(
        ReviewItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    number = models.PositiveSmallIntegerField()
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["review", "number"]
        constraints = [
            models.UniqueConstraint(fields=["review", "number"], name="review_decision_number_unique")
        ]

    def __str__(self) -> str:
        return f"D{self.number} {self.text[:60]}"


class ReviewAction(models.Model):
    """An action decided at a review, with its owner and due date (RA-001)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ref_id = models.CharField(max_length=32, unique=True, help_text="e.g. RA-004.")
    review = models.ForeignKey(ManagementReview, on_delete=models.PROTECT, related_name="actions")
    decision = models.ForeignKey(
        ReviewDecision, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    item = models.ForeignKey(
        ReviewItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="review_actions")
    due_on = models.DateField()
    status = models.CharField(
        max_length=12, choices=ReviewActionStatus.choices, default=ReviewActionStatus.OPEN
    )
    done_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True, help_text="What was done, or why it was cancelled.")
    nonconformity_ref = models.CharField(
        max_length=32, blank=True, help_text="The nonconformity raised from this action, if any."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "ref_id"]
        indexes = [models.Index(fields=["status", "due_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=[s.value for s in ReviewActionStatus]),
                name="review_action_status",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done", done_on__isnull=True), name="review_action_done_dated"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref_id} {self.title}"
