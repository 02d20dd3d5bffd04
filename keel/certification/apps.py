from django.apps import AppConfig


class CertificationConfig(AppConfig):
    name = "keel.certification"
    label = "certification"
    verbose_name = "Certification"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import hooks  # the registrations import models, ready only now

        hooks.register()
