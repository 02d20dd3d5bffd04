"""Write-side services of an audit's work: checklist results, samples of a control's
operation and findings; a nonconformity finding is raised in the improvement queue
(docs/audits.md). One transaction each, permission checked, rows locked, trail written."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from keel.controls.models import Control
from keel.evidence.models import Evidence
from keel.organisation import resolvers
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version
from keel.platform.errors import Conflict, NotFound, ValidationFailed
from keel.platform.permissions import Perm, check
from keel.platform.records import apply_fields, clean
from keel.standards.models import Requirement

from . import sampling
from .choices import NONCONFORMING_GRADES, AuditFindingGrade, AuditItemResult, AuditSampleResult, AuditStatus
from .models import Audit, AuditItem, AuditSample, Finding
from .services import audit as audit_by_ref

ITEM_FIELDS = ("result", "notes")
SAMPLE_FIELDS = ("result", "note", "evidence")
FINDING_FIELDS = ("grade", "title", "description", "item")


def _open(obj: Audit, what: str) -> None:
    """Results are recorded while the audit is in progress (or reported, to correct it)."""
    if obj.status == AuditStatus.PLANNED:
        raise Conflict(f"Audit {obj.ref_id} has not started: start it before recording {what}.")
    if obj.status == AuditStatus.CLOSED:
        raise Conflict(f"Audit {obj.ref_id} is closed: its {what} no longer change.")


def item(ref: uuid.UUID | str, lock: bool = False) -> AuditItem:
    qs = AuditItem.objects.select_related("audit", "requirement__standard", "control")
    if lock:
        qs = qs.select_for_update(of=("self",))
    pk = resolvers.as_uuid(ref)
    found = qs.filter(pk=pk).first() if pk else None
    if found is None:
        raise NotFound(f"No audit item {str(ref)[:60]!r}: give its id.")
    return found


def _evidence(refs: Iterable[str | Evidence] | None, field: str = "evidence") -> list[Evidence]:
    out: dict[uuid.UUID, Evidence] = {}
    qs = Evidence.objects.all()
    for ref in refs or ():
        ev = resolvers.record(qs, ref, label="evidence", example="EV-007", field=field)
        out.setdefault(ev.pk, ev)
    return list(out.values())


# ---------------------------------------------------------------- checklist results


def record_item(
    actor: Actor,
    ref: uuid.UUID | str,
    *,
    result: str,
    notes: str = "",
    evidence: Iterable[str | Evidence] | None = None,
    version: str | None = None,
    on: dt.date | None = None,
) -> AuditItem:
    """Record the result of a checklist item, with notes and the evidence seen. A
    nonconformity result needs notes saying what was found."""
    with transaction.atomic():
        check(actor, Perm.RECORD_AUDIT_RESULTS)
        obj = item(ref, lock=True)
        check_version(obj, version, f"Audit item {obj.subject_ref}")
        _open(obj.audit, "checklist results")
        if result not in AuditItemResult.values:
            raise ValidationFailed(
                f"Unknown result {result!r}: one of {', '.join(AuditItemResult.values)}.",
                {"result": ["Unknown."]},
            )
        if result in (AuditItemResult.MINOR_NC, AuditItemResult.MAJOR_NC) and not (notes or "").strip():
            raise ValidationFailed(
                "Say what was found: a nonconformity result needs notes.",
                {"notes": ["Required for a nonconformity."]},
            )
        before = trail.snapshot(obj, ITEM_FIELDS)
        before_ev = sorted(obj.evidence.values_list("ref_id", flat=True))
        apply_fields(obj, {"result": result, "notes": notes}, ITEM_FIELDS)
        obj.assessed_by = actor.user
        obj.assessed_on = on or dt.date.today()
        obj.save()
        changes = trail.diff(before, trail.snapshot(obj, ITEM_FIELDS))
        if evidence is not None:
            evs = _evidence(evidence)
            obj.evidence.set(evs)
            after_ev = sorted(e.ref_id for e in evs)
            if after_ev != before_ev:
                changes["evidence"] = [before_ev, after_ev]
        trail.record(
            actor, TrailAction.UPDATE, obj, changes=changes, management_system_ids=_systems(obj.audit)
        )
        return obj


def _systems(obj: Audit) -> list[Any]:
    return list(obj.management_systems.values_list("pk", flat=True))


# ---------------------------------------------------------------- samples


def draw_sample(
    actor: Actor, ref: uuid.UUID | str, *, period_start: dt.date, period_end: dt.date, seed: int
) -> list[AuditSample]:
    """Draw the sample of a control's occurrences from ``period_start`` to ``period_end`` with
    ``seed`` (:mod:`keel.audits.sampling`); the same seed draws the same sample. Drawing again
    replaces a sample none of whose occurrences has been tested yet."""
    with transaction.atomic():
        check(actor, Perm.RECORD_AUDIT_RESULTS)
        obj = item(ref, lock=True)
        _open(obj.audit, "samples")
        if obj.control is None:
            raise ValidationFailed(
                "Samples are drawn for a control's operation; this item is a clause.",
                {"item": ["Not a control."]},
            )
        if period_end < period_start:
            raise ValidationFailed("The period ends before it starts.", {"period_end": ["Before the start."]})
        if (period_end - period_start).days > 3 * 366:
            raise ValidationFailed("Sample a period of at most three years.", {"period_end": ["Too long."]})
        if obj.samples.exclude(result=AuditSampleResult.PENDING).exists():
            raise Conflict(
                f"The sample of {obj.subject_ref} already has results: drawing it again would lose them."
            )
        population = sampling.occurrences(obj.control.frequency, period_start, period_end)
        chosen = sampling.draw(population, sampling.sample_size(obj.control.frequency, len(population)), seed)
        obj.samples.all().delete()
        samples = AuditSample.objects.bulk_create(
            [
                AuditSample(item=obj, position=i, label=o.label, period_start=o.start, period_end=o.end)
                for i, o in enumerate(chosen, 1)
            ]
        )
        obj.sample_from, obj.sample_to, obj.sample_seed = period_start, period_end, seed
        obj.sample_population = len(population)
        obj.save(update_fields=["sample_from", "sample_to", "sample_seed", "sample_population", "updated_at"])
        trail.record(
            actor,
            TrailAction.UPDATE,
            obj,
            changes={
                "sample": [None, [s.label for s in samples]],
                "sample_period": [None, f"{period_start.isoformat()}/{period_end.isoformat()}"],
                "sample_seed": [None, seed],
                "sample_population": [None, len(population)],
            },
            management_system_ids=_systems(obj.audit),
        )
        return samples


def sample(ref: uuid.UUID | str, lock: bool = False) -> AuditSample:
    qs = AuditSample.objects.select_related("item__audit", "item__control")
    if lock:
        qs = qs.select_for_update(of=("self",))
    pk = resolvers.as_uuid(ref)
    found = qs.filter(pk=pk).first() if pk else None
    if found is None:
        raise NotFound(f"No sample {str(ref)[:60]!r}: give its id.")
    return found


def record_sample(
    actor: Actor,
    ref: uuid.UUID | str,
    *,
    result: str,
    note: str = "",
    evidence: str | Evidence | None = None,
    version: str | None = None,
    on: dt.date | None = None,
) -> AuditSample:
    """Record what the test of one sampled occurrence found, with its evidence. An exception
    or a missing record needs a note."""
    with transaction.atomic():
        check(actor, Perm.RECORD_AUDIT_RESULTS)
        obj = sample(ref, lock=True)
        check_version(obj, version, f"Sample {obj.label}")
        _open(obj.item.audit, "samples")
        if result not in AuditSampleResult.values:
            raise ValidationFailed(
                f"Unknown result {result!r}: one of {', '.join(AuditSampleResult.values)}.",
                {"result": ["Unknown."]},
            )
        if (
            result in (AuditSampleResult.EXCEPTION, AuditSampleResult.NOT_AVAILABLE)
            and not (note or "").strip()
        ):
            raise ValidationFailed(
                "Say what was wrong with this occurrence in the note.", {"note": ["Required."]}
            )
        ev = _evidence([evidence])[0] if evidence is not None and evidence != "" else None
        before = trail.snapshot(obj, SAMPLE_FIELDS)
        apply_fields(obj, {"result": result, "note": note, "evidence": ev}, SAMPLE_FIELDS)
        obj.tested_by = actor.user
        obj.tested_on = on or dt.date.today()
        obj.save()
        trail.record(
            actor,
            TrailAction.UPDATE,
            obj,
            changes=trail.diff(before, trail.snapshot(obj, SAMPLE_FIELDS)),
            management_system_ids=_systems(obj.item.audit),
        )
        return obj


# ---------------------------------------------------------------- findings


def finding(audit_ref: uuid.UUID | str, ref: str, lock: bool = False) -> Finding:
    obj = audit_by_ref(audit_ref)
    qs = Finding.objects.select_related("audit")
    if lock:
        qs = qs.select_for_update(of=("self",))
    text = str(ref).strip().upper().removeprefix("F-")
    pk = resolvers.as_uuid(ref)
    found = qs.filter(pk=pk, audit=obj).first() if pk else None
    if found is None and text.isdigit():
        found = qs.filter(audit=obj, number=int(text)).first()
    if found is None:
        raise NotFound(f"No finding {str(ref)[:20]!r} in {obj.ref_id}: give its reference (e.g. F-1).")
    return found


def _links(
    requirements: Iterable[str | Requirement] | None, controls: Iterable[str | Control] | None
) -> tuple[list[Requirement] | None, list[Control] | None]:
    reqs = None
    if requirements is not None:
        reqs = list(
            {r.pk: r for r in (resolvers.requirement(x, field="requirements") for x in requirements)}.values()
        )
    ctls = None
    if controls is not None:
        qs = Control.objects.all()
        ctls = list(
            {
                c.pk: c
                for c in (
                    resolvers.record(qs, x, label="control", example="KC-012", field="controls")
                    for x in controls
                )
            }.values()
        )
    return reqs, ctls


def add_finding(
    actor: Actor,
    audit_ref: uuid.UUID | str,
    *,
    grade: str,
    title: str,
    description: str,
    requirements: Iterable[str | Requirement] = (),
    controls: Iterable[str | Control] = (),
    item_id: uuid.UUID | str | None = None,
    on: dt.date | None = None,
) -> Finding:
    """Record a finding (``F-n``) on an audit in progress. A nonconformity names at least one
    requirement or control it breaches. With ``item_id`` its subject is linked by default."""
    with transaction.atomic():
        check(actor, Perm.RECORD_AUDIT_RESULTS)
        obj = audit_by_ref(audit_ref, lock=True)
        _open(obj, "findings")
        it = None
        if item_id not in (None, ""):
            it = item(str(item_id))
            if it.audit_id != obj.pk:
                raise ValidationFailed(
                    "The checklist item belongs to another audit.", {"item": ["Another audit."]}
                )
        reqs, ctls = _links(requirements, controls)
        reqs, ctls = reqs or [], ctls or []
        if it is not None and not reqs and not ctls:
            reqs = [it.requirement] if it.requirement else []
            ctls = [it.control] if it.control else []
        if grade in NONCONFORMING_GRADES and not reqs and not ctls:
            raise ValidationFailed(
                "A nonconformity names the requirement or control it does not meet.",
                {"requirements": ["Name at least one requirement or control."]},
            )
        number = (
            Finding.objects.filter(audit=obj).order_by("-number").values_list("number", flat=True).first()
            or 0
        ) + 1
        f = Finding(audit=obj, number=number, raised_by=actor.user, raised_on=on or dt.date.today())
        apply_fields(
            f, {"grade": grade, "title": title, "description": description, "item": it}, FINDING_FIELDS
        )
        clean(f, "finding", exclude=["audit", "raised_by"])
        f.save()
        f.requirements.set(reqs)
        f.controls.set(ctls)
        trail.record(
            actor,
            TrailAction.CREATE,
            f,
            changes={
                **trail.snapshot(f, ("grade", "title", "description")),
                "requirements": sorted(r.key for r in reqs),
                "controls": sorted(c.ref_id for c in ctls),
            },
            management_system_ids=_systems(obj),
        )
        return f


def update_finding(
    actor: Actor, audit_ref: uuid.UUID | str, ref: str, *, version: str | None = None, **data: Any
) -> Finding:
    """Change a finding; its grade no longer changes once it is raised as a nonconformity."""
    with transaction.atomic():
        check(actor, Perm.RECORD_AUDIT_RESULTS)
        f = finding(audit_ref, ref, lock=True)
        check_version(f, version, f"Finding {f.ref}")
        _open(f.audit, "findings")
        if f.nonconformity_ref and "grade" in data and data["grade"] != f.grade:
            raise Conflict(f"{f.ref} is raised as {f.nonconformity_ref}: its grade no longer changes.")
        reqs, ctls = _links(data.pop("requirements", None), data.pop("controls", None))
        before = trail.snapshot(f, ("grade", "title", "description"))
        apply_fields(f, data, ("grade", "title", "description"))
        clean(f, "finding", exclude=["audit", "raised_by"])
        f.save()
        changes = trail.diff(before, trail.snapshot(f, ("grade", "title", "description")))
        if reqs is not None:
            f.requirements.set(reqs)
            changes["requirements"] = [None, sorted(r.key for r in reqs)]
        if ctls is not None:
            f.controls.set(ctls)
            changes["controls"] = [None, sorted(c.ref_id for c in ctls)]
        if f.grade in NONCONFORMING_GRADES and not f.requirements.exists() and not f.controls.exists():
            raise ValidationFailed(
                "A nonconformity names the requirement or control it does not meet.",
                {"requirements": ["Name at least one requirement or control."]},
            )
        trail.record(actor, TrailAction.UPDATE, f, changes=changes, management_system_ids=_systems(f.audit))
        return f


__all__ = [
    "AuditFindingGrade",
    "add_finding",
    "draw_sample",
    "finding",
    "item",
    "record_item",
    "record_sample",
    "sample",
    "update_finding",
]
