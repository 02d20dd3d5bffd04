from django.apps import AppConfig


class ImprovementConfig(AppConfig):
    name = "keel.improvement"
    label = "improvement"
    verbose_name = "Improvement"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import hooks  # the registrations import models, ready only now

        hooks.register()
