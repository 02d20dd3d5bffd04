from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "keel.core"
    label = "core"
    verbose_name = "Organisation, people and audit trail"
    default_auto_field = "django.db.models.BigAutoField"
