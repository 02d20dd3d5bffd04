from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "keel.organisation"
    label = "organisation"
    verbose_name = "Organisation, management systems, roles and context"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import hooks  # the registrations import models, ready only now

        hooks.register()
