from __future__ import annotations

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "keel.documents"
    label = "documents"
    verbose_name = "Documents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import hooks  # the registrations import models, ready only now

        hooks.register()
