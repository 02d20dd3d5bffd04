"""Read side of the EU AI Act app, shared by pages, API and exports: classifications, the
obligations that fall on each AI system with their status and readiness, restricted to the
management systems the user may read. Fixed numbers of queries whatever the row counts."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery

from keel.aisystems.models import AISystem
from keel.evidence.models import Evidence
from keel.platform import filters
from keel.platform.concurrency import version_of
from keel.platform.errors import NotFound, PermissionDenied, ValidationFailed
from keel.platform.models import User
from keel.platform.permissions import Perm, has_perm, restrict

from .catalogue import Obligation, Timeline, catalogue
from .choices import FriaStatus, ObligationState, Tier
from .models import Classification, ObligationStatus

MS = "ai_system__management_system"


# ---------------------------------------------------------------- classifications


SYSTEM_REF = "An AI system's id or short name."


@dataclass
class ClassificationFilters:
    """The filters of the classification versions list (API only; issue 10)."""

    ai_system: str = filters.reference(max_length=100, help=SYSTEM_REF)
    tier: str = filters.choice(Tier)
    current: bool | None = filters.boolean(help="Only the version in force (true) or earlier ones (false).")
    redo_due: bool | None = filters.boolean()


@dataclass
class ObligationStatusFilters:
    """The filters of the obligations per AI system list (API only)."""

    ai_system: str = filters.reference(max_length=100, help=SYSTEM_REF)
    status: str = filters.choice(ObligationState)


@dataclass
class FriaFilters:
    """The filters of the fundamental rights impact assessments list (API only)."""

    ai_system: str = filters.reference(max_length=100, help=SYSTEM_REF)
    status: str = filters.choice(FriaStatus)


def _system_filter(qs: QuerySet[Any], ref: str, prefix: str = "ai_system") -> QuerySet[Any]:
    try:
        return qs.filter(**{f"{prefix}_id": uuid.UUID(ref)})
    except ValueError:
        return qs.filter(**{f"{prefix}__short_name": ref.strip()})


def latest_ids() -> QuerySet[Classification]:
    newest = (
        Classification.objects.filter(ai_system=OuterRef("ai_system")).order_by("-version").values("pk")[:1]
    )
    return Classification.objects.filter(pk=Subquery(newest))


def classifications(user: User | None, f: ClassificationFilters | None = None) -> QuerySet[Classification]:
    f = f or ClassificationFilters()
    qs = restrict(
        Classification.objects.select_related("ai_system__management_system", "classified_by"),
        user,
        Perm.VIEW,
        field=MS,
    )
    if f.ai_system:
        qs = _system_filter(qs, f.ai_system)
    if f.tier:
        if f.tier not in Tier.values:
            raise ValidationFailed(f"tier is one of: {', '.join(Tier.values)}.", {"tier": ["Unknown tier."]})
        qs = qs.filter(tier=f.tier)
    if f.current is True:
        qs = qs.filter(pk__in=latest_ids().values("pk"))
    elif f.current is False:
        qs = qs.exclude(pk__in=latest_ids().values("pk"))
    if f.redo_due is not None:
        qs = qs.filter(redo_due=f.redo_due)
    return qs.order_by("ai_system__name", "-version")


def classification_for(user: User | None, ref: uuid.UUID | str) -> Classification:
    """One classification version; 403 when the user may not read its AI system."""
    try:
        c = (
            Classification.objects.select_related("ai_system__management_system", "classified_by")
            .filter(pk=uuid.UUID(str(ref)))
            .first()
        )
    except ValueError:
        c = None
    if c is None:
        raise NotFound(f"No AI Act classification with id {ref}.")
    if not has_perm(user, Perm.VIEW, c.ai_system.management_system):
        raise PermissionDenied("You may not read the classifications of this AI system.")
    return c


# ---------------------------------------------------------------- obligations per system


@dataclass
class ObligationRow:
    obligation: Obligation
    timeline: Timeline
    status: str
    note: str = ""
    evidence: list[Evidence] = field(default_factory=list)
    record: ObligationStatus | None = None

    @property
    def status_label(self) -> str:
        return str(ObligationState(self.status).label)

    @property
    def version(self) -> str:
        return version_of(self.record) if self.record else ""


@dataclass
class SystemObligations:
    system: AISystem
    classification: Classification | None
    rows: list[ObligationRow]

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in ObligationState}
        for r in self.rows:
            out[r.status] += 1
        return out

    @property
    def readiness(self) -> int | None:
        """Obligations met ÷ obligations that apply (those marked not applicable left out), in
        percent; ``None`` when nothing applies."""
        c = self.counts()
        whole = len(self.rows) - c[ObligationState.NOT_APPLICABLE]
        return round(100 * c[ObligationState.MET] / whole) if whole else None


def _rows(c: Classification | None, statuses: dict[str, ObligationStatus]) -> list[ObligationRow]:
    rows = []
    for ob in catalogue().applicable(c):
        rec = statuses.get(ob.key)
        rows.append(
            ObligationRow(
                obligation=ob,
                timeline=ob.timeline_for(c),
                status=rec.status if rec else ObligationState.NOT_STARTED,
                note=rec.note if rec else "",
                evidence=list(rec.evidence.all()) if rec else [],
                record=rec,
            )
        )
    return rows


def systems_obligations(user: User | None, ai_system: str = "") -> list[SystemObligations]:
    """Every AI system ``user`` may read (or the one named), with its current classification and
    the obligations that fall on it: four queries whatever the number of systems."""
    systems = restrict(
        AISystem.objects.select_related("management_system").filter(retired_at__isnull=True),
        user,
        Perm.VIEW,
    ).order_by("name")
    if ai_system:
        systems = (
            systems.filter(pk=uuid.UUID(ai_system))
            if _is_uuid(ai_system)
            else systems.filter(short_name=ai_system.strip())
        )
    system_list = list(systems)
    ids = [s.pk for s in system_list]
    current = {
        c.ai_system_id: c for c in latest_ids().filter(ai_system_id__in=ids).select_related("classified_by")
    }
    statuses: dict[Any, dict[str, ObligationStatus]] = defaultdict(dict)
    for rec in ObligationStatus.objects.filter(ai_system_id__in=ids).prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.order_by("ref_id"))
    ):
        statuses[rec.ai_system_id][rec.obligation] = rec
    return [
        SystemObligations(s, current.get(s.pk), _rows(current.get(s.pk), statuses[s.pk])) for s in system_list
    ]


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def system_obligations(user: User | None, ref: str) -> SystemObligations:
    found = systems_obligations(user, ref)
    if not found:
        raise NotFound(f"No AI system {ref!r}: give its id or short name (e.g. credit-scoring).")
    return found[0]


def statuses(user: User | None, ai_system: str = "", status: str = "") -> QuerySet[ObligationStatus]:
    qs = restrict(
        ObligationStatus.objects.select_related("ai_system", "updated_by").prefetch_related(
            Prefetch("evidence", queryset=Evidence.objects.order_by("ref_id"))
        ),
        user,
        Perm.VIEW,
        field=MS,
    )
    if ai_system:
        qs = _system_filter(qs, ai_system)
    if status:
        if status not in ObligationState.values:
            raise ValidationFailed(
                f"status is one of: {', '.join(ObligationState.values)}.", {"status": ["Unknown status."]}
            )
        qs = qs.filter(status=status)
    return qs.order_by("ai_system__name", "obligation")
