"""Information assets (ISO/IEC 27001 A.5.9) and the classification scheme (A.5.12, A.5.13).

The classification scheme is organisation-level: one ordered list of levels, each with its
handling, retention and disposal rules. For AI the scheme is *extended*, not replaced: each
level also says whether data at that level may be used to train or to evaluate AI systems,
within which licence scope, and how training data is deleted (see docs/assets.md).

Assets are management-system records (docs/adr/0004): each belongs to one management system.
"""

from __future__ import annotations

import uuid

from django.db import models

from keel.organisation.models import ManagementSystem
from keel.platform.models import User

from .choices import AssetType


class ClassificationLevel(models.Model):
    """One level of the classification scheme; ``rank`` orders them (1 = least sensitive)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    key = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    rank = models.PositiveSmallIntegerField(unique=True)
    description = models.TextField(blank=True)
    handling = models.TextField(blank=True, help_text="How information at this level is handled.")
    retention = models.TextField(blank=True, help_text="How long it is kept.")
    disposal = models.TextField(blank=True, help_text="How it is disposed of.")
    # the AI extension
    ai_training_allowed = models.BooleanField(default=False, help_text="May be used to train AI systems.")
    ai_evaluation_allowed = models.BooleanField(
        default=False, help_text="May be used to evaluate or test AI systems."
    )
    licence_scope = models.TextField(blank=True, help_text="Within which licence or rights it may be used.")
    training_data_deletion = models.TextField(
        blank=True, help_text="How training data at this level is deleted (and models retrained)."
    )
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["rank"]

    def __str__(self) -> str:
        return self.name


class Asset(models.Model):
    """An information asset with its owner, type and classification."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    ref_id = models.CharField(max_length=32, unique=True, help_text="e.g. AS-012.")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    type = models.CharField(max_length=20, choices=AssetType.choices)
    management_system = models.ForeignKey(ManagementSystem, on_delete=models.PROTECT, related_name="assets")
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_assets"
    )
    classification = models.ForeignKey(
        ClassificationLevel, null=True, blank=True, on_delete=models.PROTECT, related_name="assets"
    )
    location = models.CharField(max_length=200, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ref_id"]
        indexes = [models.Index(fields=["type"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(type__in=[t.value for t in AssetType]), name="asset_type_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ref_id} {self.name}"
