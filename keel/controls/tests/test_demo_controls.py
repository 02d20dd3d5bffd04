"""The demo organisation adopts the template library and gives it a realistic state."""

from __future__ import annotations

from keel.controls.models import Control, ControlLink
from keel.platform.models import TrailEntry
from keel.platform.tests.shared_db import LoadedDemo
from keel.platform.trail import verify


def test_given_templates_when_loading_the_demo_then_every_control_and_link_is_in_the_trail(
    demo: LoadedDemo,
) -> None:
    # Given the templates (loaded with the test database) and the demo loaded after them

    controls = Control.objects.all()
    assert controls.count() >= 90
    statuses = set(controls.values_list("status", flat=True))
    assert {"implemented", "in_progress", "planned"} <= statuses
    assert not controls.filter(owner__isnull=True).exists()
    logged_controls = set(
        TrailEntry.objects.filter(object_type="controls.control", action="create").values_list(
            "object_id", flat=True
        )
    )
    assert logged_controls == {str(pk) for pk in controls.values_list("pk", flat=True)}
    logged_links = set(
        TrailEntry.objects.filter(object_type="controls.controllink", action="create").values_list(
            "object_id", flat=True
        )
    )
    assert logged_links == {str(pk) for pk in ControlLink.objects.values_list("pk", flat=True)}
    assert verify().ok
