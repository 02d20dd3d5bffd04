from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "keel.changes"
    label = "changes"
    verbose_name = "Changes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import hooks  # the registrations import models, ready only now

        hooks.register()
