from django.apps import AppConfig


class SuppliersConfig(AppConfig):
    name = "keel.suppliers"
    label = "suppliers"
    verbose_name = "Suppliers"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import hooks  # the registrations import models, ready only now

        hooks.register()
