from django.apps import AppConfig


class MappingConfig(AppConfig):
    name = "keel.mapping"
    label = "mapping"
    verbose_name = "Crosswalks and mapping suggestions"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import hooks  # the registrations import models, ready only now

        hooks.register()
