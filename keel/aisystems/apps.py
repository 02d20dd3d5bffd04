from django.apps import AppConfig


class AISystemsConfig(AppConfig):
    name = "keel.aisystems"
    label = "aisystems"
    verbose_name = "AI system inventory"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import hooks  # the registrations import models, ready only now

        hooks.register()
