"""Models of keel.work: what the reminder job sent to whom (docs/work.md)."""

from __future__ import annotations

import uuid

from django.db import models

from keel.platform.models import User

from .choices import NotificationChannel


class Notification(models.Model):
    """One due item sent to one person. ``key`` is the :class:`keel.work.reminders.Due` key,
    which names the due date too: a changed due date is a new key, so it is sent again; the
    same key is never sent twice to the same person (unique constraint, the job's guard against
    two runs at once)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="notifications")
    key = models.CharField(max_length=300)
    source = models.CharField(
        max_length=60, help_text="The reminder source: document_review, evidence_expiry…"
    )
    kind = models.CharField(max_length=100, help_text="The heading: Document review, Evidence expiry…")
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=500, blank=True)
    due_on = models.DateField()
    management_system_id = models.UUIDField(null=True, blank=True)
    channel = models.CharField(
        max_length=8, choices=NotificationChannel.choices, default=NotificationChannel.EMAIL
    )
    address = models.CharField(max_length=254, help_text="The address it was sent to.")
    sent_at = models.DateTimeField()
    run = models.UUIDField(help_text="The `keel jobs run` that sent it (one digest per person per run).")

    class Meta:
        ordering = ["-sent_at", "due_on"]
        indexes = [models.Index(fields=["sent_at"]), models.Index(fields=["source"])]
        constraints = [
            models.UniqueConstraint(fields=["person", "key"], name="notification_once_per_person_key"),
            models.CheckConstraint(
                condition=models.Q(channel__in=NotificationChannel.values), name="notification_channel"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title} to {self.address}"
