from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    name = "keel.organisation"
    label = "organisation"
    verbose_name = "Organisation, management systems, roles and context"
    default_auto_field = "django.db.models.BigAutoField"
