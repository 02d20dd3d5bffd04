from django.apps import AppConfig


class AuditsConfig(AppConfig):
    name = "keel.audits"
    label = "audits"
    verbose_name = "Audits"
    default_auto_field = "django.db.models.BigAutoField"
