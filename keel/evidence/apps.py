from __future__ import annotations

from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "keel.evidence"
    label = "evidence"
    verbose_name = "Evidence"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import hooks  # the registrations import models, ready only now

        hooks.register()
