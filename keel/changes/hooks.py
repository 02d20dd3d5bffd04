"""What keel.changes registers at start-up (ChangesConfig.ready): the AI system page's panel
listing its model lifecycle changes; the ``management_system.restructured`` answer (a split
moves model lifecycle changes with their AI systems and adds the new system to management-system
changes; a merge moves everything); the reminders (planned changes not done by their date,
post-implementation reviews due); the consistency-check rule ``change_review_overdue``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from keel.aisystems.models import AISystem
from keel.organisation.models import ManagementSystem
from keel.platform import checks, hooks, trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.views.common import current_user
from keel.work import reminders

from . import queries
from .choices import OPEN, ChangeFamily, ChangeStatus
from .models import Change


def aisystem_panel(request: HttpRequest, system: AISystem) -> dict[str, Any]:
    return {"system": system, "changes": queries.model_changes(current_user(request), system)}


def _regroup(
    change: Change, add: list[ManagementSystem], remove: list[ManagementSystem]
) -> trail.Pending | None:
    before = sorted(change.management_systems.values_list("short_name", flat=True))
    change.management_systems.add(*add)
    change.management_systems.remove(*remove)
    after = sorted(change.management_systems.values_list("short_name", flat=True))
    if before == after:
        return None
    return trail.Pending(
        TrailAction.UPDATE,
        change,
        changes={"management_systems": [before, after]},
        management_system_ids=[m.pk for m in [*add, *remove]],
    )


def restructured(
    actor: Actor,
    kind: str,
    source: ManagementSystem,
    target: ManagementSystem,
    standard: Any = None,
    **_: Any,
) -> list[trail.Pending]:
    """Move or re-tag the changes when aiact splits or merges management systems.

    Split (the 42001 part of ``source`` becomes ``target``): model lifecycle changes follow
    their AI system (those whose system is now in ``target`` move there); information-system
    changes stay; management-system changes of ``source`` now touch ``target`` too. Merge
    (``source`` into ``target``): every change of ``source`` moves, and management-system
    changes name ``target`` instead of ``source``."""
    entries: list[trail.Pending] = []
    if kind == "split":
        rows = list(
            Change.objects.select_for_update(of=("self",))
            .filter(
                management_system=source,
                family=ChangeFamily.MODEL_LIFECYCLE,
                ai_system__management_system=target,
            )
            .order_by("ref_id")
        )
        moving = rows
        touching = (
            Change.objects.select_for_update(of=("self",))
            .filter(management_systems=source, family=ChangeFamily.MANAGEMENT_SYSTEM)
            .order_by("ref_id")
        )
        for change in touching:
            e = _regroup(change, [target], [])
            if e:
                entries.append(e)
    elif kind == "merge":
        moving = list(
            Change.objects.select_for_update(of=("self",)).filter(management_system=source).order_by("ref_id")
        )
        touching = (
            Change.objects.select_for_update(of=("self",))
            .filter(management_systems=source)
            .order_by("ref_id")
        )
        for change in touching:
            e = _regroup(change, [target], [source])
            if e:
                entries.append(e)
    else:
        return []
    entries += [
        trail.Pending(
            TrailAction.UPDATE,
            c,
            changes={"management_system": [source.short_name, target.short_name]},
            management_system_ids=[source.pk, target.pk],
        )
        for c in moving
    ]
    Change.objects.filter(pk__in=[c.pk for c in moving]).update(management_system=target)
    return entries


def reminders_due(organisation: Any, today: dt.date, horizon: dt.timedelta) -> Iterable[reminders.Due]:
    """Planned changes not implemented by their date (the owner acts) and implemented changes
    whose post-implementation review is due."""
    until = today + horizon
    planned = Change.objects.filter(
        status__in=OPEN, planned_on__isnull=False, planned_on__lte=until
    ).order_by("ref_id")
    out = [
        reminders.Due(
            key=f"change_planned:{c.ref_id}:{c.planned_on.isoformat()}",  # type: ignore[union-attr]
            kind="Planned change",
            title=f"{c.title} ({c.ref_id})",
            url=reverse("change-detail", args=[c.ref_id]),
            due=c.planned_on,  # type: ignore[arg-type]
            person_id=c.owner_id,  # Due says int; people have UUID keys
            management_system_id=c.management_system_id,
            detail=f"owner; {c.get_status_display().lower()}",
        )
        for c in planned
    ]
    cutoff = timezone.make_aware(
        dt.datetime.combine(until - dt.timedelta(days=queries.REVIEW_AFTER_DAYS), dt.time.max)
    )
    implemented = Change.objects.filter(status=ChangeStatus.IMPLEMENTED, implemented_at__lte=cutoff).order_by(
        "ref_id"
    )
    for c in implemented:
        due = queries.review_due_on(c)
        assert due is not None
        out.append(
            reminders.Due(
                key=f"change_review:{c.ref_id}:{due.isoformat()}",
                kind="Post-implementation review",
                title=f"{c.title} ({c.ref_id})",
                url=reverse("change-detail", args=[c.ref_id]),
                due=due,
                person_id=c.owner_id,
                management_system_id=c.management_system_id,
                detail="owner",
            )
        )
    return out


def reviews_overdue(systems: checks.Systems) -> list[checks.Finding]:
    today = timezone.localdate()
    return [
        checks.Finding(
            rule="change_review_overdue",
            title=f"{c.ref_id} {c.title} was implemented {(today - timezone.localtime(c.implemented_at).date()).days} "
            "days ago and has not been reviewed",
            detail=f"An implemented change is reviewed within {queries.REVIEW_AFTER_DAYS} days: did it do what it "
            "should, with what side effects? Write the post-implementation review and close the change.",
            record_label=f"{c.ref_id} {c.title}",
            url=reverse("change-detail", args=[c.ref_id]),
            management_system_id=c.management_system_id,
        )
        for c in queries.reviews_overdue(systems)
    ]


def register() -> None:
    hooks.register("management_system.restructured", restructured)
    hooks.register_panel("aisystem_detail", "changes/_aisystem_panel.html", aisystem_panel, order=120)
    reminders.register("change", reminders_due)
    checks.register(
        checks.Rule(
            "change_review_overdue",
            "Implemented changes without their post-implementation review",
            "changes",
            reviews_overdue,
            order=95,
        )
    )


__all__ = ["register"]
