"""Read-side queries of the evidence register, shared by pages, the API, the CLI, the dashboard
and the Statement of Applicability.

:func:`validity` is the one rule for "expired / expiring soon / valid / no expiry"; list
filters use :func:`validity_q`, its database form. Every listing runs a fixed number of
queries whatever the number of rows, and shows only what the reader may see: evidence of a
management system they hold ``view`` over, and organisation-level evidence (no system).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from keel.controls.models import Control
from keel.controls.queries import control_ref, requirement_ref
from keel.organisation import options
from keel.organisation import resolvers as organisation_resolvers
from keel.organisation.models import ManagementSystem
from keel.platform import filters
from keel.platform.errors import NotFound, PermissionDenied, ValidationFailed
from keel.platform.forms import picker_attrs
from keel.platform.models import TrailEntry, User
from keel.platform.permissions import Perm, has_perm, system_ids_with
from keel.platform.schemas import MS_REF

from .choices import EvidenceKind, EvidenceStatus, Validity
from .models import Evidence, EvidenceControl, EvidenceRequirement, EvidenceVersion

MAX_TEXT = 100
EVIDENCE_ORDER = {
    "ref_id": (F("ref_id").asc(),),
    "-ref_id": (F("ref_id").desc(),),
    "title": (F("title").asc(), F("ref_id").asc()),
    "-title": (F("title").desc(), F("ref_id").asc()),
    "valid_until": (F("current_version__valid_until").asc(nulls_last=True), F("ref_id").asc()),
    "-valid_until": (F("current_version__valid_until").desc(nulls_last=True), F("ref_id").asc()),
    "collected_on": (F("current_version__collected_on").asc(), F("ref_id").asc()),
    "-collected_on": (F("current_version__collected_on").desc(), F("ref_id").asc()),
    "updated_at": (F("updated_at").asc(), F("ref_id").asc()),
    "-updated_at": (F("updated_at").desc(), F("ref_id").asc()),
}


# ---------------------------------------------------------------- validity: the one rule


def today() -> dt.date:
    return timezone.localdate()


def expiring_days() -> int:
    return int(settings.KEEL_EVIDENCE_EXPIRING_DAYS)


def validity(valid_until: dt.date | None, on: dt.date | None = None) -> Validity:
    """Expired when ``valid_until`` has passed (the evidence is valid *on* its last day);
    expiring soon when it falls within the next ``KEEL_EVIDENCE_EXPIRING_DAYS`` days (30);
    valid after that; no expiry without a date."""
    if valid_until is None:
        return Validity.NO_EXPIRY
    on = on or today()
    if valid_until < on:
        return Validity.EXPIRED
    if valid_until <= on + dt.timedelta(days=expiring_days()):
        return Validity.EXPIRING
    return Validity.VALID


def validity_q(value: str, on: dt.date | None = None, prefix: str = "current_version__") -> Q:
    """The database form of :func:`validity`: evidence whose current version has ``value``."""
    on = on or today()
    field = f"{prefix}valid_until"
    soon = on + dt.timedelta(days=expiring_days())
    if value == Validity.EXPIRED:
        return Q(**{f"{field}__lt": on})
    if value == Validity.EXPIRING:
        return Q(**{f"{field}__gte": on, f"{field}__lte": soon})
    if value == Validity.VALID:
        return Q(**{f"{field}__gt": soon})
    if value == Validity.NO_EXPIRY:
        return Q(**{f"{field}__isnull": True})
    raise ValidationFailed(
        f"validity must be one of: {', '.join(Validity.values)}.", {"validity": ["Unknown value."]}
    )


def validity_of(evidence: Evidence, on: dt.date | None = None) -> Validity:
    version = evidence.current_version
    return validity(version.valid_until if version is not None else None, on)


# ---------------------------------------------------------------- perimeter


def _membership() -> Any:
    return Evidence.management_systems.through.objects


def visible(qs: QuerySet[Evidence], user: User | None, perm: str = Perm.VIEW) -> QuerySet[Evidence]:
    """Evidence ``user`` may ``perm``: that of a system they hold the permission over, and the
    organisation-level evidence (no system) for anyone with the permission anywhere."""
    ids = system_ids_with(user, perm)
    if ids is None:
        return qs
    return qs.filter(_member_of(ids, "pk"))


def _member_of(system_ids: Iterable[uuid.UUID], ref: str) -> Q:
    """Evidence (named by ``ref``, an expression for its id) of one of ``system_ids``, or of no
    system at all (organisation level): correlated EXISTS, which both databases answer from the
    membership table's index."""
    members = _membership()
    return Q(
        Exists(members.filter(evidence_id=OuterRef(ref), managementsystem_id__in=list(system_ids)))
    ) | ~Q(Exists(members.filter(evidence_id=OuterRef(ref))))


