from django.apps import AppConfig


class AIActConfig(AppConfig):
    name = "keel.aiact"
    label = "aiact"
    verbose_name = "EU AI Act"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import hooks

        hooks.register()
