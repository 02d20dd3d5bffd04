from django.apps import AppConfig


class ImpactConfig(AppConfig):
    name = "keel.impact"
    label = "impact"
    verbose_name = "AI system impact assessment"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import hooks

        hooks.register()
