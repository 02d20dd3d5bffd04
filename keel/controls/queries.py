"""Read-side queries of the control catalogue, shared by pages, the API and the CLI.

Every listing runs a fixed number of queries whatever the number of rows, and is restricted to
what the reader may see: a control belongs to management systems, a role over one system sees
that system's controls, and a control that belongs to none is organisation-level (anyone with
a role reads it).
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db.models import Prefetch, Q, QuerySet

from keel.organisation import options
from keel.organisation import resolvers as organisation_resolvers
from keel.organisation.models import ManagementSystem
from keel.platform import filters, hooks
from keel.platform.actor import Actor
from keel.platform.errors import NotFound, PermissionDenied, ValidationFailed
from keel.platform.forms import picker_attrs
from keel.platform.models import TrailEntry, User
from keel.platform.permissions import OWNED, Perm, has_owner_perm, has_perm, system_ids_with
from keel.platform.schemas import MS_REF
from keel.standards.choices import EntryKind
from keel.standards.models import Requirement, Standard
from keel.standards.records import standards_by_key

from .choices import ControlType, Coverage, Effectiveness, Frequency, ImplementationStatus, ShownStatus
from .models import Control, ControlLink, ControlTemplate, TemplateRequirement

CONTROL_ORDER = {
    "ref_id": ("ref_id",),
    "-ref_id": ("-ref_id",),
    "title": ("title", "ref_id"),
    "-title": ("-title", "ref_id"),
    "status": ("status", "ref_id"),
    "-status": ("-status", "ref_id"),
    "effectiveness": ("effectiveness", "ref_id"),
    "-effectiveness": ("-effectiveness", "ref_id"),
    "updated_at": ("updated_at", "ref_id"),
    "-updated_at": ("-updated_at", "ref_id"),
}
MAX_TEXT = 100


# ---------------------------------------------------------------- perimeter


def _membership() -> Any:
    return Control.management_systems.through.objects


def visible(qs: QuerySet[Control], user: User | None, perm: str = Perm.VIEW) -> QuerySet[Control]:
    """Controls ``user`` may ``perm``: those of a system they hold the permission over, and the
    organisation-level ones (no system) for anyone with the permission anywhere."""
    ids = system_ids_with(user, perm)
    if ids is None:
        return qs
    members = _membership()
    return qs.filter(
        Q(pk__in=members.filter(managementsystem_id__in=ids).values("control_id"))
        | ~Q(pk__in=members.values("control_id"))
    )


def can(user: User | None, perm: str, control: Control, every: bool = False) -> bool:
    """Whether ``user`` may ``perm`` this control: reading needs the permission over one of
    its systems, changing it over every one (as the services check)."""
    systems = list(control.management_systems.all())
    if not systems:
        return has_perm(user, perm)
    checks = (has_perm(user, perm, ms) for ms in systems)
    return all(checks) if every else any(checks)


def perimeter_of(control: Control, user: User | None, perm: str, every: bool = False) -> Any:
    """The management system that decides ``perm`` on ``control`` for ``user`` (for the pages'
    ``@page(perimeter=...)``): a system the user lacks when any is missing, else one they hold.
    For a permission over one's own records it is held as :func:`has_owner_perm` says."""
    systems = list(control.management_systems.all())
    if not systems:
        return None
    if perm in OWNED:
        allowed = [ms for ms in systems if has_owner_perm(user, perm, ms, control.owner_id)]
    else:
        allowed = [ms for ms in systems if has_perm(user, perm, ms)]
    if every:
        missing = [ms for ms in systems if ms not in allowed]
        return missing[0] if missing else systems[0]
    return allowed[0] if allowed else systems[0]


# ---------------------------------------------------------------- controls


ControlOrder = Literal[
    "ref_id",
    "-ref_id",
    "title",
    "-title",
    "status",
    "-status",
    "effectiveness",
    "-effectiveness",
    "updated_at",
    "-updated_at",
]
ORDER_CHOICES = [
    ("ref_id", "Reference"),
    ("-ref_id", "Reference, last first"),
    ("title", "Title"),
    ("-title", "Title, Z to A"),
    ("status", "Status"),
    ("-status", "Status, reversed"),
    ("effectiveness", "Effectiveness"),
    ("-effectiveness", "Effectiveness, reversed"),
    ("-updated_at", "Recently changed"),
]
REQUIREMENT_PICKER = "Id, key or words: A.5.19, access"