def can(user: User | None, perm: str, evidence: Evidence, every: bool = False) -> bool:
    """Reading (and downloading) needs the permission over one of the evidence's systems;
    changing it, over every one (as the services check)."""
    systems = list(evidence.management_systems.all())
    if not systems:
        return has_perm(user, perm)
    checks = (has_perm(user, perm, ms) for ms in systems)
    return all(checks) if every else any(checks)


def perimeter_of(evidence: Evidence, user: User | None, perm: str, every: bool = False) -> Any:
    """The management system that decides ``perm`` on ``evidence`` for ``user`` (for the
    pages' ``@page(perimeter=...)``)."""
    systems = list(evidence.management_systems.all())
    if not systems:
        return None
    allowed = [ms for ms in systems if has_perm(user, perm, ms)]
    if every:
        missing = [ms for ms in systems if ms not in allowed]
        return missing[0] if missing else systems[0]
    return allowed[0] if allowed else systems[0]


# ---------------------------------------------------------------- lists


EvidenceOrder = Literal[
    "ref_id",
    "-ref_id",
    "title",
    "-title",
    "valid_until",
    "-valid_until",
    "collected_on",
    "-collected_on",
    "updated_at",
    "-updated_at",
]
ORDER_CHOICES = [
    ("ref_id", "Reference"),
    ("-ref_id", "Reference, last first"),
    ("title", "Title"),
    ("-title", "Title, Z to A"),
    ("valid_until", "Valid until (soonest first)"),
    ("-valid_until", "Valid until (latest first)"),
    ("-collected_on", "Recently collected"),
    ("collected_on", "Collected longest ago"),
    ("-updated_at", "Recently changed"),
]
ANY_STATUS = "any"


@dataclass
class EvidenceFilters:
    """The filters of the evidence register: its API parameters and its page form (issue 10)."""

    control: str = filters.reference(
        label="Control",
        max_length=64,
        widget_attrs=lambda: picker_attrs("controls", placeholder="e.g. KC-012"),
        help="Evidence supporting this control (id or reference).",
    )
    requirement: str = filters.reference(
        label="Requirement",
        max_length=128,
        widget_attrs=lambda: picker_attrs("requirements", placeholder="e.g. A.5.15"),
        help="Evidence linked directly to this requirement key.",
    )
    management_system: str = filters.reference(
        label="Management system",
        any="All systems",
        options=options.systems_of_user,
        invalid_choice=organisation_resolvers.UNKNOWN_SYSTEM,
        help=MS_REF,
    )
    status: str = filters.choice(
        [
            (EvidenceStatus.CURRENT, "Current"),
            (EvidenceStatus.WITHDRAWN, "Withdrawn"),
            (ANY_STATUS, "Current and withdrawn"),
        ],
        default=EvidenceStatus.CURRENT,
        help="Withdrawn evidence is left out unless asked for.",
    )
    validity: str = filters.choice(Validity, any="Any validity", help="Of the current version.")
    kind: str = filters.choice(EvidenceKind, any="Files and links")
    owner: str = filters.reference(help="The owner's email.", form=False)
    q: str = filters.text(
        label="Search", max_length=MAX_TEXT, help="Words in the reference, title, description or file name."
    )
    order: str = filters.choice(ORDER_CHOICES, default="ref_id", api_type=EvidenceOrder)


def base_evidence() -> QuerySet[Evidence]:
    """Evidence with what a list row shows, in a fixed number of queries (4)."""
    return Evidence.objects.select_related(
        "owner", "current_version", "current_version__collected_by"
    ).prefetch_related(
        Prefetch("management_systems", ManagementSystem.objects.order_by("short_name")),
        Prefetch(
            "control_links", EvidenceControl.objects.select_related("control").order_by("control__ref_id")
        ),
        Prefetch(
            "requirement_links",
            EvidenceRequirement.objects.select_related("requirement__standard").order_by(
                "requirement__standard__key", "requirement__sort_order"
            ),
        ),
    )


