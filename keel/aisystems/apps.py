from django.apps import AppConfig


class AISystemsConfig(AppConfig):
    name = "keel.aisystems"
    label = "aisystems"
    verbose_name = "AI system inventory"
    default_auto_field = "django.db.models.BigAutoField"
