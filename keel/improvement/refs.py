"""How the improvement services find what callers name: the nonconformity or corrective action
by id or reference, and the management systems, requirements, controls, people and evidence a
nonconformity links to (each through Keel's one resolver for it)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet

from keel.controls.models import Control
from keel.controls.queries import control_ref
from keel.evidence.models import Evidence
from keel.organisation import resolvers
from keel.organisation.models import ManagementSystem, Organisation
from keel.platform.actor import Actor
from keel.platform.errors import NotFound, ValidationFailed
from keel.platform.models import User
from keel.standards.models import Requirement

from .models import CorrectiveAction, Nonconformity


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (str, uuid.UUID)) or hasattr(value, "_meta"):
        return [value]
    return [v for v in value if v is not None and str(v).strip()]


def organisation(value: Organisation | uuid.UUID | str | None) -> Organisation:
    """The organisation (Keel holds one; ``None`` means it)."""
    if isinstance(value, Organisation):
        return value
    qs = Organisation.objects.all()
    pk = resolvers.as_uuid(value) if value else None
    found = qs.filter(pk=pk).first() if pk is not None else (None if value else qs.first())
    if found is None:
        raise ValidationFailed(
            "No organisation: set up the organisation first (keel org init).", {"organisation": ["Unknown."]}
        )
    return found


def management_systems(value: Iterable[Any] | Any, actor: Actor) -> list[ManagementSystem]:
    return resolvers.management_systems(_listed(value), actor)


def requirements(value: Iterable[Any] | Any) -> list[Requirement]:
    out: dict[Any, Requirement] = {}
    for ref in _listed(value):
        req = resolvers.requirement(ref, field="requirements")
        out.setdefault(req.pk, req)
    return list(out.values())


def controls(value: Iterable[Any] | Any, actor: Actor) -> list[Control]:
    out: dict[Any, Control] = {}
    for ref in _listed(value):
        control = control_ref(ref, actor, field="controls")
        out.setdefault(control.pk, control)
    return list(out.values())


def person(value: Any, field: str) -> User | None:
    """A person of the directory by email or id (no login needed)."""
    return resolvers.user_by_email(value, field=field)


def evidence(value: Any, field: str = "evidence") -> Evidence | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, Evidence):
        return value
    qs = Evidence.objects.all()
    return resolvers.record(qs, value, label="evidence", example="EV-007", field=field)


def _visible_ncs(qs: QuerySet[Nonconformity], who: resolvers.Viewer) -> QuerySet[Nonconformity]:
    ids = resolvers.visible_system_ids(who)
    if ids is None:
        return qs
    members = Nonconformity.management_systems.through.objects
    return qs.filter(
        Q(pk__in=members.filter(managementsystem_id__in=ids).values("nonconformity_id"))
        | ~Q(pk__in=members.values("nonconformity_id"))
    )


def nonconformity(
    ref: Any, who: resolvers.Viewer = resolvers.TRUSTED, *, lock: bool = False
) -> Nonconformity:
    """A nonconformity by id or NC-nnn among those ``who`` may see; ``lock`` reads it FOR UPDATE."""
    if isinstance(ref, Nonconformity):
        ref = ref.pk
    qs = _visible_ncs(Nonconformity.objects.all(), who)
    pk = resolvers.as_uuid(ref)
    found_pk = (
        qs.filter(pk=pk).values_list("pk", flat=True).first()
        if pk is not None
        else qs.filter(ref_id__iexact=str(ref).strip()).values_list("pk", flat=True).first()
    )
    if found_pk is None:
        raise NotFound(f"No nonconformity {str(ref)[:60]!r}: give its id or reference (e.g. NC-004).")
    base = Nonconformity.objects.select_for_update() if lock else Nonconformity.objects.all()
    return base.get(pk=found_pk)


def corrective_action(
    ref: Any, who: resolvers.Viewer = resolvers.TRUSTED, *, lock: bool = False
) -> CorrectiveAction:
    """A corrective action by id or CA-nnn, of a nonconformity ``who`` may see."""
    if isinstance(ref, CorrectiveAction):
        ref = ref.pk
    visible = _visible_ncs(Nonconformity.objects.all(), who)
    qs = CorrectiveAction.objects.filter(nonconformity__in=visible)
    pk = resolvers.as_uuid(ref)
    found_pk = (
        qs.filter(pk=pk).values_list("pk", flat=True).first()
        if pk is not None
        else qs.filter(ref_id__iexact=str(ref).strip()).values_list("pk", flat=True).first()
    )
    if found_pk is None:
        raise NotFound(f"No corrective action {str(ref)[:60]!r}: give its id or reference (e.g. CA-004).")
    if lock:
        return CorrectiveAction.objects.select_for_update().get(pk=found_pk)
    return CorrectiveAction.objects.select_related("nonconformity").get(pk=found_pk)
