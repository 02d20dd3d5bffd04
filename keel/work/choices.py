"""Choices of keel.work."""

from django.db import models


class NotificationChannel(models.TextChoices):
    """How a reminder was sent (email only, today)."""

    EMAIL = "email", "Email"
