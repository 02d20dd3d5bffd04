"""Write-side services of the leadership and support records: one transaction each, a permission
check, a row lock and version check on updates, and a trail entry (docs/support.md).

Every service takes references as the API and the CLI give them — a management system by id or
short name, a person by email, standards by key, an AI system by short name, a metric as
``SYSTEM/METRIC`` — and resolves them in one place (:func:`resolve`), so pages, the API and the
CLI accept the same forms and get the same errors. :class:`Spec` describes each kind of record;
:func:`create` and :func:`update` serve them all. Objectives and their readings are in
:mod:`keel.support.objectives`, concerns in :mod:`keel.support.concerns`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, models, transaction

from keel.aisystems.models import AISystem, Metric
from keel.organisation import resolvers
from keel.organisation.models import ManagementSystem
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version, next_ref
from keel.platform.errors import Conflict, NotFound, ValidationFailed
from keel.platform.permissions import Perm, check
from keel.platform.records import apply_fields, clean
from keel.standards.records import standards_by_key

from .models import (
    AwarenessCampaign,
    AwarenessCompletion,
    Commitment,
    Communication,
    Competence,
    CompetenceRecord,
    MsRole,
    Objective,
)

PEOPLE_FIELDS = frozenset({"holder", "owner", "decided_by", "person", "communicator", "handler"})


@dataclass(frozen=True)
class Spec:
    """One kind of record: its model, what it is called in messages, the fields a caller may
    set (after resolution; ``standards`` apart), the permission that writes it, and the
    management system a record belongs to."""

    model: type[models.Model]
    what: str
    fields: tuple[str, ...]
    perm: str = Perm.EDIT_SUPPORT
    standards: bool = False
    prefix: str = ""  # records with a reference (OB-nnn)
    system_of: Callable[[Any], ManagementSystem] = field(default=lambda obj: obj.management_system)

    def trail_fields(self) -> tuple[str, ...]:
        return (*self.fields, "standards") if self.standards else self.fields


ROLE = Spec(
    MsRole,
    "management-system role",
    ("management_system", "name", "responsibilities", "authorities", "holder", "held_from", "held_until"),
    standards=True,
)
COMMITMENT = Spec(
    Commitment,
    "commitment",
    ("management_system", "decision", "detail", "decided_on", "decided_by", "minutes"),
    standards=True,
)
OBJECTIVE = Spec(
    Objective,
    "objective",
    (
        "ref_id",
        "management_system",
        "title",
        "description",
        "theme",
        "measure",
        "unit",
        "target",
        "direction",
        "owner",
        "frequency",
        "metric",
        "due_on",
    ),
    standards=True,
    prefix="OB-",
)
COMPETENCE = Spec(
    Competence,
    "competence",
    ("role", "name", "description", "evidence_expected"),
    system_of=lambda obj: obj.role.management_system,
)
COMPETENCE_RECORD = Spec(
    CompetenceRecord,
    "competence record",
    (
        "management_system",
        "person",
        "competence",
        "kind",
        "title",
        "provider",
        "achieved_on",
        "expires_on",
        "evidence",
    ),
)
CAMPAIGN = Spec(
    AwarenessCampaign,
    "awareness campaign",
    ("management_system", "title", "message", "audience", "owner", "starts_on", "ends_on"),
    standards=True,
)
COMMUNICATION = Spec(
    Communication,
    "communication",
    ("management_system", "subject", "when", "audience", "communicator", "method", "external"),
    standards=True,
)


# ---------------------------------------------------------------- references


def get(spec: Spec, ref: uuid.UUID | str, lock: bool = False) -> Any:
    """A record of ``spec`` by id (or reference, for those that have one)."""
    qs = spec.model._default_manager.all()
    if lock:
        qs = qs.select_for_update()
    pk = resolvers.as_uuid(ref)
    found = qs.filter(pk=pk).first() if pk is not None else None
    if found is None and spec.prefix:
        found = qs.filter(ref_id=str(ref).strip()).first()
    if found is None:
        hint = f"its id or reference (e.g. {spec.prefix}004)" if spec.prefix else "its id"
        raise NotFound(f"No {spec.what} {str(ref)[:60]!r}: give {hint}.")
    return found


def ai_system(ref: str | AISystem | None, who: resolvers.Viewer) -> AISystem | None:
    if isinstance(ref, AISystem):
        return ref
    if ref is None or not str(ref).strip():
        return None
    pk = resolvers.as_uuid(ref)
    qs = AISystem.objects.select_related("management_system")
    found = qs.filter(pk=pk).first() if pk else qs.filter(short_name=str(ref).strip()).first()
    ids = resolvers.visible_system_ids(who)
    if found is None or (ids is not None and found.management_system_id not in ids):
        raise ValidationFailed(
            f"No AI system {str(ref)[:60]!r} that you may see.", {"ai_system": ["Unknown AI system."]}
        )
    return found


def metric(ref: str | Metric | None, who: resolvers.Viewer) -> Metric | None:
    """An operating metric as ``SYSTEM/METRIC`` (short names), or by id."""
    if isinstance(ref, Metric):
        return ref
    if ref is None or not str(ref).strip():
        return None
    text = str(ref).strip()
    pk = resolvers.as_uuid(text)
    qs = Metric.objects.select_related("ai_system")
    if pk is not None:
        found = qs.filter(pk=pk).first()
    elif "/" in text:
        system, name = text.split("/", 1)
        found = qs.filter(ai_system__short_name=system, short_name=name).first()
    else:
        found = None
    ids = resolvers.visible_system_ids(who)
    if found is None or (ids is not None and found.ai_system.management_system_id not in ids):
        raise ValidationFailed(
            f"No operating metric {text[:60]!r} that you may see: give SYSTEM/METRIC, e.g. credit-scoring/auc.",
            {"metric": ["Unknown metric."]},
        )
    return found


def resolve(actor: Actor, data: Mapping[str, Any]) -> dict[str, Any]:
    """Turn the references in ``data`` into records (standards stay keys)."""
    out = dict(data)
    for name, value in data.items():
        if name == "management_system" and not isinstance(value, ManagementSystem):
            out[name] = resolvers.management_system(value, actor)
        elif name in PEOPLE_FIELDS:
            out[name] = resolvers.user_by_email(value, field=name)
        elif name == "ai_system":
            out[name] = ai_system(value, actor)
        elif name == "metric":
            out[name] = metric(value, actor)
        elif name == "role" and value is not None and not isinstance(value, MsRole):
            out[name] = _by_id(MsRole, value, "role", "management-system role")
        elif name == "competence" and value is not None and not isinstance(value, Competence):
            out[name] = _by_id(Competence, value, "competence", "competence") if str(value).strip() else None
    return out


def _by_id(model: type[models.Model], value: Any, name: str, what: str) -> Any:
    pk = resolvers.as_uuid(value)
    found = model._default_manager.filter(pk=pk).first() if pk else None
    if found is None:
        raise ValidationFailed(f"No {what} {str(value)[:60]!r}: give its id.", {name: [f"Unknown {what}."]})
    return found


def _same_system(obj: Any, ms: ManagementSystem) -> None:
    """A competence record's competence, an objective's metric: of the record's own system."""
    competence = getattr(obj, "competence", None) if isinstance(obj, CompetenceRecord) else None
    if competence is not None and competence.role.management_system_id != ms.pk:
        raise ValidationFailed(
            "The competence belongs to a role of another management system.",
            {"competence": ["Another management system."]},
        )
    metric = getattr(obj, "metric", None) if isinstance(obj, Objective) else None
    if metric is not None and metric.ai_system.management_system_id != ms.pk:
        raise ValidationFailed(
            "The metric belongs to an AI system of another management system.",
            {"metric": ["Another management system."]},
        )


