"""Read-side queries of crosswalks, shared by pages, API and CLI.

Lists run a fixed number of queries whatever their length: counts per relation type and the
completeness figure are annotations, relations come with their entries joined.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from keel.platform import filters
from keel.platform.errors import NotFound, ValidationFailed
from keel.standards.models import Requirement

from .choices import Relation
from .models import Crosswalk, CrosswalkRelation

LIVE = Q(relations__withdrawn_at__isnull=True)


def _target_total() -> Subquery:
    return Subquery(
        Requirement.objects.filter(standard=OuterRef("target"), withdrawn_at__isnull=True)
        .order_by()
        .values("standard")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )


def crosswalks() -> QuerySet[Crosswalk]:
    """Every crosswalk with ``n_<relation>`` counts of its live relations, ``n_live``,
    ``targets_covered`` (target entries named by a live relation) and ``targets_total`` (live
    entries of the target standard). One query."""
    counts = {
        f"n_{r.value}": Count("relations", filter=LIVE & Q(relations__relation=r.value), distinct=True)
        for r in Relation
    }
    return (
        Crosswalk.objects.select_related("source", "target")
        .annotate(
            n_live=Count("relations", filter=LIVE, distinct=True),
            targets_covered=Count("relations__target", filter=LIVE, distinct=True),
            targets_total=Coalesce(_target_total(), 0),
            **counts,
        )
        .order_by("key")
    )


def get_crosswalk(key: str) -> Crosswalk:
    cw = crosswalks().filter(key=key).first()
    if cw is None:
        raise NotFound(f"No crosswalk {key!r}.")
    return cw


def counts(cw: Crosswalk) -> dict[str, int]:
    """Live relations per type (from the annotations of :func:`crosswalks`)."""
    return {r.value: int(getattr(cw, f"n_{r.value}", 0)) for r in Relation}


def completeness(cw: Crosswalk) -> float:
    total = int(getattr(cw, "targets_total", 0) or 0)
    return round(int(getattr(cw, "targets_covered", 0)) / total, 4) if total else 0.0


@dataclass
class RelationFilters:
    """The filters of a crosswalk's relations: the API's parameters and the crosswalk page's
    form (issue 10)."""

    crosswalk: str = filters.reference(help="A crosswalk key.", form=False)
    # an entry key, or a ref id within the crosswalk's source standard
    source: str = filters.reference(help="A source entry's key or ref id.", form=False)
    target: str = filters.reference(help="A target entry's key or ref id.", form=False)
    relation: str = filters.choice(Relation, any="Every relation")
    q: str = filters.text(
        label="Search",
        max_length=100,
        widget_attrs={"type": "search", "placeholder": "A.5.19, supplier, logs…"},
        help="Text in the rationale, extension or entry titles.",
    )
    origin: str = filters.reference(api=False, form=False)
    withdrawn: bool | None = filters.boolean(
        api_default=False, form=False, help="Include withdrawn relations."
    )


def base_relations() -> QuerySet[CrosswalkRelation]:
    return CrosswalkRelation.objects.select_related(
        "crosswalk", "source__standard", "target__standard"
    ).order_by("crosswalk__key", "target__sort_order", "source__sort_order")


def relations(f: RelationFilters) -> QuerySet[CrosswalkRelation]:
    qs = base_relations()
    if not f.withdrawn:
        qs = qs.filter(withdrawn_at__isnull=True)
    if f.crosswalk:
        qs = qs.filter(crosswalk__key=f.crosswalk)
    if f.relation:
        if f.relation not in Relation.values:
            raise ValidationFailed(
                f"relation must be one of {', '.join(Relation.values)}.", {"relation": ["Unknown relation."]}
            )
        qs = qs.filter(relation=f.relation)
    for name in ("source", "target"):
        value = getattr(f, name).strip()
        if value:
            qs = qs.filter(Q(**{f"{name}__key": value}) | Q(**{f"{name}__ref_id": value}))
    if f.origin:
        qs = qs.filter(origin=f.origin)
    q = " ".join(f.q.split()).lower()
    if q:
        qs = qs.filter(
            Q(rationale__icontains=q)
            | Q(extension__icontains=q)
            | Q(source__ref_id__iexact=q)
            | Q(target__ref_id__iexact=q)
            | Q(source__title__icontains=q)
            | Q(target__title__icontains=q)
        )
    return qs


def get_relation(relation_id: Any) -> CrosswalkRelation:
    import uuid

    try:
        pk = uuid.UUID(str(relation_id))
    except ValueError:
        raise NotFound(f"No crosswalk relation with id {relation_id!r}.") from None
    row = base_relations().filter(pk=pk).first()
    if row is None:
        raise NotFound(f"No crosswalk relation with id {relation_id}.")
    return row


@dataclass
class Related:
    """One relation seen from a requirement: the other entry and the relation read from this side."""

    relation: CrosswalkRelation
    other: Requirement | None
    reading: str  # the relation read "this <reading> other"
    direction: str  # "source" (this entry is the relation's source) or "target"


def related_for(req: Requirement) -> list[Related]:
    """Live relations naming ``req`` on either side, read from ``req``: as a source the relation
    reads as stored; as a target it is read backwards (``Relation.inverse``). Two queries."""
    out: list[Related] = []
    for rel in base_relations().filter(source=req, withdrawn_at__isnull=True):
        out.append(Related(rel, rel.target, rel.relation, "source"))
    for rel in base_relations().filter(target=req, withdrawn_at__isnull=True):
        reading = rel.relation if rel.source is None else Relation.inverse(rel.relation)
        out.append(Related(rel, rel.source, reading, "target"))
    return out
