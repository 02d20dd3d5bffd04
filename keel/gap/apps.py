from django.apps import AppConfig


class GapConfig(AppConfig):
    name = "keel.gap"
    label = "gap"
    verbose_name = "Gap analysis"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import hooks  # the registrations import models, ready only now

        hooks.register()
