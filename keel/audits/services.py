"""Write-side services of the audit programme and its audits: one transaction each, a
permission check, a row lock and version check on updates, and a trail entry
(docs/audits.md). Results, samples and findings are in :mod:`keel.audits.results`.

References are taken as the API and the CLI give them — a programme or audit by id or
reference, management systems by id or short name, requirements by key, controls by ``KC-nnn``,
AI systems by short name, people by email — and resolved through the shared resolvers."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from keel.aisystems.models import AISystem
from keel.controls.models import Control
from keel.organisation import resolvers
from keel.organisation.models import Organisation
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version, next_ref
from keel.platform.errors import Conflict, NotFound, ValidationFailed
from keel.platform.models import User
from keel.platform.permissions import Perm, check
from keel.platform.records import apply_fields, clean
from keel.standards.models import Requirement
from keel.standards.records import standards_by_key

from . import checklist
from .choices import AUDIT_TRANSITIONS, NONCONFORMING_GRADES, AuditItemResult, AuditStatus
from .independence import owned_in_scope
from .models import Audit, AuditItem, AuditProgramme, Finding

REPORT_GRACE_DAYS = 14  # a report is due this long after the audit's planned end, unless set

PROGRAMME_FIELDS = ("title", "first_year", "last_year", "criteria", "rationale", "owner")
AUDIT_FIELDS = (
    "title",
    "objective",
    "processes",
    "planned_start",
    "planned_end",
    "actual_start",
    "actual_end",
    "report_due",
    "lead_auditor",
    "conclusion",
)
AUDIT_TRAIL = (*AUDIT_FIELDS, "status")


# ---------------------------------------------------------------- references


def programme(ref: uuid.UUID | str | AuditProgramme, lock: bool = False) -> AuditProgramme:
    qs = AuditProgramme.objects.all()
    if lock:
        qs = qs.select_for_update()
    if isinstance(ref, AuditProgramme):
        ref = ref.pk
    pk = resolvers.as_uuid(ref)
    found = qs.filter(pk=pk).first() if pk else qs.filter(ref_id__iexact=str(ref).strip()).first()
    if found is None:
        raise NotFound(f"No audit programme {str(ref)[:60]!r}: give its id or reference (e.g. AP-001).")
    return found


def audit(ref: uuid.UUID | str | Audit, lock: bool = False) -> Audit:
    qs = Audit.objects.select_related("programme")
    if lock:
        qs = qs.select_for_update(of=("self",))
    if isinstance(ref, Audit):
        ref = ref.pk
    pk = resolvers.as_uuid(ref)
    found = qs.filter(pk=pk).first() if pk else qs.filter(ref_id__iexact=str(ref).strip()).first()
    if found is None:
        raise NotFound(f"No audit {str(ref)[:60]!r}: give its id or reference (e.g. AUD-2026-01).")
    return found


def _requirements(refs: Iterable[str | Requirement] | None) -> list[Requirement]:
    out: dict[int, Requirement] = {}
    for ref in refs or ():
        req = resolvers.requirement(ref, field="requirements", current=True)
        out.setdefault(req.pk, req)
    return list(out.values())


def _controls(refs: Iterable[str | Control] | None, actor: Actor) -> list[Control]:
    out: dict[uuid.UUID, Control] = {}
    qs = Control.objects.all()
    for ref in refs or ():
        c = resolvers.record(qs, ref, label="control", example="KC-012", field="controls")
        out.setdefault(c.pk, c)
    return list(out.values())


def _ai_systems(refs: Iterable[str | AISystem] | None) -> list[AISystem]:
    out: dict[uuid.UUID, AISystem] = {}
    for ref in refs or ():
        if isinstance(ref, AISystem):
            s: AISystem | None = ref
        else:
            pk = resolvers.as_uuid(ref)
            qs = AISystem.objects.all()
            s = qs.filter(pk=pk).first() if pk else qs.filter(short_name=str(ref).strip()).first()
        if s is None:
            raise ValidationFailed(
                f"No AI system {str(ref)[:60]!r}: give its short name.",
                {"ai_systems": ["Unknown AI system."]},
            )
        out.setdefault(s.pk, s)
    return list(out.values())


def _people(refs: Iterable[str | User] | None, field: str) -> list[User]:
    out: dict[Any, User] = {}
    for ref in refs or ():
        person = resolvers.user_by_email(ref, field=field)
        if person is not None:
            out.setdefault(person.pk, person)
    return list(out.values())


# ---------------------------------------------------------------- programmes


def create_programme(
    actor: Actor,
    *,
    title: str,
    first_year: int,
    last_year: int,
    standards: Iterable[str] = (),
    management_systems: Iterable[Any] = (),
    criteria: str = "",
    rationale: str = "",
    owner: str | User | None = None,
) -> AuditProgramme:
    """Plan an audit programme for the organisation over ``first_year``–``last_year``."""
    with transaction.atomic():
        check(actor, Perm.EDIT_AUDITS)
        org = Organisation.objects.first()
        if org is None:
            raise ValidationFailed("Set up the organisation first (keel init).")
        obj = AuditProgramme(organisation=org)
        apply_fields(
            obj,
            {
                "title": title,
                "first_year": first_year,
                "last_year": last_year,
                "criteria": criteria,
                "rationale": rationale,
                "owner": resolvers.user_by_email(owner, field="owner"),
            },
            PROGRAMME_FIELDS,
        )
        _check_years(obj)
        obj.ref_id = next_ref(AuditProgramme, "AP-")
        clean(obj, "audit programme", exclude=["organisation"])
        obj.save()
        obj.standards.set(standards_by_key(list(standards)))
        obj.management_systems.set(resolvers.management_systems(management_systems, actor))
        trail.record(
            actor,
            TrailAction.CREATE,
            obj,
            changes={**trail.snapshot(obj, PROGRAMME_FIELDS), "standards": sorted(standards)},
            management_system_ids=obj.management_systems.values_list("pk", flat=True),
        )
        return obj


def _check_years(obj: AuditProgramme) -> None:
    if obj.first_year and obj.last_year and obj.last_year < obj.first_year:
        raise ValidationFailed(
            "The programme's last year comes before its first year.",
            {"last_year": ["Before the first year."]},
        )
    if obj.first_year and obj.last_year and obj.last_year - obj.first_year > 4:
        raise ValidationFailed(
            "A programme covers at most five years (a certification cycle is three).",
            {"last_year": ["At most five years after the first."]},
        )


def update_programme(
    actor: Actor, ref: uuid.UUID | str, *, version: str | None = None, **data: Any
) -> AuditProgramme:
    with transaction.atomic():
        check(actor, Perm.EDIT_AUDITS)
        obj = programme(ref, lock=True)
        check_version(obj, version, f"Audit programme {obj.ref_id}")
        before = trail.snapshot(obj, PROGRAMME_FIELDS)
        stds = data.pop("standards", None)
        systems = data.pop("management_systems", None)
        if "owner" in data:
            data["owner"] = resolvers.user_by_email(data["owner"], field="owner")
        apply_fields(obj, data, PROGRAMME_FIELDS)
        _check_years(obj)
        clean(obj, "audit programme", exclude=["organisation"])
        obj.save()
        changes = trail.diff(before, trail.snapshot(obj, PROGRAMME_FIELDS))
        if stds is not None:
            obj.standards.set(standards_by_key(list(stds)))
            changes["standards"] = [None, sorted(stds)]
        if systems is not None:
            obj.management_systems.set(resolvers.management_systems(systems, actor))
            changes["management_systems"] = [None, sorted(str(s) for s in systems)]
        trail.record(actor, TrailAction.UPDATE, obj, changes=changes)
        return obj


# ---------------------------------------------------------------- audits


def _independence(
    people: Iterable[User | None],
    requirements: list[Requirement],
    controls: list[Control],
    ai_systems: list[AISystem],
    field: str,
) -> None:
    """Refuse an auditor who owns something in the scope, naming what they own."""
    problems: list[str] = []
    for person in people:
        if person is None:
            continue
        owned = owned_in_scope(person, requirements=requirements, controls=controls, ai_systems=ai_systems)
        if owned:
            problems.append(f"{person.display_name} owns {', '.join(owned)}")
    if problems:
        raise ValidationFailed(
            "An auditor may not audit their own work: "
            + "; ".join(problems)
            + ". Choose another auditor, or take what they own out of the audit's scope.",
            {field: ["Owns records in the audit's scope."]},
        )


def _scope_dates(obj: Audit, programme_: AuditProgramme) -> None:
    if obj.planned_start and obj.planned_end and obj.planned_end < obj.planned_start:
        raise ValidationFailed(
            "The audit's planned end comes before its planned start.", {"planned_end": ["Before the start."]}
        )
    if obj.planned_start and not programme_.first_year <= obj.planned_start.year <= programme_.last_year:
        raise ValidationFailed(
            f"The audit starts in {obj.planned_start.year}, outside the programme's period {programme_.period}.",
            {"planned_start": ["Outside the programme's period."]},
        )
    if obj.actual_start and obj.actual_end and obj.actual_end < obj.actual_start:
        raise ValidationFailed(
            "The audit's actual end comes before its actual start.", {"actual_end": ["Before the start."]}
        )


def plan_audit(
    actor: Actor,
    *,
    programme_ref: uuid.UUID | str | AuditProgramme,
    title: str,
    planned_start: dt.date,
    planned_end: dt.date,
    objective: str = "",
    requirements: Iterable[str | Requirement] = (),
    controls: Iterable[str | Control] = (),
    processes: str = "",
    ai_systems: Iterable[str | AISystem] = (),
    management_systems: Iterable[Any] = (),
    lead_auditor: str | User | None = None,
    team: Iterable[str | User] = (),
    report_due: dt.date | None = None,
) -> Audit:
    """Plan an audit in a programme (``AUD-<year>-nn``) and generate its checklist."""
    with transaction.atomic():
        check(actor, Perm.EDIT_AUDITS)
        prog = programme(programme_ref)
        reqs, ctls, systems = _requirements(requirements), _controls(controls, actor), _ai_systems(ai_systems)
        lead = resolvers.user_by_email(lead_auditor, field="lead_auditor")
        members = [p for p in _people(team, "team") if lead is None or p.pk != lead.pk]
        _independence([lead], reqs, ctls, systems, "lead_auditor")
        _independence(members, reqs, ctls, systems, "team")
        obj = Audit(programme=prog)
        apply_fields(
            obj,
            {
                "title": title,
                "objective": objective,
                "processes": processes,
                "planned_start": planned_start,
                "planned_end": planned_end,
                "report_due": report_due,
                "lead_auditor": lead,
            },
            AUDIT_FIELDS,
        )
        _scope_dates(obj, prog)
        obj.ref_id = next_ref(Audit, f"AUD-{planned_start.year}-", width=2)
        clean(obj, "audit", exclude=["programme"])
        obj.save()
        obj.requirements.set(reqs)
        obj.controls.set(ctls)
        obj.ai_systems.set(systems)
        obj.management_systems.set(resolvers.management_systems(management_systems, actor))
        obj.team.set(members)
        _sync_checklist(obj, reqs, ctls)
        trail.record(actor, TrailAction.CREATE, obj, changes=_scope_snapshot(obj))
        return obj


def _scope_snapshot(obj: Audit) -> dict[str, Any]:
    return {
        **trail.snapshot(obj, AUDIT_TRAIL),
        "requirements": sorted(obj.requirements.values_list("key", flat=True)),
        "controls": sorted(obj.controls.values_list("ref_id", flat=True)),
        "ai_systems": sorted(obj.ai_systems.values_list("short_name", flat=True)),
        "management_systems": sorted(obj.management_systems.values_list("short_name", flat=True)),
        "team": sorted(obj.team.values_list("email", flat=True)),
    }


def update_audit(actor: Actor, ref: uuid.UUID | str, *, version: str | None = None, **data: Any) -> Audit:
    """Change an audit's details, scope or auditors (not a closed one). A changed scope adds
    checklist items for what came in and drops the untouched items of what went out; the
    independence check runs on the new scope and auditors."""
    with transaction.atomic():
        check(actor, Perm.EDIT_AUDITS)
        obj = audit(ref, lock=True)
        check_version(obj, version, f"Audit {obj.ref_id}")
        if obj.status == AuditStatus.CLOSED:
            raise Conflict(f"Audit {obj.ref_id} is closed: its record no longer changes.")
        before = _scope_snapshot(obj)
        reqs = (
            _requirements(data.pop("requirements"))
            if "requirements" in data
            else list(obj.requirements.all())
        )
        ctls = _controls(data.pop("controls"), actor) if "controls" in data else list(obj.controls.all())
        systems = _ai_systems(data.pop("ai_systems")) if "ai_systems" in data else list(obj.ai_systems.all())
        ms = data.pop("management_systems", None)
        team = _people(data.pop("team"), "team") if "team" in data else list(obj.team.all())
        if "lead_auditor" in data:
            data["lead_auditor"] = resolvers.user_by_email(data["lead_auditor"], field="lead_auditor")
        apply_fields(obj, data, AUDIT_FIELDS)
        lead = obj.lead_auditor
        team = [p for p in team if lead is None or p.pk != lead.pk]
        _independence([lead], reqs, ctls, systems, "lead_auditor")
        _independence(team, reqs, ctls, systems, "team")
        _scope_dates(obj, obj.programme)
        clean(obj, "audit", exclude=["programme"])
        obj.save()
        obj.requirements.set(reqs)
        obj.controls.set(ctls)
        obj.ai_systems.set(systems)
        if ms is not None:
            obj.management_systems.set(resolvers.management_systems(ms, actor))
        obj.team.set(team)
        _sync_checklist(obj, reqs, ctls)
        changes = trail.diff(before, _scope_snapshot(obj))
        trail.record(actor, TrailAction.UPDATE, obj, changes=changes)
        return obj


def _sync_checklist(obj: Audit, reqs: list[Requirement], ctls: list[Control]) -> None:
    """One item per clause and control of the scope, in the standards' order then the
    controls'; an item whose subject left the scope is dropped unless it holds a result."""
    existing = list(obj.items.all())
    have_req = {i.requirement_id: i for i in existing if i.requirement_id}
    have_ctl = {i.control_id: i for i in existing if i.control_id}
    req_ids, ctl_ids = {r.pk for r in reqs}, {c.pk for c in ctls}
    for item in existing:
        gone = (item.requirement_id and item.requirement_id not in req_ids) or (
            item.control_id and item.control_id not in ctl_ids
        )
        if gone and item.result == AuditItemResult.NOT_AUDITED and not item.notes:
            item.delete()
    records = checklist.records_for(reqs, ctls)
    ordered_reqs = sorted(reqs, key=lambda r: (r.standard.key, r.sort_order))
    position = 0
    new: list[AuditItem] = []
    for req in ordered_reqs:
        position += 1
        if req.pk in have_req:
            AuditItem.objects.filter(pk=have_req[req.pk].pk).update(position=position)
            continue
        new.append(
            AuditItem(
                audit=obj,
                position=position,
                requirement=req,
                questions=checklist.requirement_questions(req),
                to_sample=records.get(("requirement", req.pk), []),
            )
        )
    for ctl in sorted(ctls, key=lambda c: c.ref_id):
        position += 1
        if ctl.pk in have_ctl:
            AuditItem.objects.filter(pk=have_ctl[ctl.pk].pk).update(position=position)
            continue
        new.append(
            AuditItem(
                audit=obj,
                position=position,
                control=ctl,
                questions=checklist.control_questions(ctl),
                to_sample=records.get(("control", ctl.pk), []),
            )
        )
    AuditItem.objects.bulk_create(new)


