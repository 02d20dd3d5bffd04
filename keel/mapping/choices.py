"""Enums of crosswalks and mapping suggestions."""

from __future__ import annotations

from django.db import models


class Relation(models.TextChoices):
    """How the source entry relates to the target entry, in the set-theory vocabulary of
    NIST IR 8477: read "source <relation> target" (``subset``: everything the source asks
    is inside what the target asks; the target asks for more)."""

    EQUAL = "equal", "Equal"
    SUBSET = "subset", "Subset of"
    SUPERSET = "superset", "Superset of"
    INTERSECTS = "intersects", "Intersects with"
    NOT_RELATED = "not_related", "Not related"

    @classmethod
    def inverse(cls, value: str) -> str:
        """The relation read the other way round (target <relation> source)."""
        return {cls.SUBSET: cls.SUPERSET, cls.SUPERSET: cls.SUBSET}.get(cls(value), cls(value)).value


class Origin(models.TextChoices):
    """Where a crosswalk or relation comes from."""

    SHIPPED = "shipped", "Shipped with Keel"
    USER = "user", "Added in Keel"
    IMPORTED = "imported", "Imported from CSV"


class SuggestionMethod(models.TextChoices):
    LEXICAL = "lexical", "Lexical"
    SEMANTIC = "semantic", "Semantic"
    HYBRID = "hybrid", "Hybrid"


class SuggestionDecisionKind(models.TextChoices):
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
