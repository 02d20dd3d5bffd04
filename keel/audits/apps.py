from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "keel.audits"
    label = "audits"
    verbose_name = "Audits"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import hooks  # the registrations import models, ready only now

        hooks.register()
