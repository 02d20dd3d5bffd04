"""What the evidence app registers at start-up: its cards on the requirement and control pages,
the "has current evidence" column of the control list, and its consistency-check rules
(implemented controls without evidence, expired evidence behind implemented controls)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.http import HttpRequest
from django.urls import reverse

from keel.controls.choices import ImplementationStatus
from keel.controls.models import Control
from keel.organisation.models import ManagementSystem
from keel.platform import checks, hooks, trail
from keel.platform.models import User
from keel.platform.permissions import Perm, system_ids_with
from keel.platform.views.common import current_user
from keel.standards.models import Requirement
from keel.work import reminders

from . import due
from .choices import EvidenceStatus, Validity
from .models import Evidence, EvidenceControl
from .queries import for_control, for_requirement, today, validity_q, visible


def requirement_panel(request: HttpRequest, req: Requirement) -> dict[str, Any]:
    return {"req": req, "evidence": for_requirement(req.pk, current_user(request))}


def choices(kind: str) -> type[models.TextChoices] | None:
    return Validity if kind == "evidence_validity" else None


def control_panel(request: HttpRequest, control: Control) -> dict[str, Any]:
    user = current_user(request)
    return {
        "control": control,
        "evidence": for_control(control, user),
        "can_add_evidence": system_ids_with(user, Perm.EDIT_EVIDENCE) != set(),
    }


def _evidence_systems(evidence: Any) -> set[Any]:
    """The systems the evidence names and those of every control it is linked to."""
    own = set(evidence.management_systems.values_list("pk", flat=True))
    via_controls = ManagementSystem.objects.filter(controls__evidence_links__evidence=evidence)
    return own | set(via_controls.values_list("pk", flat=True))


def _of_evidence(record: Any) -> set[Any]:
    return _evidence_systems(record.evidence)


def _control_link_systems(link: Any) -> set[Any]:
    return _evidence_systems(link.evidence) | set(
        link.control.management_systems.values_list("pk", flat=True)
    )


def current_links() -> QuerySet[EvidenceControl]:
    """Links to evidence that counts for a control today: not withdrawn, not expired (the rule
    of the SoA's evidence-aware status, docs/soa.md)."""
    return EvidenceControl.objects.filter(evidence__status=EvidenceStatus.CURRENT).exclude(
        validity_q(Validity.EXPIRED, today(), prefix="evidence__current_version__")
    )


def annotate_controls(qs: QuerySet[Control]) -> QuerySet[Control]:
    """``has_current_evidence`` for the control list: "implemented — no evidence" (docs/controls.md)."""
    return qs.annotate(has_current_evidence=Exists(current_links().filter(control=OuterRef("pk"))))


# ---------------------------------------------------------------- consistency-check rules


def _implemented(systems: checks.Systems) -> QuerySet[Control]:
    qs = Control.objects.filter(status=ImplementationStatus.IMPLEMENTED)
    if systems is not None:
        members = Control.management_systems.through.objects
        qs = qs.filter(
            models.Q(pk__in=members.filter(managementsystem_id__in=systems).values("control_id"))
            | ~models.Q(pk__in=members.values("control_id"))
        )
    return qs.prefetch_related(
        Prefetch("management_systems", ManagementSystem.objects.order_by("short_name"))
    )


def _system_of(control: Control, systems: checks.Systems) -> Any:
    """The management system a control's finding is filed under: its first system the viewer
    may see (None for an organisation-level control)."""
    own = [ms.pk for ms in control.management_systems.all()]
    if not own:
        return None
    seen = [pk for pk in own if systems is None or pk in systems]
    return (seen or own)[0]


def implemented_without_evidence(systems: checks.Systems) -> list[checks.Finding]:
    """Implemented controls with no evidence at all behind them (withdrawn evidence does not
    count; a control whose only evidence has expired is the next rule's finding)."""
    live = EvidenceControl.objects.filter(evidence__status=EvidenceStatus.CURRENT, control=OuterRef("pk"))
    qs = _implemented(systems).annotate(has_any=Exists(live)).filter(has_any=False).order_by("ref_id")
    return [
        checks.Finding(
            rule="implemented_control_without_evidence",
            title=f"{c.ref_id} is implemented but no evidence stands behind it",
            detail=f"{c.ref_id} {c.title} is marked implemented with no evidence linked. Link evidence of "
            "its operation from the control page, or set its status back to in progress.",
            record_label=f"{c.ref_id} {c.title}",
            url=reverse("control-detail", args=[c.ref_id]),
            management_system_id=_system_of(c, systems),
        )
        for c in qs
    ]


def expired_evidence(systems: checks.Systems) -> list[checks.Finding]:
    """Expired evidence (its current version's "valid until" has passed) linked to implemented
    controls: one finding per piece of evidence, naming the controls it was meant to support."""
    on = today()
    links = (
        EvidenceControl.objects.filter(
            evidence__status=EvidenceStatus.CURRENT, control__in=_implemented(systems)
        )
        .filter(validity_q(Validity.EXPIRED, on, prefix="evidence__current_version__"))
        .select_related("evidence__current_version", "control")
        .prefetch_related(
            Prefetch("control__management_systems", ManagementSystem.objects.order_by("short_name"))
        )
        .order_by("evidence__ref_id", "control__ref_id")
    )
    grouped: dict[Any, list[EvidenceControl]] = {}
    for link in links:
        grouped.setdefault(link.evidence_id, []).append(link)
    out = []
    for group in grouped.values():
        ev = group[0].evidence
        version = ev.current_version
        until = version.valid_until.isoformat() if version and version.valid_until else "?"
        refs = ", ".join(link.control.ref_id for link in group)
        out.append(
            checks.Finding(
                rule="expired_evidence_behind_implemented_control",
                title=f"{ev.ref_id} expired on {until} but still supports implemented {refs}",
                detail=f"{ev.ref_id} {ev.title} was valid until {until}; the implemented control"
                f"{'s' if len(group) > 1 else ''} {refs} rely on it. Add a new version of the evidence "
                "collected since, or withdraw it and link current evidence.",
                record_label=f"{ev.ref_id} {ev.title}",
                url=reverse("evidence-detail", args=[ev.ref_id]),
                management_system_id=_system_of(group[0].control, systems),
            )
        )
    return out


def owned(person: User, viewer: User | None) -> list[hooks.Owned]:
    """The evidence ``person`` owns that ``viewer`` may see (the person page)."""
    qs = visible(Evidence.objects.filter(owner=person), viewer).order_by("ref_id")
    return [
        hooks.Owned(
            "Evidence", e.ref_id, e.title, reverse("evidence-detail", args=[e.ref_id]), e.get_status_display()
        )
        for e in qs
    ]


def register() -> None:
    reminders.register("evidence_expiry", due.expiring)
    hooks.register("person.owned", owned)
    # The systems a trail entry concerns (docs/audit-trail.md).
    trail.register_systems("evidence.evidence", _evidence_systems)
    trail.register_systems("evidence.evidenceversion", _of_evidence)
    trail.register_systems("evidence.evidencecontrol", _control_link_systems)
    trail.register_systems("evidence.evidencerequirement", _of_evidence)
    hooks.register_panel("control_detail", "evidence/_control_panel.html", control_panel)
    hooks.register("choice_labels", choices)
    hooks.register("control.annotate_controls", annotate_controls)
    checks.register(
        checks.Rule(
            "implemented_control_without_evidence",
            "Implemented controls without evidence",
            "evidence",
            implemented_without_evidence,
            order=50,
        )
    )
    checks.register(
        checks.Rule(
            "expired_evidence_behind_implemented_control",
            "Expired evidence behind implemented controls",
            "evidence",
            expired_evidence,
            order=60,
        )
    )
    hooks.register_panel(
        "requirement_detail", "evidence/_requirement_panel.html", requirement_panel, order=30
    )