def _standards(ms: ManagementSystem, keys: Any) -> list[Any]:
    if isinstance(keys, str):
        keys = [keys]
    stds = standards_by_key(keys)
    covered = set(ms.standards.values_list("pk", flat=True))
    outside = [s.key for s in stds if s.pk not in covered]
    if outside:
        raise ValidationFailed(
            f"The management system {ms.short_name} does not cover {', '.join(outside)}.",
            {"standards": ["Not covered by the management system."]},
        )
    return stds


# ---------------------------------------------------------------- create and update


def create(actor: Actor, spec: Spec, **data: Any) -> Any:
    """Create a record of ``spec`` from ``data`` (references, see :func:`resolve`)."""
    with transaction.atomic():
        keys = data.pop("standards", None) if spec.standards else None
        values = resolve(actor, data)
        obj = spec.model()
        if spec.prefix and not values.get("ref_id"):
            values["ref_id"] = next_ref(spec.model, spec.prefix)
        apply_fields(obj, values, spec.fields)
        ms = _system(spec, obj)
        check(actor, spec.perm, ms)
        _same_system(obj, ms)
        clean(obj, spec.what)
        stds = _standards(ms, keys) if keys is not None else []
        _save(obj, spec)
        if spec.standards:
            obj.standards.set(stds)  # type: ignore[attr-defined]
        trail.record(
            actor,
            TrailAction.CREATE,
            obj,
            changes=trail.diff({}, trail.snapshot(obj, spec.trail_fields())),
            management_system_id=ms.pk,
        )
    return obj


