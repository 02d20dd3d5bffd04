from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "keel.assets"
    label = "assets"
    verbose_name = "Information assets and classification"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import hooks  # the registrations import models, ready only now

        hooks.register()
