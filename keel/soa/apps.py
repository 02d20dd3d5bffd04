from django.apps import AppConfig


class SoaConfig(AppConfig):
    name = "keel.soa"
    label = "soa"
    verbose_name = "Statement of Applicability"
    default_auto_field = "django.db.models.BigAutoField"
