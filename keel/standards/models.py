"""The standards library: standards, their entries, and attribute vocabularies.

Content comes from the data files in ``keel/standards/data`` and is loaded by ``keel init``
(:mod:`keel.standards.loader`), never by a migration. Entries are keyed by a URN-like string
that never changes between data revisions; entries a newer revision drops are withdrawn,
not deleted, so links to them stay valid.
"""

from __future__ import annotations

from django.db import models

from .choices import EntryKind, HSRelation, StandardOrigin


class Standard(models.Model):
    """A published standard in one edition, e.g. ``iso27001:2022``.

    The edition is part of the key; ``revision`` is Keel's data revision of the files.
    """

    key = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=120)
    edition = models.CharField(max_length=16)
    title = models.CharField(max_length=255)
    publisher = models.CharField(max_length=64, blank=True)
    description = models.TextField(blank=True)
    revision = models.PositiveIntegerField()
    amendments = models.JSONField(default=list, blank=True)
    source = models.CharField(
        max_length=255, help_text="Data folder the standard was loaded from, or the imported file's name."
    )
    origin = models.CharField(
        max_length=16,
        choices=StandardOrigin.choices,
        default=StandardOrigin.SHIPPED,
        help_text="Shipped with Keel (data files) or a foreign catalogue imported from CSV.",
    )
    loaded_at = models.DateTimeField()

    class Meta:
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(origin__in=[o.value for o in StandardOrigin]), name="standard_origin_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}:{self.edition}" if self.edition else self.name

    @property
    def is_imported(self) -> bool:
        return self.origin == StandardOrigin.IMPORTED

    # Standards whose scope names AI systems, lifecycle stages and AI roles (ISO/IEC 42001 4.3).
    AI_MANAGEMENT_STANDARDS = ("iso42001",)

    @classmethod
    def key_covers_ai_systems(cls, key: str) -> bool:
        return key.split(":", 1)[0] in cls.AI_MANAGEMENT_STANDARDS

    @property
    def covers_ai_systems(self) -> bool:
        """True for an AI management system standard: its scope names AI systems."""
        return self.key_covers_ai_systems(self.key)


class Requirement(models.Model):
    """One entry of a standard: a clause, Annex A theme, objective or control, or an Annex C item."""

    key = models.CharField(max_length=128, unique=True)
    standard = models.ForeignKey(Standard, on_delete=models.PROTECT, related_name="requirements")
    ref_id = models.CharField(max_length=32)
    title = models.CharField(max_length=255)
    kind = models.CharField(max_length=24, choices=EntryKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    depth = models.PositiveSmallIntegerField(default=0)
    sort_order = models.PositiveIntegerField(default=0)
    intent = models.TextField(blank=True)
    auditor_focus = models.TextField(blank=True)
    typical_evidence = models.JSONField(default=list, blank=True)
    documented_information = models.BooleanField(default=False)
    documented_information_note = models.TextField(blank=True)
    customarily_documented_note = models.TextField(
        blank=True, help_text="Records auditors commonly expect although the text does not require them."
    )
    hs_key = models.CharField(max_length=32, blank=True, db_index=True)
    hs_relation = models.CharField(max_length=16, choices=HSRelation.choices, blank=True)
    amendments = models.JSONField(default=list, blank=True)
    introduced_in_revision = models.PositiveIntegerField(default=1)
    withdrawn_in_revision = models.PositiveIntegerField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    search_text = models.TextField(blank=True, help_text="Lower-cased text the standards search matches.")

    class Meta:
        ordering = ["standard", "sort_order"]
        indexes = [
            models.Index(fields=["standard", "kind"]),
            models.Index(fields=["standard", "sort_order"]),
            models.Index(fields=["standard", "ref_id"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["standard", "ref_id"], name="requirement_unique_ref_per_standard"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=[k.value for k in EntryKind]), name="requirement_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ref_id} {self.title}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class Vocabulary(models.Model):
    """A tagging vocabulary, such as the ISO/IEC 27002:2022 control attributes."""

    key = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    revision = models.PositiveIntegerField()
    loaded_at = models.DateTimeField()

    class Meta:
        ordering = ["key"]
        verbose_name_plural = "vocabularies"

    def __str__(self) -> str:
        return self.name


class VocabularyTerm(models.Model):
    """One value of one attribute of a vocabulary, e.g. ``control_type`` / ``#Preventive``."""

    vocabulary = models.ForeignKey(Vocabulary, on_delete=models.CASCADE, related_name="terms")
    attribute_key = models.CharField(max_length=64)
    attribute_name = models.CharField(max_length=120)
    attribute_description = models.TextField(blank=True)
    value = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["vocabulary", "sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["vocabulary", "attribute_key", "value"], name="vocabulary_term_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.attribute_name}: {self.value}"
