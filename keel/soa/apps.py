from django.apps import AppConfig


class SoaConfig(AppConfig):
    name = "keel.soa"
    label = "soa"
    verbose_name = "Statement of Applicability"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import hooks  # the registrations import models, ready only now

        hooks.register()