def update(
    actor: Actor, spec: Spec, ref: uuid.UUID | str, *, expected_version: str | None = None, **data: Any
) -> Any:
    """Change the fields given; the caller needs ``spec.perm`` over the record's system (and
    over the new one, when it moves)."""
    with transaction.atomic():
        obj = get(spec, ref, lock=True)
        check(actor, spec.perm, _system(spec, obj))
        check_version(obj, expected_version, f"The {spec.what} {obj}")
        keys = data.pop("standards", None) if spec.standards else None
        values = resolve(actor, data)
        before = trail.snapshot(obj, spec.trail_fields())
        apply_fields(obj, values, spec.fields)
        ms = _system(spec, obj)
        check(actor, spec.perm, ms)
        _same_system(obj, ms)
        clean(obj, spec.what)
        if keys is not None or (spec.standards and "management_system" in values):
            stds = _standards(ms, keys if keys is not None else [s.key for s in obj.standards.all()])
        else:
            stds = None
        _save(obj, spec)
        if stds is not None:
            obj.standards.set(stds)
        changes = trail.diff(before, trail.snapshot(obj, spec.trail_fields()))
        if changes:
            trail.record(actor, TrailAction.UPDATE, obj, changes=changes, management_system_id=ms.pk)
    return obj


def _system(spec: Spec, obj: Any) -> ManagementSystem:
    try:
        return spec.system_of(obj)
    except (AttributeError, models.ObjectDoesNotExist):
        name = "role" if spec is COMPETENCE else "management_system"
        raise ValidationFailed(f"Choose the {name.replace('_', ' ')}.", {name: ["Required."]}) from None


def _save(obj: models.Model, spec: Spec) -> None:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        raise Conflict(
            f"Another {spec.what} with the same name was saved just now. Nothing was saved.",
            {"name": ["Already used."]},
        ) from None


# ---------------------------------------------------------------- awareness completions


def record_completion(
    actor: Actor, campaign: uuid.UUID | str, person: str, completed_on: dt.date | None = None
) -> AwarenessCompletion:
    """Record that ``person`` (an email) completed the campaign; once per person."""
    with transaction.atomic():
        found: AwarenessCampaign = get(CAMPAIGN, campaign, lock=True)
        check(actor, Perm.RECORD_READINGS, found.management_system)
        who = resolvers.user_by_email(person, field="person")
        if who is None:
            raise ValidationFailed("Name the person who completed it.", {"person": ["Required."]})
        day = completed_on or dt.date.today()
        if day < found.starts_on:
            raise ValidationFailed(
                f"The campaign starts on {found.starts_on.isoformat()}: a completion cannot be earlier.",
                {"completed_on": ["Before the campaign starts."]},
            )
        if AwarenessCompletion.objects.filter(campaign=found, person=who).exists():
            raise Conflict(f"{who.display_name} has already completed {found.title}.")
        done = AwarenessCompletion.objects.create(campaign=found, person=who, completed_on=day)
        trail.record(
            actor,
            TrailAction.CREATE,
            done,
            changes={
                "campaign": [None, str(found.pk)],
                "person": [None, who.email],
                "completed_on": [None, day.isoformat()],
            },
            management_system_id=found.management_system_id,
        )
    return done
