from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "keel.site"
    label = "site"
    verbose_name = "Dashboard, navigation, demo, URL and API mounting, CLI"
    default_auto_field = "django.db.models.BigAutoField"
