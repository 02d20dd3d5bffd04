from django.apps import AppConfig


class CertificationConfig(AppConfig):
    name = "keel.certification"
    label = "certification"
    verbose_name = "Certification"
    default_auto_field = "django.db.models.BigAutoField"
