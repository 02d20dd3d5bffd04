"""The incident catalogue of an organisation: types with their playbooks, regulatory clocks with
their variants. Seeded from ``data/catalogue.yaml`` (:func:`ensure_incident_catalogue`, which adds
what is missing and never overwrites what the organisation changed) and extended through the
services below (pages, API), each with its trail entry."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from keel.organisation.models import Organisation
from keel.platform import libraries, trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.errors import Conflict, NotFound, ValidationFailed
from keel.platform.permissions import Perm, check
from keel.platform.records import apply_fields, clean

from .choices import FLAG_NAMES, IncidentStatus
from .models import ClockVariant, IncidentType, PlaybookStep, RegulatoryClock

DATA = Path(__file__).parent / "data" / "catalogue.yaml"
TYPE_FIELDS = ("slug", "name", "family", "description", "order")
CLOCK_FIELDS = (
    "slug",
    "name",
    "regime",
    "description",
    "applies_when",
    "starts_from",
    "duration",
    "unit",
    "order",
)
STEP_FIELDS = ("stage", "order", "text", "role")
VARIANT_FIELDS = ("condition", "duration", "unit", "note")


class CatalogueDataError(libraries.LibraryDataError):
    what = "The incident catalogue"


@cache
def seed() -> dict[str, Any]:
    """The catalogue data file, checked: every clock a type names exists."""
    problems: list[str] = []
    data = libraries.read_yaml(DATA, DATA.name, problems) or {}
    clocks = {c["slug"] for c in data.get("clocks", [])}
    for t in data.get("types", []):
        for slug in t.get("clocks", []):
            if slug not in clocks:
                problems.append(f"{DATA.name}: type {t.get('slug')}: unknown clock {slug!r}")
    if problems:
        raise CatalogueDataError(problems)
    return data


def organisation() -> Organisation:
    org = Organisation.objects.first()
    if org is None:
        raise Conflict("Set up the organisation first (keel init, or the organisation page).")
    return org


def ensure_incident_catalogue(org: Organisation | None = None, actor: Actor | None = None) -> int:
    """Add the seeded types, clocks, variants and steps the organisation does not have yet (by
    slug); what it already has, changed or not, is left alone. Returns how many records were added."""
    org = org or organisation()
    actor = actor or Actor.system("incident catalogue")
    data = seed()
    added = 0
    with transaction.atomic():
        have_clocks = {c.slug: c for c in RegulatoryClock.objects.filter(organisation=org)}
        for row in data.get("clocks", []):
            if row["slug"] in have_clocks:
                continue
            clock = RegulatoryClock(organisation=org)
            apply_fields(
                clock,
                {
                    k: libraries.text(row[k]) if k in ("name", "description") else row[k]
                    for k in CLOCK_FIELDS
                    if k in row
                },
                CLOCK_FIELDS,
            )
            clock.save()
            for v in row.get("variants", []):
                ClockVariant.objects.create(clock=clock, **{k: v[k] for k in VARIANT_FIELDS if k in v})
            have_clocks[clock.slug] = clock
            trail.record(
                actor, TrailAction.CREATE, clock, changes=trail.diff({}, trail.snapshot(clock, CLOCK_FIELDS))
            )
            added += 1
        have_types = set(IncidentType.objects.filter(organisation=org).values_list("slug", flat=True))
        for row in data.get("types", []):
            if row["slug"] in have_types:
                continue
            itype = IncidentType(organisation=org)
            apply_fields(
                itype,
                {
                    k: libraries.text(row[k]) if k in ("name", "description") else row[k]
                    for k in TYPE_FIELDS
                    if k in row
                },
                TYPE_FIELDS,
            )
            itype.save()
            itype.clocks.set([have_clocks[s] for s in row.get("clocks", [])])
            PlaybookStep.objects.bulk_create(
                [
                    PlaybookStep(
                        incident_type=itype, order=i, stage=s["stage"], text=s["text"], role=s.get("role", "")
                    )
                    for i, s in enumerate(row.get("steps", []), start=1)
                ]
            )
            trail.record(actor, TrailAction.CREATE, itype, changes=trail.diff({}, _type_snapshot(itype)))
            added += 1
    return added


# ---------------------------------------------------------------- reading


def get_type(ref: Any) -> IncidentType:
    found = IncidentType.objects.filter(slug=str(ref or "").strip()).first() if ref else None
    if isinstance(ref, IncidentType):
        return ref
    if found is None:
        raise NotFound(f"No incident type {str(ref)[:60]!r}: give its slug, e.g. security-incident.")
    return found


def get_clock(ref: Any) -> RegulatoryClock:
    if isinstance(ref, RegulatoryClock):
        return ref
    found = RegulatoryClock.objects.filter(slug=str(ref or "").strip()).first() if ref else None
    if found is None:
        raise NotFound(
            f"No regulatory clock {str(ref)[:60]!r}: give its slug, e.g. gdpr-breach-notification."
        )
    return found


def _type_snapshot(itype: IncidentType) -> dict[str, Any]:
    data = trail.snapshot(itype, TYPE_FIELDS)
    data["clocks"] = sorted(c.slug for c in itype.clocks.all())
    return data


def _clocks(slugs: Any) -> list[RegulatoryClock]:
    out, unknown = [], []
    for slug in dict.fromkeys(str(s).strip() for s in slugs or () if str(s).strip()):
        clock = RegulatoryClock.objects.filter(slug=slug).first()
        if clock is None:
            unknown.append(slug)
        else:
            out.append(clock)
    if unknown:
        raise ValidationFailed(
            f"No regulatory clock {', '.join(repr(u[:60]) for u in unknown)}: give clock slugs.",
            {"clocks": ["Unknown clock."]},
        )
    return out


def _slug(data: dict[str, Any], what: str) -> None:
    slug = slugify(str(data.get("slug") or data.get("name") or ""))[:60]
    if not slug:
        raise ValidationFailed(f"Name the {what}.", {"name": ["Required."]})
    data["slug"] = slug


def _saved(obj: Any, what: str) -> None:
    clean(obj, what, exclude=["organisation"])
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise ValidationFailed(
            f"There is already a {what} with the slug {obj.slug!r}: choose another.", {"slug": ["Taken."]}
        ) from None


# ---------------------------------------------------------------- writing


def create_type(actor: Actor, *, clocks: Any = (), **data: Any) -> IncidentType:
    """Add an incident type (organisation-level: needs ``handle_incidents`` over the organisation)."""
    check(actor, Perm.HANDLE_INCIDENTS)
    _slug(data, "incident type")
    with transaction.atomic():
        itype = IncidentType(organisation=organisation())
        apply_fields(itype, data, TYPE_FIELDS)
        _saved(itype, "incident type")
        itype.clocks.set(_clocks(clocks))
        trail.record(actor, TrailAction.CREATE, itype, changes=trail.diff({}, _type_snapshot(itype)))
    return itype


def update_type(actor: Actor, ref: Any, *, clocks: Any = None, **data: Any) -> IncidentType:
    check(actor, Perm.HANDLE_INCIDENTS)
    data.pop("slug", None)
    with transaction.atomic():
        itype = IncidentType.objects.select_for_update().get(pk=get_type(ref).pk)
        before = _type_snapshot(itype)
        apply_fields(itype, data, TYPE_FIELDS)
        clean(itype, "incident type", exclude=["organisation"])
        itype.save()
        if clocks is not None:
            itype.clocks.set(_clocks(clocks))
        changes = trail.diff(before, _type_snapshot(itype))
        if changes:
            trail.record(actor, TrailAction.UPDATE, itype, changes=changes)
    return itype


def add_step(
    actor: Actor,
    ref: Any,
    *,
    text: str,
    stage: str = IncidentStatus.TRIAGE,
    role: str = "",
    order: int | None = None,
) -> PlaybookStep:
    """Add a step to a type's playbook (at the end unless ``order`` is given; later steps move down)."""
    check(actor, Perm.HANDLE_INCIDENTS)
    if not (text or "").strip():
        raise ValidationFailed("Write what the step asks for.", {"text": ["Required."]})
    if stage == IncidentStatus.CLOSED or stage not in IncidentStatus.values:
        raise ValidationFailed(
            f"stage is one of: {', '.join(s for s in IncidentStatus.values if s != 'closed')}.",
            {"stage": ["Unknown stage."]},
        )
    with transaction.atomic():
        itype = IncidentType.objects.select_for_update().get(pk=get_type(ref).pk)
        steps = list(itype.steps.order_by("-order"))
        last = steps[0].order if steps else 0
        position = last + 1 if order is None or order > last else max(1, int(order))
        for s in steps:  # highest first, so the unique order never collides
            if s.order >= position:
                PlaybookStep.objects.filter(pk=s.pk).update(order=s.order + 1)
        step = PlaybookStep(
            incident_type=itype, stage=stage, order=position, text=text.strip(), role=(role or "").strip()
        )
        clean(step, "playbook step")
        step.save()
        trail.record(
            actor,
            TrailAction.UPDATE,
            itype,
            changes={"steps": [None, f"{position}. {step.text[:120]}"]},
        )
    return step


