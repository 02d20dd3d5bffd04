from __future__ import annotations

from django.apps import AppConfig


class ControlsConfig(AppConfig):
    name = "keel.controls"
    label = "controls"
    verbose_name = "Control catalogue"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import hooks  # the registrations import models, ready only now

        hooks.register()