@dataclass
class ControlFilters:
    """The filters of the control list: its API parameters and its page form (issue 10)."""

    status: str = filters.choice(
        ShownStatus,
        any="Any status",
        help="implemented matches every control claimed implemented (with or without evidence); "
        "implemented_no_evidence only those without current evidence.",
    )
    type: str = filters.choice(ControlType, any="Any type")
    frequency: str = filters.choice(Frequency, any="Any frequency")
    effectiveness: str = filters.choice(Effectiveness, any="Any effectiveness")
    owner: str = filters.reference(
        label="Owner", any="Anyone", options=options.owners, help="The owner's email."
    )
    management_system: str = filters.reference(
        label="Management system",
        any="All systems",
        options=options.systems_of_user,
        invalid_choice=organisation_resolvers.UNKNOWN_SYSTEM,
        help=MS_REF,
    )
    standard: str = filters.reference(
        label="Standard",
        any="All standards",
        options=options.standards,
        help="Controls linked to any requirement of this standard key.",
    )
    requirement: str = filters.reference(
        label="Requirement",
        max_length=128,
        widget_attrs=lambda: picker_attrs("requirements", placeholder=REQUIREMENT_PICKER),
        help="Controls linked to this requirement key.",
    )
    tag: str = filters.text(label="Tag", max_length=60)
    template: str = filters.reference(
        max_length=80, hidden=True, help="Controls adopted from this template key."
    )
    q: str = filters.text(
        label="Search", max_length=MAX_TEXT, help="Words in the reference, title or description."
    )
    order: str = filters.choice(ORDER_CHOICES, default="ref_id", api_type=ControlOrder)


def base_controls() -> QuerySet[Control]:
    """Controls with what a list row shows, in a fixed number of queries; the evidence app adds
    ``has_current_evidence`` (hook ``control.annotate_controls``) for :func:`shown_status`."""
    qs = Control.objects.select_related("owner", "template").prefetch_related(
        Prefetch("management_systems", ManagementSystem.objects.order_by("short_name")),
        "tags",
        Prefetch(
            "links",
            ControlLink.objects.select_related("requirement__standard").order_by(
                "requirement__standard__key", "requirement__sort_order"
            ),
        ),
    )
    for annotate in hooks.registered("control.annotate_controls"):
        qs = annotate(qs)
    return qs


def shown_status(control: Control) -> str:
    """The status the control shows (:class:`~keel.controls.choices.ShownStatus`): "implemented
    — no evidence" for an implemented control without current evidence. A control read without
    the evidence annotation shows its stored status."""
    if (
        control.status == ImplementationStatus.IMPLEMENTED
        and getattr(control, "has_current_evidence", True) is False
    ):
        return ShownStatus.IMPLEMENTED_NO_EVIDENCE
    return control.status


def requirement_ref(key: str, field_name: str = "requirement") -> Requirement:
    return organisation_resolvers.requirement(key, field=field_name)


def control_ref(
    ref: uuid.UUID | str | Control, who: organisation_resolvers.Viewer, field: str = "control"
) -> Control:
    """A control by id or ``KC-nnn`` among those ``who`` may view (outside: "not found")."""
    if isinstance(who, Actor) and who.user is None and who.channel in {"cli", "system"}:
        qs = Control.objects.all()
    else:
        qs = visible(Control.objects.all(), who.user if isinstance(who, Actor) else who)
    return organisation_resolvers.record(qs, ref, label="control", example="KC-012", field=field)


def filter_controls(
    qs: QuerySet[Control], f: ControlFilters, who: organisation_resolvers.Viewer
) -> QuerySet[Control]:
    """Apply the list filters; a filter naming something unknown is a validation error.
    ``status=implemented`` matches every control claimed implemented, with or without evidence;
    ``status=implemented_no_evidence`` only those without current evidence behind them."""
    if f.status == ShownStatus.IMPLEMENTED_NO_EVIDENCE:
        if "has_current_evidence" not in qs.query.annotations:
            raise ValidationFailed(
                "status implemented_no_evidence needs the evidence register.", {"status": ["Unknown value."]}
            )
        qs = qs.filter(status=ImplementationStatus.IMPLEMENTED, has_current_evidence=False)  # type: ignore[misc]
    for name in ("status", "type", "frequency", "effectiveness"):
        value = getattr(f, name)
        if name == "status" and value == ShownStatus.IMPLEMENTED_NO_EVIDENCE:
            continue
        if value:
            choices = getattr(Control._meta.get_field(name), "choices", None) or []
            allowed = [str(k) for k, _ in choices]
            if value not in allowed:
                raise ValidationFailed(
                    f"{name} must be one of: {', '.join(allowed)}.", {name: ["Unknown value."]}
                )
            qs = qs.filter(**{name: value})
    if f.owner:
        qs = qs.filter(owner__email__iexact=f.owner.strip())
    if f.management_system:
        ms = organisation_resolvers.management_system(f.management_system, who)
        qs = qs.filter(pk__in=_membership().filter(managementsystem_id=ms.pk).values("control_id"))
    if f.standard:
        (std,) = standards_by_key([f.standard], field="standard")
        qs = qs.filter(pk__in=ControlLink.objects.filter(requirement__standard=std).values("control_id"))
    if f.requirement:
        req = requirement_ref(f.requirement)
        qs = qs.filter(pk__in=ControlLink.objects.filter(requirement=req).values("control_id"))
    if f.tag:
        qs = qs.filter(
            pk__in=Control.tags.through.objects.filter(tag__name=f.tag.strip().lower()).values("control_id")
        )
    if f.template:
        qs = qs.filter(template__key=f.template.strip())
    if f.q:
        for word in f.q.split()[:8]:
            qs = qs.filter(
                Q(ref_id__icontains=word) | Q(title__icontains=word) | Q(description__icontains=word)
            )
    if f.order not in CONTROL_ORDER:
        raise ValidationFailed(
            f"order must be one of: {', '.join(CONTROL_ORDER)}.", {"order": ["Unknown ordering."]}
        )
    return qs.order_by(*CONTROL_ORDER[f.order])


