"""Enums of the standards library."""

from django.db import models


class EntryKind(models.TextChoices):
    CLAUSE = "clause", "Clause"
    ANNEX_THEME = "annex_theme", "Annex A theme or area"
    OBJECTIVE = "objective", "Control objective"
    ANNEX_CONTROL = "annex_control", "Annex A control"
    ANNEX_C_OBJECTIVE = "annex_c_objective", "Annex C objective"
    ANNEX_C_RISK_SOURCE = "annex_c_risk_source", "Annex C risk source"
    CATALOG_ITEM = "catalog_item", "Catalogue item"  # an entry of an imported foreign catalogue


class HSRelation(models.TextChoices):
    """How a clause relates to the harmonised structure (Annex SL) shared by both standards."""

    SHARED = "shared", "Shared backbone clause"
    PARALLEL = "parallel", "Parallel clause, discipline-specific content"


class StandardOrigin(models.TextChoices):
    """Where a standard comes from: Keel's data files, or a catalogue a user imported from CSV."""

    SHIPPED = "shipped", "Shipped with Keel"
    IMPORTED = "imported", "Imported catalogue"