def move_audit(
    actor: Actor, ref: uuid.UUID | str, to: str, *, version: str | None = None, on: dt.date | None = None
) -> Audit:
    """Move an audit along planned → in progress → reported → closed (a reported audit may go
    back to in progress). Reporting needs the conclusion; closing needs every nonconformity
    finding raised in the improvement queue. The refusal names every missing step."""
    with transaction.atomic():
        check(actor, Perm.EDIT_AUDITS)
        obj = audit(ref, lock=True)
        check_version(obj, version, f"Audit {obj.ref_id}")
        if to not in AuditStatus.values:
            raise ValidationFailed(
                f"Unknown audit status {to!r}: one of {', '.join(AuditStatus.values)}.",
                {"status": ["Unknown."]},
            )
        if to not in AUDIT_TRANSITIONS[obj.status]:
            raise Conflict(
                f"Audit {obj.ref_id} is {obj.get_status_display().lower()}: it cannot become "
                f"{AuditStatus(to).label.lower()}."
            )
        day = on or dt.date.today()
        before = trail.snapshot(obj, AUDIT_TRAIL)
        if to == AuditStatus.IN_PROGRESS and obj.actual_start is None:
            obj.actual_start = day
        if to == AuditStatus.REPORTED:
            missing = report_problems(obj)
            if missing:
                raise Conflict(f"Audit {obj.ref_id} cannot be reported yet: " + "; ".join(missing) + ".")
            obj.actual_end = obj.actual_end or day
            obj.reported_on = day
        if to == AuditStatus.CLOSED:
            missing = close_problems(obj)
            if missing:
                raise Conflict(f"Audit {obj.ref_id} cannot be closed yet: " + "; ".join(missing) + ".")
            obj.closed_on = day
        obj.status = to
        obj.save()
        trail.record(
            actor, TrailAction.UPDATE, obj, changes=trail.diff(before, trail.snapshot(obj, AUDIT_TRAIL))
        )
        return obj


def report_problems(obj: Audit) -> list[str]:
    """What is missing before an audit can be reported."""
    out = []
    if obj.lead_auditor_id is None:
        out.append("no lead auditor is named")
    if not obj.conclusion.strip():
        out.append("the conclusion is not written")
    if not obj.items.exclude(result=AuditItemResult.NOT_AUDITED).exists():
        out.append("no checklist item has a result")
    return out


def close_problems(obj: Audit) -> list[str]:
    """What is missing before an audit can be closed: each nonconformity finding raised."""
    pending = Finding.objects.filter(audit=obj, grade__in=NONCONFORMING_GRADES, nonconformity_ref="")
    return [f"{f.ref} ({f.get_grade_display().lower()}) is not raised as a nonconformity" for f in pending]