def controls(user: User | None, filters: ControlFilters | None = None) -> QuerySet[Control]:
    return filter_controls(visible(base_controls(), user), filters or ControlFilters(), user)


def control_for(user: User | None, ref: uuid.UUID | str) -> Control:
    """One control with its systems, tags and links, by id or reference; 403 when the user may
    not read it."""
    qs = base_controls()
    control: Control | None = None
    with contextlib.suppress(ValueError):
        control = qs.filter(pk=uuid.UUID(str(ref))).first()
    if control is None:
        control = qs.filter(ref_id=str(ref)).first()
    if control is None:
        raise NotFound(f"No control {ref!r}: give its id or reference (e.g. KC-012).")
    if not can(user, Perm.VIEW, control):
        raise PermissionDenied("Your roles do not let you read this control's management systems.")
    return control


@dataclass
class LinkGroup:
    standard: Standard
    links: list[ControlLink] = field(default_factory=list)


def links_by_standard(control: Control) -> list[LinkGroup]:
    """The control's links grouped by standard (from the prefetched links: no query)."""
    groups: dict[int, LinkGroup] = {}
    for link in control.links.all():
        std = link.requirement.standard
        groups.setdefault(std.pk, LinkGroup(std)).links.append(link)
    return list(groups.values())


def history(control: Control, limit: int = 200) -> list[TrailEntry]:
    """Trail entries of the control and of its links (deleted links included, found by the
    reference they were recorded under), newest first (one query)."""
    link_ids = [str(pk) for pk in ControlLink.objects.filter(control=control).values_list("pk", flat=True)]
    q = Q(object_type="controls.control", object_id=str(control.pk)) | Q(
        object_type="controls.controllink", object_id__in=link_ids
    )
    q |= Q(object_type="controls.controllink", object_repr__startswith=f"{control.ref_id} → ")
    return list(TrailEntry.objects.filter(q).order_by("-seq")[:limit])


# ---------------------------------------------------------------- links


@dataclass
class LinkFilters:
    control: str = filters.reference(help="A control's id or reference.")
    requirement: str = filters.reference(help="A requirement key.")
    standard: str = filters.reference(help="Only links to requirements of this standard.")
    coverage: str = filters.choice(Coverage)


def links(user: User | None, f: LinkFilters) -> QuerySet[ControlLink]:
    qs = ControlLink.objects.select_related("control", "requirement__standard").filter(
        control__in=visible(Control.objects.all(), user)
    )
    if f.control:
        try:
            qs = qs.filter(control_id=uuid.UUID(f.control))
        except ValueError:
            qs = qs.filter(control__ref_id=f.control.strip())
    if f.requirement:
        qs = qs.filter(requirement=requirement_ref(f.requirement))
    if f.standard:
        (std,) = standards_by_key([f.standard], field="standard")
        qs = qs.filter(requirement__standard=std)
    if f.coverage:
        qs = qs.filter(coverage=f.coverage)
    return qs.order_by("control__ref_id", "requirement__standard__key", "requirement__sort_order", "pk")


def link_for(user: User | None, link_id: uuid.UUID | str) -> ControlLink:
    try:
        link = (
            ControlLink.objects.select_related("control", "requirement__standard")
            .filter(pk=uuid.UUID(str(link_id)))
            .first()
        )
    except ValueError:
        link = None
    if link is None:
        raise NotFound(f"No control link with id {link_id}.")
    if not can(user, Perm.VIEW, link.control):
        raise PermissionDenied("Your roles do not let you read this control's management systems.")
    return link


