from __future__ import annotations

from typing import Any

from django.apps import AppConfig


def _evidence_systems(evidence: Any) -> set[Any]:
    """The systems the evidence names and those of every control it is linked to."""
    from keel.core.models import ManagementSystem

    own = set(evidence.management_systems.values_list("pk", flat=True))
    via_controls = ManagementSystem.objects.filter(controls__evidence_links__evidence=evidence)
    return own | set(via_controls.values_list("pk", flat=True))


def _of_evidence(record: Any) -> set[Any]:
    return _evidence_systems(record.evidence)


def _control_link_systems(link: Any) -> set[Any]:
    return _evidence_systems(link.evidence) | set(
        link.control.management_systems.values_list("pk", flat=True)
    )


class EvidenceConfig(AppConfig):
    name = "keel.evidence"
    label = "evidence"
    verbose_name = "Evidence"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from keel.core import trail

        trail.register_systems("evidence.evidence", _evidence_systems)
        trail.register_systems("evidence.evidenceversion", _of_evidence)
        trail.register_systems("evidence.evidencecontrol", _control_link_systems)
        trail.register_systems("evidence.evidencerequirement", _of_evidence)
