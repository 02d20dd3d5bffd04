from django.apps import AppConfig


class SuppliersConfig(AppConfig):
    name = "keel.suppliers"
    label = "suppliers"
    verbose_name = "Suppliers"
    default_auto_field = "django.db.models.BigAutoField"
