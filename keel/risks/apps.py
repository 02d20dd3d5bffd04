from django.apps import AppConfig


class RisksConfig(AppConfig):
    name = "keel.risks"
    label = "risks"
    verbose_name = "Risk management"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import hooks  # the registrations import models, ready only now

        hooks.register()
