"""Enumerations of the EU AI Act app, with the labels pages show."""

from __future__ import annotations

from django.db import models

# the operating models of a management system (unified or federated): one enumeration for both apps
from keel.organisation.choices import OperatingModel as OperatingModel


class ActRole(models.TextChoices):
    """The organisation's role for one AI system under Regulation (EU) 2024/1689 (Art. 3),
    kept apart from the ISO/IEC 22989 roles the AI inventory records."""

    PROVIDER = "provider", "Provider"
    DEPLOYER = "deployer", "Deployer"
    IMPORTER = "importer", "Importer"
    DISTRIBUTOR = "distributor", "Distributor"
    PRODUCT_MANUFACTURER = "product_manufacturer", "Product manufacturer"


class Tier(models.TextChoices):
    PROHIBITED = "prohibited", "Prohibited practice"
    HIGH_RISK = "high_risk", "High-risk"
    TRANSPARENCY = "transparency", "Transparency obligations"
    MINIMAL = "minimal", "Minimal risk"
    OUT_OF_SCOPE = "out_of_scope", "Outside the Act's scope"


class HighRiskRoute(models.TextChoices):
    NONE = "", "Not high-risk"
    ANNEX_I = "annex_i", "Annex I product (Art. 6(1))"
    ANNEX_III = "annex_iii", "Annex III use case (Art. 6(2))"


class GPAI(models.TextChoices):
    NONE = "", "No general-purpose AI model"
    GPAI = "gpai", "General-purpose AI model"
    SYSTEMIC = "systemic", "General-purpose AI model with systemic risk"


class ObligationState(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    MET = "met", "Met"
    NOT_APPLICABLE = "not_applicable", "Not applicable"


class FriaStatus(models.TextChoices):
    """Where a fundamental rights impact assessment (Art. 27) stands."""

    DRAFT = "draft", "Draft"
    COMPLETE = "complete", "Complete"
