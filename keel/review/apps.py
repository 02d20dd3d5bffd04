from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "keel.review"
    label = "review"
    verbose_name = "Management review"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import hooks  # the registrations import models, ready only now

        hooks.register()
