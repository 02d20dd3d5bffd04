from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "keel.platform"
    label = "platform"
    verbose_name = "Accounts, permissions, page and API helpers, audit trail"
    default_auto_field = "django.db.models.BigAutoField"