def create_clock(actor: Actor, *, variants: Any = (), **data: Any) -> RegulatoryClock:
    check(actor, Perm.HANDLE_INCIDENTS)
    _slug(data, "regulatory clock")
    with transaction.atomic():
        clock = RegulatoryClock(organisation=organisation())
        apply_fields(clock, data, CLOCK_FIELDS)
        _saved(clock, "regulatory clock")
        for v in variants or ():
            _add_variant(clock, v)
        trail.record(
            actor, TrailAction.CREATE, clock, changes=trail.diff({}, trail.snapshot(clock, CLOCK_FIELDS))
        )
    return clock


def update_clock(actor: Actor, ref: Any, **data: Any) -> RegulatoryClock:
    """Change a clock. Incidents already running it keep their deadlines until their facts change."""
    check(actor, Perm.HANDLE_INCIDENTS)
    data.pop("slug", None)
    with transaction.atomic():
        clock = RegulatoryClock.objects.select_for_update().get(pk=get_clock(ref).pk)
        before = trail.snapshot(clock, CLOCK_FIELDS)
        apply_fields(clock, data, CLOCK_FIELDS)
        clean(clock, "regulatory clock", exclude=["organisation"])
        clock.save()
        changes = trail.diff(before, trail.snapshot(clock, CLOCK_FIELDS))
        if changes:
            trail.record(actor, TrailAction.UPDATE, clock, changes=changes)
    return clock


def _add_variant(clock: RegulatoryClock, data: dict[str, Any]) -> ClockVariant:
    if data.get("condition") not in FLAG_NAMES:
        raise ValidationFailed(
            f"condition is one of: {', '.join(FLAG_NAMES)}.", {"condition": ["Unknown condition."]}
        )
    if clock.variants.filter(condition=data["condition"]).exists():
        raise ValidationFailed(
            f"{clock.name} already has a period for {data['condition']}.", {"condition": ["Already set."]}
        )
    variant = ClockVariant(clock=clock)
    apply_fields(variant, data, VARIANT_FIELDS)
    clean(variant, "clock variant")
    variant.save()
    return variant


def add_variant(actor: Actor, ref: Any, **data: Any) -> ClockVariant:
    check(actor, Perm.HANDLE_INCIDENTS)
    with transaction.atomic():
        clock = RegulatoryClock.objects.select_for_update().get(pk=get_clock(ref).pk)
        variant = _add_variant(clock, data)
        trail.record(
            actor,
            TrailAction.UPDATE,
            clock,
            changes={"variants": [None, f"{variant.condition}: {variant.duration} {variant.unit}"]},
        )
    return variant
