"""Write-side services of nonconformities (docs/improvement.md): one transaction each, a
permission check, the nonconformity's row locked (and its version checked when the caller
gives one) for every read-change-save, and an audit-trail entry.

:func:`raise_nonconformity` is what every source calls: audits (a finding becomes a
nonconformity), certification (a certification body's finding), incidents (the post-incident
review), management review and the consistency checks. The steps that follow — correction,
root cause, corrective actions (:mod:`keel.improvement.actions`), effectiveness and closure
(:mod:`keel.improvement.closure`) — move ``status`` on; nobody sets it directly.

Permissions: raising needs ``raise_nonconformities`` over every management system named (or at
organisation level when none is); handling needs ``manage_nonconformities``, or
``work_own_nonconformities`` for the nonconformity's owner (correction, root cause, actions).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from keel.organisation import resolvers
from keel.organisation.models import ManagementSystem, Organisation
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version, next_ref
from keel.platform.errors import PermissionDenied, ValidationFailed
from keel.platform.permissions import OWNED, Perm, check, has_owner_perm
from keel.platform.records import apply_fields, clean

from . import progress, refs
from .choices import (
    CorrectiveActionStatus,
    NonconformityKind,
    NonconformitySource,
    NonconformityStatus,
    RootCauseMethod,
)
from .models import EffectivenessCheck, Nonconformity

NC_PREFIX = "NC-"
EDIT_FIELDS = ("title", "description", "kind", "source", "source_ref", "source_url", "owner", "raised_on")
LINK_FIELDS = ("management_systems", "requirements", "controls")
TRAIL_FIELDS = (
    "ref_id",
    *EDIT_FIELDS,
    "raised_by",
    "status",
    "correction",
    "corrected_on",
    "root_cause_method",
    "root_cause_whys",
    "root_cause",
    "root_cause_on",
    "recurrence_of",
    "closed_on",
    "closed_by",
)
CHECK_FIELDS = ("nonconformity", "checked_by", "checked_on", "effective", "evidence", "evidence_note", "note")


# ---------------------------------------------------------------- shared helpers


def snapshot(nc: Nonconformity) -> dict[str, Any]:
    data = trail.snapshot(nc, TRAIL_FIELDS)
    data["management_systems"] = sorted(ms.short_name for ms in nc.management_systems.all())
    data["requirements"] = sorted(r.key for r in nc.requirements.all())
    data["controls"] = sorted(c.ref_id for c in nc.controls.all())
    return data


def systems_of(nc: Nonconformity) -> list[ManagementSystem]:
    return list(nc.management_systems.all())


def check_on(
    actor: Actor, perm: str, systems: Iterable[ManagementSystem], owner_id: uuid.UUID | None = None
) -> None:
    """``perm`` over every system (the organisation when none). For a permission over one's
    own records, the wider one or ownership with the narrower one passes."""
    systems = list(systems) or [None]  # type: ignore[list-item]
    if perm in OWNED and not (actor.user is None and actor.channel in {"cli", "system"}):
        if all(has_owner_perm(actor.user, perm, ms, owner_id) for ms in systems):
            return
        wider = Perm(OWNED[perm]).label.lower()
        raise PermissionDenied(
            f"{actor.label} is not allowed to: {wider}; the owner may work on their own nonconformities."
        )
    for ms in systems:
        check(actor, perm, ms)


def record(actor: Actor, action: str, nc: Nonconformity, before: dict[str, Any]) -> None:
    """Bump the revision, save, and trail what changed."""
    nc.revision += 1
    nc.save()
    changes = trail.diff(before, snapshot(nc))
    if changes or action == TrailAction.CREATE:
        trail.record(
            actor, action, nc, changes=changes, management_system_ids=[ms.pk for ms in systems_of(nc)]
        )


def locked(actor: Actor, ref: Any, expected_version: str | None = None) -> Nonconformity:
    """The nonconformity read FOR UPDATE inside the caller's transaction, version checked."""
    nc = refs.nonconformity(ref, actor, lock=True)
    check_version(nc, expected_version, nc.ref_id)
    return nc


def refuse_closed(nc: Nonconformity, doing: str) -> None:
    if nc.status == NonconformityStatus.CLOSED:
        raise ValidationFailed(
            f"{nc.ref_id} is closed: it cannot {doing}. Raise a new nonconformity (linked as a recurrence).",
            {"status": ["Closed."]},
        )


