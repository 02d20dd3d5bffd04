"""Enums of the asset inventory."""

from __future__ import annotations

from django.db import models


class AssetType(models.TextChoices):
    INFORMATION = "information", "Information"
    DATASET = "dataset", "Dataset"
    MODEL = "model", "AI model"
    SOFTWARE = "software", "Software or service"
    INFRASTRUCTURE = "infrastructure", "Infrastructure"
    DEVICE = "device", "Device"
    PEOPLE = "people", "People and knowledge"
    SITE = "site", "Site or facility"
