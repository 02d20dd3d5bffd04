from __future__ import annotations

from typing import Any

from django.apps import AppConfig


def _control_systems(control: Any) -> list[Any]:
    return list(control.management_systems.values_list("pk", flat=True))


def _link_systems(link: Any) -> list[Any]:
    return _control_systems(link.control)


class ControlsConfig(AppConfig):
    name = "keel.controls"
    label = "controls"
    verbose_name = "Control catalogue"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from keel.core import trail

        # A control belongs to several systems; a link concerns its control's systems.
        trail.register_systems("controls.control", _control_systems)
        trail.register_systems("controls.controllink", _link_systems)
