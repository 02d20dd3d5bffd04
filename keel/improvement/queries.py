"""Read-side queries of the improvement queue, shared by pages, the API and the CLI.

Visibility is that of documents and controls: a nonconformity of a management system the reader
holds ``view`` over, and organisation-level ones (no system) for anyone with a role. Lists run a
fixed number of queries whatever their length.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from keel.organisation import options
from keel.organisation import resolvers as organisation_resolvers
from keel.platform import filters
from keel.platform.errors import NotFound, PermissionDenied, ValidationFailed
from keel.platform.models import TrailEntry, User
from keel.platform.permissions import OWNED, Perm, has_owner_perm, has_perm, system_ids_with
from keel.platform.schemas import MS_REF
from keel.standards.models import Requirement

from .choices import OPEN_NONCONFORMITY, CorrectiveActionStatus, NonconformityKind, NonconformitySource
from .models import CorrectiveAction, EffectivenessCheck, Nonconformity

MAX_TEXT = 100
RECURRENCE_WINDOW = dt.timedelta(days=365)


def today() -> dt.date:
    return timezone.localdate()


# ---------------------------------------------------------------- who may see what


def member_of(system_ids: Iterable[uuid.UUID], ref: str = "pk") -> Q:
    """Nonconformities of one of ``system_ids``, or of no system (organisation level)."""
    members = Nonconformity.management_systems.through.objects
    return Q(
        Exists(members.filter(nonconformity_id=OuterRef(ref), managementsystem_id__in=list(system_ids)))
    ) | ~Q(Exists(members.filter(nonconformity_id=OuterRef(ref))))


def visible(qs: QuerySet[Any], user: User | None, perm: str = Perm.VIEW, ref: str = "pk") -> QuerySet[Any]:
    ids = system_ids_with(user, perm)
    if ids is None:
        return qs
    return qs.filter(member_of(ids, ref))


def can(user: User | None, perm: str, nc: Nonconformity, owner_id: uuid.UUID | None = None) -> bool:
    """Reading needs ``perm`` over one of its systems; a change (any other permission), over every one."""
    systems: list[Any] = list(nc.management_systems.all()) or [None]
    if perm in OWNED:
        return all(has_owner_perm(user, perm, ms, owner_id) for ms in systems)
    results = [has_perm(user, perm, ms) for ms in systems]
    return any(results) if perm == Perm.VIEW else all(results)


def perimeter_of(nc: Nonconformity, user: User | None, perm: str) -> Any:
    """The management system that decides ``perm`` for ``@page(perimeter=...)``."""
    systems = list(nc.management_systems.all())
    if not systems:
        return None
    allowed = [ms for ms in systems if has_perm(user, perm, ms)]
    if perm == Perm.VIEW:
        return allowed[0] if allowed else systems[0]
    missing = [ms for ms in systems if ms not in allowed]
    return missing[0] if missing else systems[0]


# ---------------------------------------------------------------- one nonconformity


def base_nonconformities() -> QuerySet[Nonconformity]:
    """With everything a row of the queue or of the API shows (a fixed number of queries)."""
    return Nonconformity.objects.select_related(
        "owner", "raised_by", "closed_by", "recurrence_of"
    ).prefetch_related(
        "management_systems",
        Prefetch("requirements", queryset=_requirements_qs()),
        "controls",
        Prefetch(
            "actions",
            CorrectiveAction.objects.select_related("owner", "done_evidence").order_by("ref_id"),
        ),
        Prefetch(
            "effectiveness_checks",
            EffectivenessCheck.objects.select_related("checked_by", "evidence").order_by("created_at"),
        ),
    )


def _requirements_qs() -> Any:
    return Requirement.objects.select_related("standard").order_by("standard__key", "sort_order")


def get(ref: uuid.UUID | str, qs: QuerySet[Nonconformity] | None = None) -> Nonconformity:
    """One nonconformity by id or NC-nnn (no permission check)."""
    qs = qs if qs is not None else base_nonconformities()
    pk = organisation_resolvers.as_uuid(ref)
    found = qs.filter(pk=pk).first() if pk is not None else None
    if found is None:
        found = qs.filter(ref_id__iexact=str(ref).strip()[:MAX_TEXT]).first()
    if found is None:
        raise NotFound(f"No nonconformity {str(ref)[:MAX_TEXT]!r}: give its id or reference (e.g. NC-004).")
    return found


def detail(ref: uuid.UUID | str) -> Nonconformity:
    """A nonconformity with its actions and checks (no permission check)."""
    qs = base_nonconformities().prefetch_related(
        Prefetch("recurrences", Nonconformity.objects.order_by("raised_on", "ref_id"))
    )
    return get(ref, qs)


def nonconformity_for(user: User | None, ref: uuid.UUID | str) -> Nonconformity:
    nc = detail(ref)
    if not can(user, Perm.VIEW, nc):
        raise PermissionDenied("Your roles do not let you read this nonconformity's management systems.")
    return nc


def history(nc: Nonconformity, limit: int = 200) -> list[TrailEntry]:
    """Trail entries of the nonconformity, its actions and its checks, newest first."""
    action_ids = [str(pk) for pk in nc.actions.values_list("pk", flat=True)]
    check_ids = [str(pk) for pk in nc.effectiveness_checks.values_list("pk", flat=True)]
    q = (
        Q(object_type="improvement.nonconformity", object_id=str(nc.pk))
        | Q(object_type="improvement.correctiveaction", object_id__in=action_ids)
        | Q(object_type="improvement.effectivenesscheck", object_id__in=check_ids)
    )
    return list(TrailEntry.objects.filter(q).order_by("-seq")[:limit])


def recurrence_candidates(
    nc: Nonconformity, user: User | None = None, limit: int = 10
) -> list[Nonconformity]:
    """Earlier nonconformities that may be the same problem again: raised in the 12 months
    before this one and naming one of its requirements or controls (most shared first)."""
    reqs = list(nc.requirements.values_list("pk", flat=True))
    ctrls = list(nc.controls.values_list("pk", flat=True))
    if not reqs and not ctrls:
        return []
    qs = visible(Nonconformity.objects.all(), user).filter(
        raised_on__lte=nc.raised_on, raised_on__gte=nc.raised_on - RECURRENCE_WINDOW
    )
    qs = qs.exclude(pk=nc.pk).filter(Q(requirements__in=reqs) | Q(controls__in=ctrls)).distinct()
    if nc.recurrence_of_id:
        qs = qs.exclude(pk=nc.recurrence_of_id)
    return list(qs.order_by("-raised_on", "-ref_id")[:limit])


# ---------------------------------------------------------------- lists


NC_ORDER = {
    "-raised_on": (F("raised_on").desc(), F("ref_id").desc()),
    "raised_on": (F("raised_on").asc(), F("ref_id").asc()),
    "ref_id": (F("ref_id").asc(),),
    "-ref_id": (F("ref_id").desc(),),
    "status": (F("status").asc(), F("ref_id").asc()),
    "title": (F("title").asc(), F("ref_id").asc()),
}
NC_ORDER_CHOICES = [
    ("-raised_on", "Newest first"),
    ("raised_on", "Oldest first"),
    ("ref_id", "Reference"),
    ("-ref_id", "Reference, last first"),
    ("status", "Step"),
    ("title", "Title"),
]
NonconformityOrder = Literal["-raised_on", "raised_on", "ref_id", "-ref_id", "status", "title"]
OPEN_STATUS = "open_any"
STATUS_CHOICES = [
    (OPEN_STATUS, "Not closed"),
    ("open", "Open: correction due"),
    ("root_cause", "Root cause analysis"),
    ("actions", "Corrective actions"),
    ("effectiveness", "Effectiveness check"),
    ("closed", "Closed"),
]


@dataclass
class NonconformityFilters:
    """The filters of the nonconformity queue: its API parameters and its page form."""

    status: str = filters.choice(
        STATUS_CHOICES, label="Step", any="Every step", help="open_any: every one not closed."
    )
    source: str = filters.choice(NonconformitySource, label="Source", any="Every source")
    kind: str = filters.choice(NonconformityKind, label="Kind", any="Every kind")
    standard: str = filters.reference(
        label="Standard",
        any="Both standards",
        options=options.standards,
        help="A standard's key (iso27001:2022): nonconformities against its requirements or of its systems.",
    )
    management_system: str = filters.reference(
        label="Management system",
        any="All systems",
        options=options.systems_of_user,
        invalid_choice=organisation_resolvers.UNKNOWN_SYSTEM,
        help=MS_REF,
    )
    owner: str = filters.reference(
        label="Owner", any="Anyone", options=options.owners, max_length=254, help="The owner's email."
    )
    requirement: str = filters.reference(max_length=128, help="Naming this requirement key.", form=False)
    control: str = filters.reference(max_length=64, help="Naming this control (KC-nnn).", form=False)
    overdue_actions: bool | None = filters.boolean(
        label="Overdue actions",
        help="Only nonconformities with a corrective action past its due date.",
        api_type=bool,
        api_default=False,
    )
    q: str = filters.text(
        label="Search", max_length=MAX_TEXT, help="Words in the reference, title or description."
    )
    order: str = filters.choice(
        NC_ORDER_CHOICES, label="Order", default="-raised_on", api_type=NonconformityOrder, form=False
    )


def _choice(name: str, value: str, allowed: Iterable[str]) -> None:
    allowed = list(allowed)
    if value and value not in allowed:
        raise ValidationFailed(f"{name} must be one of: {', '.join(allowed)}.", {name: ["Unknown value."]})


def overdue_actions() -> QuerySet[CorrectiveAction]:
    return CorrectiveAction.objects.filter(status=CorrectiveActionStatus.OPEN, due_on__lt=today())


def nonconformity_list(user: User | None, f: NonconformityFilters | None = None) -> QuerySet[Nonconformity]:
    """The nonconformities ``user`` may read, filtered and ordered (fixed number of queries)."""
    f = f or NonconformityFilters()
    _choice("status", f.status, [v for v, _ in STATUS_CHOICES])
    _choice("source", f.source, NonconformitySource.values)
    _choice("kind", f.kind, NonconformityKind.values)
    _choice("order", f.order, NC_ORDER)
    qs = visible(base_nonconformities(), user)
    if f.status == OPEN_STATUS:
        qs = qs.filter(status__in=OPEN_NONCONFORMITY)
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.source:
        qs = qs.filter(source=f.source)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.standard:
        key = f.standard.strip()[:64]
        members = Nonconformity.management_systems.through.objects.filter(
            nonconformity_id=OuterRef("pk"), managementsystem__standards__key=key
        )
        reqs = Nonconformity.requirements.through.objects.filter(
            nonconformity_id=OuterRef("pk"), requirement__standard__key=key
        )
        qs = qs.filter(Exists(members) | Exists(reqs))
    if f.management_system:
        ms = organisation_resolvers.management_system(f.management_system, user)
        qs = qs.filter(
            Exists(
                Nonconformity.management_systems.through.objects.filter(
                    nonconformity_id=OuterRef("pk"), managementsystem_id=ms.pk
                )
            )
        )
    if f.owner:
        qs = qs.filter(owner__email__iexact=f.owner.strip()[:254])
    if f.requirement:
        qs = qs.filter(
            Exists(
                Nonconformity.requirements.through.objects.filter(
                    nonconformity_id=OuterRef("pk"), requirement__key=f.requirement.strip()[:200]
                )
            )
        )
    if f.control:
        qs = qs.filter(
            Exists(
                Nonconformity.controls.through.objects.filter(
                    nonconformity_id=OuterRef("pk"), control__ref_id__iexact=f.control.strip()[:64]
                )
            )
        )
    if f.overdue_actions:
        qs = qs.filter(Exists(overdue_actions().filter(nonconformity_id=OuterRef("pk"))))
    if f.q:
        for word in f.q.split()[:10]:
            qs = qs.filter(
                Q(title__icontains=word) | Q(ref_id__icontains=word) | Q(description__icontains=word)
            )
    return qs.order_by(*NC_ORDER[f.order or "-raised_on"])


CA_ORDER = {
    "due_on": (F("due_on").asc(), F("ref_id").asc()),
    "-due_on": (F("due_on").desc(), F("ref_id").asc()),
    "ref_id": (F("ref_id").asc(),),
    "-ref_id": (F("ref_id").desc(),),
}
CorrectiveActionOrder = Literal["due_on", "-due_on", "ref_id", "-ref_id"]


@dataclass
class CorrectiveActionFilters:
    """The filters of the corrective-action list: its API parameters and its page form."""

    status: str = filters.choice(CorrectiveActionStatus, label="Status", any="Any status")
    owner: str = filters.reference(
        label="Owner", any="Anyone", options=options.owners, max_length=254, help="The owner's email."
    )
    management_system: str = filters.reference(
        label="Management system",
        any="All systems",
        options=options.systems_of_user,
        invalid_choice=organisation_resolvers.UNKNOWN_SYSTEM,
        help=MS_REF,
    )
    nonconformity: str = filters.reference(
        max_length=MAX_TEXT, help="Of this nonconformity (id or NC-nnn).", form=False
    )
    overdue: bool | None = filters.boolean(
        label="Overdue", help="Only open actions past their due date.", api_type=bool, api_default=False
    )
    order: str = filters.choice(
        [
            ("due_on", "Due date"),
            ("-due_on", "Due date, latest first"),
            ("ref_id", "Reference"),
            ("-ref_id", "Reference, last first"),
        ],
        label="Order",
        default="due_on",
        api_type=CorrectiveActionOrder,
        form=False,
    )


def base_actions() -> QuerySet[CorrectiveAction]:
    return CorrectiveAction.objects.select_related("owner", "nonconformity", "done_evidence")


def action_list(user: User | None, f: CorrectiveActionFilters | None = None) -> QuerySet[CorrectiveAction]:
    f = f or CorrectiveActionFilters()
    _choice("status", f.status, CorrectiveActionStatus.values)
    _choice("order", f.order, CA_ORDER)
    qs = visible(base_actions(), user, ref="nonconformity_id")
    if f.status:
        qs = qs.filter(status=f.status)
    if f.owner:
        qs = qs.filter(owner__email__iexact=f.owner.strip()[:254])
    if f.management_system:
        ms = organisation_resolvers.management_system(f.management_system, user)
        qs = qs.filter(
            Exists(
                Nonconformity.management_systems.through.objects.filter(
                    nonconformity_id=OuterRef("nonconformity_id"), managementsystem_id=ms.pk
                )
            )
        )
    if f.nonconformity:
        qs = qs.filter(nonconformity=get(f.nonconformity, Nonconformity.objects.all()))
    if f.overdue:
        qs = qs.filter(status=CorrectiveActionStatus.OPEN, due_on__lt=today())
    return qs.order_by(*CA_ORDER[f.order or "due_on"])


def action_for(user: User | None, ref: uuid.UUID | str) -> CorrectiveAction:
    qs = visible(base_actions(), user, ref="nonconformity_id")
    pk = organisation_resolvers.as_uuid(ref)
    found = qs.filter(pk=pk).first() if pk is not None else None
    if found is None:
        found = qs.filter(ref_id__iexact=str(ref).strip()[:MAX_TEXT]).first()
    if found is None:
        raise NotFound(
            f"No corrective action {str(ref)[:MAX_TEXT]!r}: give its id or reference (e.g. CA-004)."
        )
    return found