def _choice(name: str, value: str, allowed: Iterable[str]) -> None:
    allowed = list(allowed)
    if value not in allowed:
        raise ValidationFailed(f"{name} must be one of: {', '.join(allowed)}.", {name: ["Unknown value."]})


def filter_evidence(
    qs: QuerySet[Evidence], f: EvidenceFilters, who: organisation_resolvers.Viewer
) -> QuerySet[Evidence]:
    """Apply the list filters; a filter naming something unknown is a validation error."""
    if f.status and f.status != ANY_STATUS:
        _choice("status", f.status, EvidenceStatus.values)
        qs = qs.filter(status=f.status)
    if f.kind:
        _choice("kind", f.kind, EvidenceKind.values)
        qs = qs.filter(kind=f.kind)
    if f.validity:
        qs = qs.filter(validity_q(f.validity))
    if f.control:
        control = control_ref(f.control, who)
        qs = qs.filter(pk__in=EvidenceControl.objects.filter(control=control).values("evidence_id"))
    if f.requirement:
        req = requirement_ref(f.requirement)
        qs = qs.filter(pk__in=EvidenceRequirement.objects.filter(requirement=req).values("evidence_id"))
    if f.management_system:
        ms = organisation_resolvers.management_system(f.management_system, who)
        qs = qs.filter(pk__in=_membership().filter(managementsystem_id=ms.pk).values("evidence_id"))
    if f.owner:
        qs = qs.filter(owner__email__iexact=f.owner.strip())
    if f.q:
        for word in f.q.split()[:8]:
            qs = qs.filter(
                Q(ref_id__icontains=word)
                | Q(title__icontains=word)
                | Q(description__icontains=word)
                | Q(current_version__filename__icontains=word)
            )
    if f.order not in EVIDENCE_ORDER:
        raise ValidationFailed(
            f"order must be one of: {', '.join(EVIDENCE_ORDER)}.", {"order": ["Unknown ordering."]}
        )
    return qs.order_by(*EVIDENCE_ORDER[f.order])


def evidence_list(user: User | None, filters: EvidenceFilters | None = None) -> QuerySet[Evidence]:
    return filter_evidence(visible(base_evidence(), user), filters or EvidenceFilters(), user)


def get_evidence(ref: uuid.UUID | str, qs: QuerySet[Evidence] | None = None) -> Evidence:
    """One piece of evidence by id or reference (no permission check)."""
    qs = qs if qs is not None else Evidence.objects.select_related("owner", "current_version")
    evidence: Evidence | None = None
    with contextlib.suppress(ValueError):
        evidence = qs.filter(pk=uuid.UUID(str(ref))).first()
    if evidence is None:
        evidence = qs.filter(ref_id=str(ref).strip()).first()
    if evidence is None:
        raise NotFound(f"No evidence {ref!r}: give its id or reference (e.g. EV-007).")
    return evidence


def evidence_detail(ref: uuid.UUID | str) -> Evidence:
    """One piece of evidence with its systems, links and versions (no permission check)."""
    qs = base_evidence().prefetch_related(
        Prefetch(
            "versions",
            EvidenceVersion.objects.select_related("collected_by", "created_by").order_by("-number"),
        )
    )
    return get_evidence(ref, qs)


def evidence_for(user: User | None, ref: uuid.UUID | str) -> Evidence:
    """:func:`evidence_detail`, or 403 when the user may not read it."""
    evidence = evidence_detail(ref)
    if not can(user, Perm.VIEW, evidence):
        raise PermissionDenied("Your roles do not let you read this evidence's management systems.")
    return evidence


def version_for(user: User | None, ref: uuid.UUID | str, number: int) -> EvidenceVersion:
    evidence = get_evidence(ref, Evidence.objects.prefetch_related("management_systems"))
    if not can(user, Perm.VIEW, evidence):
        raise PermissionDenied("Your roles do not let you read this evidence's management systems.")
    version = (
        EvidenceVersion.objects.select_related("evidence", "collected_by", "created_by")
        .filter(evidence=evidence, number=number)
        .first()
    )
    if version is None:
        raise NotFound(f"{evidence.ref_id} has no version {number}.")
    return version