def _links(actor: Actor, nc: Nonconformity, values: dict[str, Any]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    if "management_systems" in values:
        out["management_systems"] = refs.management_systems(values["management_systems"], actor)
    if "requirements" in values:
        out["requirements"] = refs.requirements(values["requirements"])
    if "controls" in values:
        out["controls"] = refs.controls(values["controls"], actor)
    systems = out.get("management_systems", systems_of(nc) if nc.pk else [])
    for control in out.get("controls", []):
        resolvers.same_system(
            systems,
            list(control.management_systems.all()),
            what=f"control {control.ref_id}",
            field="controls",
        )
    return out


def _recurrence(nc: Nonconformity, value: Any, actor: Actor) -> Nonconformity | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    earlier = refs.nonconformity(value, actor)
    if nc.pk is not None and earlier.pk == nc.pk:
        raise ValidationFailed(
            "A nonconformity cannot be a recurrence of itself.", {"recurrence_of": ["Itself."]}
        )
    if nc.raised_on and earlier.raised_on > nc.raised_on:
        raise ValidationFailed(
            f"{earlier.ref_id} was raised after this one: a recurrence links to an earlier nonconformity.",
            {"recurrence_of": ["Not earlier."]},
        )
    return earlier


# ---------------------------------------------------------------- raise and edit


def raise_nonconformity(
    actor: Actor,
    *,
    organisation: Organisation | uuid.UUID | str | None,
    title: str,
    description: str,
    source: str,
    source_ref: str = "",
    source_url: str = "",
    kind: str = NonconformityKind.MINOR,
    management_systems: Iterable[Any] = (),
    requirements: Iterable[Any] = (),
    controls: Iterable[Any] = (),
    owner: Any = None,
    raised_on: dt.date | None = None,
    raised_by: Any = None,
    recurrence_of: Any = None,
) -> Nonconformity:
    """Raise a nonconformity (NC-nnn), status ``open``. References are accepted as the rest of
    Keel takes them: management systems by object, id or short name; requirements by object or
    key (``iso27001:2022:9.2``, or a bare id unique across standards); controls by object, id or
    ``KC-nnn``; people by object, email or id (no login needed). ``raised_by`` defaults to the
    actor's user. Needs ``raise_nonconformities`` over every management system named."""
    with transaction.atomic():
        nc = Nonconformity(
            organisation=refs.organisation(organisation),
            raised_on=raised_on or timezone.localdate(),
            status=NonconformityStatus.OPEN,
        )
        links = _links(
            actor,
            nc,
            {"management_systems": management_systems, "requirements": requirements, "controls": controls},
        )
        check_on(actor, Perm.RAISE_NONCONFORMITIES, links["management_systems"])
        apply_fields(
            nc,
            {
                "title": title,
                "description": description,
                "kind": kind,
                "source": source,
                "source_ref": source_ref or "",
                "source_url": source_url or "",
                "owner": refs.person(owner, "owner"),
            },
            EDIT_FIELDS,
        )
        nc.raised_by = refs.person(raised_by, "raised_by") if raised_by else actor.user
        nc.recurrence_of = _recurrence(nc, recurrence_of, actor)
        if source not in NonconformitySource.values:
            raise ValidationFailed(
                f"Unknown source {source!r}: one of {', '.join(NonconformitySource.values)}.",
                {"source": ["Unknown source."]},
            )
        nc.ref_id = next_ref(Nonconformity, NC_PREFIX)
        clean(nc, "nonconformity", exclude=["ref_id"])
        nc.save()
        for name, items in links.items():
            getattr(nc, name).set(items)
        record(actor, TrailAction.CREATE, nc, {})
    return nc


def update_nonconformity(
    actor: Actor, ref: Any, *, expected_version: str | None = None, **data: Any
) -> Nonconformity:
    """Change the description fields and links (``EDIT_FIELDS``, ``LINK_FIELDS``,
    ``recurrence_of``) of an open nonconformity. Needs ``manage_nonconformities`` over its
    systems before and after."""
    with transaction.atomic():
        nc = locked(actor, ref, expected_version)
        check_on(actor, Perm.MANAGE_NONCONFORMITIES, systems_of(nc))
        refuse_closed(nc, "be edited")
        before = snapshot(nc)
        links = _links(actor, nc, {k: data.pop(k) for k in LINK_FIELDS if k in data})
        if "management_systems" in links:
            check_on(actor, Perm.MANAGE_NONCONFORMITIES, links["management_systems"])
        if "recurrence_of" in data:
            nc.recurrence_of = _recurrence(nc, data.pop("recurrence_of"), actor)
        if "owner" in data:
            data["owner"] = refs.person(data["owner"], "owner")
        apply_fields(nc, data, EDIT_FIELDS)
        clean(nc, "nonconformity")
        for name, items in links.items():
            getattr(nc, name).set(items)
        record(actor, TrailAction.UPDATE, nc, before)
    return nc


# ---------------------------------------------------------------- the steps


def sync_status(nc: Nonconformity) -> None:
    """Set ``status`` from the record, its actions and its checks (not saved)."""
    nc.status = progress.status_of(nc, list(nc.actions.all()), list(nc.effectiveness_checks.all()))


def _day(value: dt.date | None, field: str, nc: Nonconformity, what: str) -> dt.date:
    day = value or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationFailed(f"The {what} date cannot be in the future.", {field: ["In the future."]})
    if day < nc.raised_on:
        raise ValidationFailed(
            f"The {what} date cannot be before {nc.ref_id} was raised ({nc.raised_on.isoformat()}).",
            {field: ["Before the nonconformity was raised."]},
        )
    return day


def record_correction(
    actor: Actor,
    ref: Any,
    *,
    correction: str,
    corrected_on: dt.date | None = None,
    expected_version: str | None = None,
) -> Nonconformity:
    """Record what was done at once to contain and correct the nonconformity (10.2 a)."""
    with transaction.atomic():
        nc = locked(actor, ref, expected_version)
        check_on(actor, Perm.WORK_OWN_NONCONFORMITIES, systems_of(nc), nc.owner_id)
        refuse_closed(nc, "be changed")
        text = (correction or "").strip()
        if not text:
            raise ValidationFailed(
                "Describe the correction: what was done to contain it (write 'none possible' and why, if so).",
                {"correction": ["Required."]},
            )
        before = snapshot(nc)
        apply_fields(nc, {"correction": text}, ("correction",))
        nc.corrected_on = _day(corrected_on, "corrected_on", nc, "correction")
        sync_status(nc)
        clean(nc, "nonconformity")
        record(actor, TrailAction.UPDATE, nc, before)
    return nc


def record_root_cause(
    actor: Actor,
    ref: Any,
    *,
    method: str,
    conclusion: str,
    whys: Iterable[str] = (),
    analysed_on: dt.date | None = None,
    expected_version: str | None = None,
) -> Nonconformity:
    """Record the root-cause analysis (10.2 b): five whys (the whys in order, at least two) or a
    free analysis, and the conclusion: the cause the corrective actions will remove."""
    with transaction.atomic():
        nc = locked(actor, ref, expected_version)
        check_on(actor, Perm.WORK_OWN_NONCONFORMITIES, systems_of(nc), nc.owner_id)
        refuse_closed(nc, "be changed")
        if method not in RootCauseMethod.values:
            raise ValidationFailed(
                f"Unknown method {method!r}: one of {', '.join(RootCauseMethod.values)}.",
                {"method": ["Unknown method."]},
            )
        chain = [" ".join(str(w).split()) for w in ([whys] if isinstance(whys, str) else whys)]
        chain = [w for w in chain if w]
        if method == RootCauseMethod.FIVE_WHYS and len(chain) < 2:
            raise ValidationFailed(
                "A five-whys analysis needs the whys: at least two, each answering the one before.",
                {"whys": ["At least two."]},
            )
        if len(chain) > 10 or any(len(w) > 500 for w in chain):
            raise ValidationFailed(
                "Give at most ten whys of at most 500 characters each.", {"whys": ["Too long."]}
            )
        if not (conclusion or "").strip():
            raise ValidationFailed(
                "State the root cause: the cause the corrective actions will remove.",
                {"conclusion": ["Required."]},
            )
        before = snapshot(nc)
        apply_fields(nc, {"root_cause": conclusion.strip()}, ("root_cause",))
        nc.root_cause_method = method
        nc.root_cause_whys = chain
        nc.root_cause_on = _day(analysed_on, "analysed_on", nc, "analysis")
        sync_status(nc)
        clean(nc, "nonconformity")
        record(actor, TrailAction.UPDATE, nc, before)
    return nc


def record_effectiveness(
    actor: Actor,
    ref: Any,
    *,
    effective: bool,
    checked_by: Any = None,
    checked_on: dt.date | None = None,
    evidence: Any = None,
    evidence_note: str = "",
    note: str = "",
    expected_version: str | None = None,
) -> EffectivenessCheck:
    """Record whether the corrective actions worked (10.2 d), once they are all done: who
    checked (a person; default the actor), when, and on what evidence (an EV-nnn record or a
    note of what was looked at). Not effective sends the nonconformity back to corrective
    actions: new ones are needed before another check."""
    with transaction.atomic():
        nc = locked(actor, ref, expected_version)
        check_on(actor, Perm.MANAGE_NONCONFORMITIES, systems_of(nc))
        refuse_closed(nc, "be checked again")
        actions = list(nc.actions.all())
        checks = list(nc.effectiveness_checks.all())
        if not actions:
            raise ValidationFailed(
                f"{nc.ref_id} has no corrective action yet: effectiveness is checked after its actions are done.",
                {"effective": ["No corrective action."]},
            )
        not_done = [a.ref_id for a in actions if a.status != CorrectiveActionStatus.DONE]
        if not_done:
            raise ValidationFailed(
                f"Effectiveness is checked once every action is done: {', '.join(not_done)} "
                f"{'is' if len(not_done) == 1 else 'are'} not done.",
                {"effective": ["Actions not done."]},
            )
        current = progress.current_check(actions, checks)
        if current is not None and not current.effective:
            raise ValidationFailed(
                f"The last check found the actions of {nc.ref_id} not effective: add new corrective actions first.",
                {"effective": ["Add new corrective actions."]},
            )
        who = refs.person(checked_by, "checked_by") if checked_by else actor.user
        if who is None:
            raise ValidationFailed("Name who checked the effectiveness.", {"checked_by": ["Required."]})
        day = _day(checked_on, "checked_on", nc, "check")
        last_done = max(a.done_on for a in actions if a.done_on)
        if day < last_done:
            raise ValidationFailed(
                f"The check cannot be before the last action was done ({last_done.isoformat()}).",
                {"checked_on": ["Before the actions were done."]},
            )
        found = refs.evidence(evidence)
        if found is None and not (evidence_note or "").strip():
            raise ValidationFailed(
                "Give the evidence the check rests on: an evidence record or a note of what was looked at.",
                {"evidence": ["Required: evidence or a note."]},
            )
        made = EffectivenessCheck(
            nonconformity=nc,
            checked_by=who,
            checked_on=day,
            effective=bool(effective),
            evidence=found,
            evidence_note=(evidence_note or "").strip(),
            note=(note or "").strip(),
            recorded_by=actor.user,
        )
        clean(made, "effectiveness check")
        made.save()
        before = snapshot(nc)
        sync_status(nc)
        record(actor, TrailAction.UPDATE, nc, before)
        trail.record(
            actor,
            TrailAction.CREATE,
            made,
            changes=trail.diff({}, trail.snapshot(made, CHECK_FIELDS)),
            management_system_ids=[ms.pk for ms in systems_of(nc)],
        )
    return made


def close_nonconformity(
    actor: Actor, ref: Any, *, closed_on: dt.date | None = None, expected_version: str | None = None
) -> Nonconformity:
    """Close the nonconformity. Refused, naming every missing step, unless the correction and
    root cause are recorded, every corrective action is done and an effective check follows
    them."""
    with transaction.atomic():
        nc = locked(actor, ref, expected_version)
        check_on(actor, Perm.MANAGE_NONCONFORMITIES, systems_of(nc))
        if nc.status == NonconformityStatus.CLOSED:
            raise ValidationFailed(f"{nc.ref_id} is already closed.", {"status": ["Closed."]})
        actions = list(nc.actions.all())
        checks = list(nc.effectiveness_checks.all())
        missing = progress.missing_for_closure(nc, actions, checks)
        if missing:
            raise ValidationFailed(
                f"{nc.ref_id} cannot be closed yet: {'; '.join(missing)}.", {"status": missing}
            )
        check = progress.current_check(actions, checks)
        day = _day(closed_on, "closed_on", nc, "closing")
        if check is not None and day < check.checked_on:
            raise ValidationFailed(
                f"It cannot close before its effectiveness was checked ({check.checked_on.isoformat()}).",
                {"closed_on": ["Before the effectiveness check."]},
            )
        before = snapshot(nc)
        nc.status = NonconformityStatus.CLOSED
        nc.closed_on = day
        nc.closed_by = actor.user
        record(actor, TrailAction.UPDATE, nc, before)
    return nc