def implemented_by(req: Requirement, user: User | None) -> dict[str, Any]:
    """The controls linked to a requirement, and — for a backbone clause — those linked to the
    same clause in the other standards (two queries)."""
    counterparts = []
    if req.hs_key:
        counterparts = list(
            Requirement.objects.filter(hs_key=req.hs_key, withdrawn_at__isnull=True).exclude(pk=req.pk)
        )
    wanted = [req.pk, *(c.pk for c in counterparts)]
    rows = list(
        ControlLink.objects.filter(
            requirement_id__in=wanted, control__in=visible(Control.objects.all(), user)
        )
        .select_related("control__owner", "requirement__standard")
        .order_by("control__ref_id")
    )
    return {
        "direct": [lk for lk in rows if lk.requirement_id == req.pk],
        "backbone": [lk for lk in rows if lk.requirement_id != req.pk],
    }


# ---------------------------------------------------------------- templates


def _theme_options(context: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [
        (r.key, f"{r.standard.name.removeprefix('ISO/IEC ')} {r.ref_id} {r.title}") for r in template_themes()
    ]


@dataclass
class TemplateFilters:
    standard: str = filters.reference(
        label="Standard",
        any="All standards",
        options=options.standards,
        help="Templates serving a requirement of this standard.",
    )
    # the key of an Annex A theme or a top-level clause
    theme: str = filters.reference(
        label="Theme or clause", any="All themes", options=_theme_options, api=False
    )
    requirement: str = filters.reference(
        label="Requirement",
        max_length=128,
        widget_attrs=lambda: picker_attrs("requirements", placeholder="Id, key or words: A.10.3"),
        help="Templates serving this requirement key.",
    )
    type: str = filters.choice(ControlType, any="Any type")
    q: str = filters.text(label="Search", max_length=MAX_TEXT)
    # "no": only templates not adopted yet; "yes": only adopted ones
    adopted: str = filters.choice(
        [("no", "Not adopted yet"), ("yes", "Adopted")], label="Adopted", any="Adopted or not", api=False
    )


def template_themes() -> list[Requirement]:
    """The themes a template can be filtered by: the Annex A themes and top-level clauses of
    every standard, in document order (one query)."""
    return list(
        Requirement.objects.filter(
            parent__isnull=True, kind__in=[EntryKind.ANNEX_THEME, EntryKind.CLAUSE], withdrawn_at__isnull=True
        )
        .select_related("standard")
        .order_by("standard__key", "sort_order")
    )


def templates(f: TemplateFilters | None = None) -> QuerySet[ControlTemplate]:
    """Live templates with their requirement links, in document order (two queries)."""
    f = f or TemplateFilters()
    qs = ControlTemplate.objects.filter(withdrawn_at__isnull=True).prefetch_related(
        Prefetch(
            "links",
            TemplateRequirement.objects.select_related("requirement__standard").order_by(
                "requirement__standard__key", "requirement__sort_order"
            ),
        )
    )
    if f.standard:
        (std,) = standards_by_key([f.standard], field="standard")
        qs = qs.filter(
            pk__in=TemplateRequirement.objects.filter(requirement__standard=std).values("template_id")
        )
    if f.theme:
        under = (
            Q(requirement__key=f.theme)
            | Q(requirement__parent__key=f.theme)
            | Q(requirement__parent__parent__key=f.theme)
            | Q(requirement__parent__parent__parent__key=f.theme)
        )
        qs = qs.filter(pk__in=TemplateRequirement.objects.filter(under).values("template_id"))
    if f.adopted in ("yes", "no"):
        taken = Control.objects.filter(template__isnull=False).values("template_id")
        qs = qs.filter(pk__in=taken) if f.adopted == "yes" else qs.exclude(pk__in=taken)
    if f.requirement:
        req = requirement_ref(f.requirement)
        qs = qs.filter(pk__in=TemplateRequirement.objects.filter(requirement=req).values("template_id"))
    if f.type:
        qs = qs.filter(type=f.type)
    if f.q:
        for word in f.q.split()[:8]:
            qs = qs.filter(
                Q(key__icontains=word)
                | Q(title__icontains=word)
                | Q(description__icontains=word)
                | Q(ai_extension__icontains=word)
            )
    return qs.order_by("sort_order", "key")


def template_for(key: str) -> ControlTemplate:
    t = templates().filter(key=key).first()
    if t is None:
        raise NotFound(f"No control template {key!r}.")
    return t


def adopted_controls() -> dict[int, Control]:
    """Template id -> the control adopted from it (one query)."""
    return {
        c.template_id: c
        for c in Control.objects.filter(template__isnull=False).only("id", "ref_id", "title", "template_id")
        if c.template_id is not None
    }