def history(evidence: Evidence, limit: int = 200) -> list[TrailEntry]:
    """Trail entries of the evidence, its versions and its links, newest first (one query)."""
    q = Q(object_type="evidence.evidence", object_id=str(evidence.pk)) | Q(
        object_type__in=[
            "evidence.evidenceversion",
            "evidence.evidencecontrol",
            "evidence.evidencerequirement",
        ],
        object_repr__startswith=f"{evidence.ref_id} ",
    )
    return list(TrailEntry.objects.filter(q).order_by("-seq")[:limit])


# ---------------------------------------------------------------- dashboard


@dataclass
class ExpirySummary:
    expired: int
    expiring: int
    days: int
    items: list[Evidence]


def expiry_summary(user: User | None, limit: int = 8) -> ExpirySummary:
    """Current evidence that has expired or expires within the window: counts and the first
    items, soonest (most overdue) first (3 queries)."""
    on = today()
    qs = visible(Evidence.objects.filter(status=EvidenceStatus.CURRENT), user)
    counts = qs.aggregate(
        expired=Count("pk", filter=validity_q(Validity.EXPIRED, on)),
        expiring=Count("pk", filter=validity_q(Validity.EXPIRING, on)),
    )
    items = list(
        qs.filter(validity_q(Validity.EXPIRED, on) | validity_q(Validity.EXPIRING, on))
        .select_related("current_version", "owner")
        .order_by("current_version__valid_until", "ref_id")[:limit]
    )
    return ExpirySummary(
        expired=counts["expired"], expiring=counts["expiring"], days=expiring_days(), items=items
    )


# ---------------------------------------------------------------- for other records


def summary(evidence: Evidence, on: dt.date | None = None) -> dict[str, Any]:
    """What the SoA and other records show of a piece of evidence."""
    v = evidence.current_version
    return {
        "ref_id": evidence.ref_id,
        "title": evidence.title,
        "kind": evidence.kind,
        "version": v.number if v else None,
        "collected_on": v.collected_on.isoformat() if v else None,
        "valid_until": v.valid_until.isoformat() if v and v.valid_until else None,
        "validity": str(validity(v.valid_until if v else None, on)),
    }


# What :func:`summary` reads, through a link's ``evidence``: :func:`by_control` and
# :func:`by_requirement` load only these (at 20,000 pieces of evidence an SoA reads ~70,000 rows;
# the other columns, timestamps above all, were most of its time).
SUMMARY_FIELDS = (
    "evidence__ref_id",
    "evidence__title",
    "evidence__kind",
    "evidence__status",
    "evidence__current_version__number",
    "evidence__current_version__collected_on",
    "evidence__current_version__valid_until",
)


def _in_system(qs: QuerySet[Any], management_system_id: uuid.UUID | None) -> Any:
    if management_system_id is None:
        return qs
    return qs.filter(_member_of([management_system_id], "evidence_id"))


def by_control(
    control_ids: Iterable[uuid.UUID], management_system_id: uuid.UUID | None = None
) -> dict[uuid.UUID, list[Evidence]]:
    """Current evidence of each control (one query); with a management system, only evidence
    of that system or organisation-level evidence."""
    out: dict[uuid.UUID, list[Evidence]] = defaultdict(list)
    # Withdrawn evidence is skipped here rather than in SQL: filtering on the status lets
    # SQLite pick the status index and scan every piece of evidence.
    qs = (
        EvidenceControl.objects.filter(control_id__in=list(control_ids))
        .select_related("evidence__current_version")
        .only("control_id", *SUMMARY_FIELDS)
    )
    for link in _in_system(qs, management_system_id).order_by("evidence__ref_id"):
        if link.evidence.status == EvidenceStatus.CURRENT:
            out[link.control_id].append(link.evidence)
    return out


def by_requirement(
    requirement_ids: Iterable[int], management_system_id: uuid.UUID | None = None
) -> dict[int, list[Evidence]]:
    """Current evidence linked directly to each requirement (one query)."""
    out: dict[int, list[Evidence]] = defaultdict(list)
    qs = (
        EvidenceRequirement.objects.filter(requirement_id__in=list(requirement_ids))
        .select_related("evidence__current_version")
        .only("requirement_id", *SUMMARY_FIELDS)
    )
    for link in _in_system(qs, management_system_id).order_by("evidence__ref_id"):
        if link.evidence.status == EvidenceStatus.CURRENT:
            out[link.requirement_id].append(link.evidence)
    return out


