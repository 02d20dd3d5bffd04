from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "keel.support"
    label = "support"
    verbose_name = "Leadership, objectives and support"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import hooks  # the registrations import models, ready only now

        hooks.register()
