from django.apps import AppConfig


class WorkConfig(AppConfig):
    name = "keel.work"
    label = "work"
    verbose_name = "Work"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import hooks  # the registrations import models, ready only now

        hooks.register()
