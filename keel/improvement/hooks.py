"""What the improvement app registers at start-up (ImprovementConfig.ready):

- on the person page, the nonconformities and corrective actions a person owns;
- two reminder sources (keel.work.reminders): corrective actions due or overdue (their owner)
  and effectiveness checks due (the nonconformity's owner, :data:`EFFECTIVENESS_CHECK_DAYS`
  after its last action was done);
- two consistency-check rules (docs/consistency-check.md): corrective actions past their due
  date, and nonconformities open for :data:`ROOT_CAUSE_DAYS` days without a root cause;
- ``management_system.restructured``: when the EU AI Act split moves ISO/IEC 42001 into its
  own management system, or a merge joins two, nonconformities follow (re-tagged).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import Max, Prefetch
from django.urls import reverse
from django.utils import timezone

from keel.organisation.models import ManagementSystem
from keel.platform import checks, hooks, trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.models import User
from keel.work import reminders

from . import queries
from .choices import OPEN_NONCONFORMITY, CorrectiveActionStatus, NonconformityStatus
from .models import CorrectiveAction, Nonconformity

ROOT_CAUSE_DAYS = 30  # an open nonconformity should have its root cause within a month
EFFECTIVENESS_CHECK_DAYS = 30  # the check is due a month after the last action was done


def _first_system(nc: Nonconformity, systems: checks.Systems) -> uuid.UUID | None:
    """The system a finding or reminder is filed under: the first of the nonconformity's that
    the perimeter includes (organisation level when it has none)."""
    ids = [ms.pk for ms in nc.management_systems.all()]
    if not ids:
        return None
    inside = [i for i in ids if systems is None or i in systems]
    return (inside or ids)[0]


def _in_perimeter(systems: checks.Systems) -> Any:
    qs = Nonconformity.objects.prefetch_related("management_systems")
    if systems is None:
        return qs
    return qs.filter(queries.member_of(systems))


# ---------------------------------------------------------------- person page


def owned(person: User, viewer: User | None) -> list[hooks.Owned]:
    ncs = queries.visible(Nonconformity.objects.filter(owner=person, status__in=OPEN_NONCONFORMITY), viewer)
    acts = queries.visible(
        CorrectiveAction.objects.filter(owner=person, status=CorrectiveActionStatus.OPEN).select_related(
            "nonconformity"
        ),
        viewer,
        ref="nonconformity_id",
    )
    out = [
        hooks.Owned(
            "Nonconformities",
            nc.ref_id,
            nc.title,
            reverse("nonconformity-detail", args=[nc.ref_id]),
            nc.get_status_display(),
        )
        for nc in ncs.order_by("ref_id")
    ]
    out += [
        hooks.Owned(
            "Corrective actions",
            a.ref_id,
            a.description[:120],
            reverse("nonconformity-detail", args=[a.nonconformity.ref_id]),
            f"due {a.due_on.isoformat()}",
        )
        for a in acts.order_by("due_on", "ref_id")
    ]
    return out


# ---------------------------------------------------------------- reminders


def actions_due(organisation: Any, today: dt.date, horizon: dt.timedelta) -> Iterable[reminders.Due]:
    qs = (
        CorrectiveAction.objects.filter(
            status=CorrectiveActionStatus.OPEN,
            due_on__lte=today + horizon,
            nonconformity__organisation=organisation,
        )
        .select_related("nonconformity")
        .prefetch_related("nonconformity__management_systems")
    )
    for a in qs:
        nc = a.nonconformity
        yield reminders.Due(
            key=f"corrective_action:{a.ref_id}:{a.due_on.isoformat()}",
            kind="Corrective action",
            title=f"{a.ref_id} of {nc.ref_id}: {a.description[:100]}",
            url=reverse("nonconformity-detail", args=[nc.ref_id]),
            due=a.due_on,
            person_id=a.owner_id,
            management_system_id=_first_system(nc, None),
            detail="owner",
        )


def effectiveness_due(organisation: Any, today: dt.date, horizon: dt.timedelta) -> Iterable[reminders.Due]:
    qs = (
        Nonconformity.objects.filter(status=NonconformityStatus.EFFECTIVENESS, organisation=organisation)
        .annotate(last_done=Max("actions__done_on"))
        .prefetch_related("management_systems", "effectiveness_checks", "actions")
    )
    for nc in qs:
        if nc.last_done is None:
            continue
        due = nc.last_done + dt.timedelta(days=EFFECTIVENESS_CHECK_DAYS)
        if due > today + horizon:
            continue
        yield reminders.Due(
            key=f"effectiveness_check:{nc.ref_id}:{due.isoformat()}",
            kind="Effectiveness check",
            title=f"{nc.ref_id} {nc.title}: check that its corrective actions worked",
            url=reverse("nonconformity-detail", args=[nc.ref_id]),
            due=due,
            person_id=nc.owner_id,
            management_system_id=_first_system(nc, None),
            detail="owner",
        )


# ---------------------------------------------------------------- consistency check


def actions_overdue(systems: checks.Systems) -> list[checks.Finding]:
    today = timezone.localdate()
    ncs = _in_perimeter(systems).filter(status__in=OPEN_NONCONFORMITY)
    qs = (
        CorrectiveAction.objects.filter(
            status=CorrectiveActionStatus.OPEN, due_on__lt=today, nonconformity__in=ncs
        )
        .select_related("owner")
        .prefetch_related(
            Prefetch("nonconformity", Nonconformity.objects.prefetch_related("management_systems"))
        )
        .order_by("due_on", "ref_id")
    )
    return [
        checks.Finding(
            rule="corrective_action_overdue",
            title=f"{a.ref_id} of {a.nonconformity.ref_id} is {(today - a.due_on).days} days overdue",
            detail=f"The corrective action owned by {a.owner.display_name} was due on {a.due_on.isoformat()}. "
            "Complete it with its evidence, or agree a new due date and record why.",
            record_label=f"{a.ref_id} {a.description[:80]}",
            url=reverse("nonconformity-detail", args=[a.nonconformity.ref_id]),
            management_system_id=_first_system(a.nonconformity, systems),
        )
        for a in qs
    ]


def without_root_cause(systems: checks.Systems) -> list[checks.Finding]:
    today = timezone.localdate()
    cutoff = today - dt.timedelta(days=ROOT_CAUSE_DAYS)
    qs = (
        _in_perimeter(systems)
        .filter(status__in=OPEN_NONCONFORMITY, root_cause="", raised_on__lt=cutoff)
        .order_by("raised_on", "ref_id")
    )
    return [
        checks.Finding(
            rule="nonconformity_without_root_cause",
            title=f"{nc.ref_id} {nc.title} has had no root cause for {(today - nc.raised_on).days} days",
            detail=f"A nonconformity's cause is to be analysed within {ROOT_CAUSE_DAYS} days, so that corrective "
            "actions remove it rather than its symptoms. Record the root cause (five whys or free).",
            record_label=f"{nc.ref_id} {nc.title}",
            url=reverse("nonconformity-detail", args=[nc.ref_id]),
            management_system_id=_first_system(nc, systems),
        )
        for nc in qs
    ]


# ---------------------------------------------------------------- split and merge


def restructured(
    actor: Actor, kind: str, source: ManagementSystem, target: ManagementSystem, standard: Any = None
) -> list[trail.Pending]:
    """Re-tag the nonconformities of ``source``. A split: one whose requirements are all of the
    moved standard goes to ``target``; one naming no requirement or requirements of both stays
    and is shared with ``target``. A merge: every one of ``source`` goes to ``target``."""
    pending: list[trail.Pending] = []
    for nc in Nonconformity.objects.filter(management_systems=source).prefetch_related(
        "management_systems", "requirements"
    ):
        before = sorted(ms.short_name for ms in nc.management_systems.all())
        stds = {r.standard_id for r in nc.requirements.all()}
        moves = kind == "merge" or (standard is not None and stds == {standard.pk})
        if moves:
            nc.management_systems.remove(source)
        nc.management_systems.add(target)
        after = sorted({*before, target.short_name} - ({source.short_name} if moves else set()))
        if after != before:
            nc.revision += 1
            nc.save(update_fields=["revision", "updated_at"])
            pending.append(
                trail.Pending(
                    TrailAction.UPDATE,
                    nc,
                    changes={
                        "management_systems": [before, after],
                        "reason": [None, f"management system {kind}"],
                    },
                    management_system_ids=[source.pk, target.pk],
                )
            )
    return pending


def register() -> None:
    hooks.register("person.owned", owned)
    hooks.register("management_system.restructured", restructured)
    reminders.register("corrective_action", actions_due)
    reminders.register("effectiveness_check", effectiveness_due)
    checks.register(
        checks.Rule(
            "corrective_action_overdue",
            "Corrective actions past their due date",
            "improvement",
            actions_overdue,
            order=95,
        )
    )
    checks.register(
        checks.Rule(
            "nonconformity_without_root_cause",
            "Nonconformities open without a root cause",
            "improvement",
            without_root_cause,
            order=96,
        )
    )


__all__ = ["register"]