@dataclass(frozen=True)
class EvidenceStanding:
    """What a readiness count needs of one piece of current evidence: the management systems it
    belongs to (empty: organisation level, valid for every system) and whether it has expired."""

    systems: frozenset[uuid.UUID]
    expired: bool

    def counts_for(self, management_system_id: uuid.UUID) -> bool:
        """Current, unexpired evidence of that system or of the organisation."""
        return not self.expired and (not self.systems or management_system_id in self.systems)


def standing_by(
    control_ids: Iterable[uuid.UUID], requirement_ids: Iterable[int]
) -> tuple[dict[uuid.UUID, list[EvidenceStanding]], dict[int, list[EvidenceStanding]]]:
    """The current evidence of each control and of each requirement (linked directly), as
    :class:`EvidenceStanding`, for every management system at once (three queries whatever the
    numbers): what the dashboard's readiness counts need without loading the evidence itself."""
    on = today()
    by_control_ids: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for control_id, evidence_id in EvidenceControl.objects.filter(
        control_id__in=list(control_ids), evidence__status=EvidenceStatus.CURRENT
    ).values_list("control_id", "evidence_id"):
        by_control_ids[control_id].add(evidence_id)
    by_requirement_ids: dict[int, set[uuid.UUID]] = defaultdict(set)
    for requirement_id, evidence_id in EvidenceRequirement.objects.filter(
        requirement_id__in=list(requirement_ids), evidence__status=EvidenceStatus.CURRENT
    ).values_list("requirement_id", "evidence_id"):
        by_requirement_ids[requirement_id].add(evidence_id)
    wanted = set().union(*by_control_ids.values(), *by_requirement_ids.values())
    systems: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    expired: dict[uuid.UUID, bool] = {}
    for evidence_id, valid_until, ms_id in Evidence.objects.filter(pk__in=list(wanted)).values_list(
        "pk", "current_version__valid_until", "management_systems"
    ):
        expired[evidence_id] = validity(valid_until, on) == Validity.EXPIRED
        if ms_id is not None:
            systems[evidence_id].add(ms_id)
    standing = {e: EvidenceStanding(frozenset(systems.get(e, ())), expired[e]) for e in expired}
    return (
        {c: [standing[e] for e in ids if e in standing] for c, ids in by_control_ids.items()},
        {r: [standing[e] for e in ids if e in standing] for r, ids in by_requirement_ids.items()},
    )


def for_control(control: Control, user: User | None) -> list[Evidence]:
    """The evidence the user may read that supports one control (one query)."""
    ids = visible(Evidence.objects.all(), user).filter(control_links__control=control).values("pk")
    return list(
        Evidence.objects.filter(pk__in=ids).select_related("current_version").order_by("status", "ref_id")
    )


def for_requirement(requirement_id: int, user: User | None) -> dict[str, list[Evidence]]:
    """Evidence linked directly to a requirement, and evidence of the controls linked to it,
    that the user may read (two queries)."""
    readable = visible(Evidence.objects.filter(status=EvidenceStatus.CURRENT), user)
    direct = list(
        readable.filter(requirement_links__requirement_id=requirement_id)
        .select_related("current_version")
        .order_by("ref_id")
    )
    direct_ids = {e.pk for e in direct}
    through = [
        e
        for e in readable.filter(control_links__control__links__requirement_id=requirement_id)
        .select_related("current_version")
        .distinct()
        .order_by("ref_id")
        if e.pk not in direct_ids
    ]
    return {"direct": direct, "through_controls": through}


def owned_expiring(user: User, limit: int = 8) -> list[Evidence]:
    """Current evidence ``user`` owns that has expired or expires within the window, soonest
    first (one query): what they must collect again."""
    on = today()
    return list(
        Evidence.objects.filter(owner=user, status=EvidenceStatus.CURRENT)
        .filter(validity_q(Validity.EXPIRED, on) | validity_q(Validity.EXPIRING, on))
        .select_related("current_version")
        .order_by("current_version__valid_until", "ref_id")[:limit]
    )
