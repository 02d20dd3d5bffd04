"""Read-side queries of the standards library, shared by pages, API and CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from django.db.models import Count, Q, QuerySet

from keel.platform import filters
from keel.platform.errors import NotFound

from .choices import EntryKind
from .models import Requirement, Standard


def standards_with_counts() -> list[dict[str, Any]]:
    """Every standard with its key, title, version and the number of live entries by kind
    (two queries whatever the number of standards)."""
    standards = list(Standard.objects.order_by("key"))
    rows = (
        Requirement.objects.filter(withdrawn_at__isnull=True)
        .values("standard_id", "kind")
        .annotate(n=Count("id"))
    )
    counts: dict[int, dict[str, int]] = {}
    for r in rows:
        counts.setdefault(r["standard_id"], {})[r["kind"]] = r["n"]
    out = []
    for s in standards:
        # Shipped standards count their six kinds; an imported catalogue only its items.
        kinds = (
            [EntryKind.CATALOG_ITEM]
            if s.is_imported
            else [k for k in EntryKind if k != EntryKind.CATALOG_ITEM]
        )
        by_kind = {str(k): counts.get(s.pk, {}).get(k, 0) for k in kinds}
        out.append(
            {
                "key": s.key,
                "name": s.name,
                "edition": s.edition,
                "title": s.title,
                "version": s.revision,
                "revision": s.revision,
                "amendments": [a.get("id") for a in s.amendments],
                "origin": s.origin,
                "counts": by_kind,
                "total": sum(by_kind.values()),
            }
        )
    return out


def get_standard(key: str) -> Standard:
    try:
        return Standard.objects.get(key=key)
    except Standard.DoesNotExist:
        known = ", ".join(Standard.objects.values_list("key", flat=True)) or "none loaded; run 'keel init'"
        raise NotFound(f"No standard with key {key!r}. Known standards: {known}.") from None


RequirementOrder = Literal["document", "-document", "key", "-key", "ref_id", "-ref_id", "title", "-title"]


@dataclass
class RequirementFilters:
    """The filters of the requirement list (issue 10): the API's parameters."""

    standard: str = filters.reference(help="A standard key, e.g. iso42001:2023.")
    kind: str = filters.choice(EntryKind)
    parent: str = filters.reference(help="The key of the parent entry: its direct children.")
    text: str = filters.text(help="Free text: every word must match the reference, title or guidance.")
    q: str = filters.text(help="The same as `text` (the name the other collections use).")
    include_withdrawn: bool | None = filters.boolean(
        api_default=False, help="Also list entries a newer data revision withdrew."
    )
    order: str = filters.choice(
        [(v, v) for v in get_args(RequirementOrder)], default="document", api_type=RequirementOrder
    )


def requirements(
    *,
    standard: str | None = None,
    kind: str | None = None,
    parent: str | None = None,
    text: str | None = None,
    include_withdrawn: bool = False,
) -> QuerySet[Requirement]:
    """Requirements filtered by standard key, kind, parent key and free text (every word must
    match the reference, title or guidance)."""
    qs = Requirement.objects.select_related("standard", "parent").order_by("standard__key", "sort_order")
    if not include_withdrawn:
        qs = qs.filter(withdrawn_at__isnull=True)
    if standard:
        qs = qs.filter(standard__key=standard)
    if kind:
        qs = qs.filter(kind=kind)
    if parent:
        qs = qs.filter(parent__key=parent)
    if text:
        for word in text.lower().split()[:8]:
            qs = qs.filter(Q(search_text__contains=word) | Q(ref_id__iexact=word))
    return qs


def requirement_matches(q: str, *, standard: str | None = None, limit: int = 20) -> list[Requirement]:
    """What a requirement picker offers for ``q``: the live requirements whose full key or bare id
    (``A.5.19``, ``6.1.2``) is ``q``, then those it starts (``A.5.1`` also finds ``A.5.10``…),
    then those matching every word (:func:`requirements`); the first ones of the library when
    ``q`` is empty."""
    base = requirements(standard=standard)
    q = q.strip()
    if not q:
        return list(base[:limit])
    found = list(base.filter(Q(key__iexact=q) | Q(ref_id__iexact=q))[:limit])
    prefix = base.filter(Q(key__istartswith=q) | Q(ref_id__istartswith=q)).exclude(
        pk__in=[r.pk for r in found]
    )
    found += list(prefix[: limit - len(found)])
    if len(found) < limit:
        words = requirements(standard=standard, text=q).exclude(pk__in=[r.pk for r in found])
        found += list(words[: limit - len(found)])
    return found


def get_requirement(key: str) -> Requirement:
    try:
        return Requirement.objects.select_related("standard", "parent").get(key=key)
    except Requirement.DoesNotExist:
        raise NotFound(f"No requirement with key {key!r}.") from None


def entries_for_show(std: Standard) -> list[dict[str, Any]]:
    """Every entry of a standard, in document order, for ``keel standards show``."""
    rows = (
        Requirement.objects.filter(standard=std)
        .order_by("sort_order")
        .values("key", "ref_id", "title", "kind", "parent__key", "withdrawn_at")
    )
    return [
        {
            "key": r["key"],
            "ref_id": r["ref_id"],
            "title": r["title"],
            "kind": r["kind"],
            "parent": r["parent__key"],
            "withdrawn": r["withdrawn_at"] is not None,
        }
        for r in rows
    ]


@dataclass
class TreeNode:
    requirement: Requirement
    children: list[TreeNode] = field(default_factory=list)
    match: bool = True


def tree(std: Standard, text: str | None = None) -> list[TreeNode]:
    """The standard as a tree (one query). With ``text``, only matching entries and their
    ancestors are kept; ancestors that do not match themselves are marked ``match=False``."""
    rows = list(Requirement.objects.filter(standard=std, withdrawn_at__isnull=True).order_by("sort_order"))
    matched: set[int] | None = None
    if text:
        matched = set(requirements(standard=std.key, text=text).values_list("id", flat=True))
    nodes = {r.pk: TreeNode(r) for r in rows}
    roots: list[TreeNode] = []
    for r in rows:
        node = nodes[r.pk]
        if r.parent_id and r.parent_id in nodes:
            nodes[r.parent_id].children.append(node)
        else:
            roots.append(node)
    if matched is None:
        return roots

    def prune(items: list[TreeNode]) -> list[TreeNode]:
        kept = []
        for n in items:
            n.children = prune(n.children)
            n.match = n.requirement.pk in matched
            if n.match or n.children:
                kept.append(n)
        return kept

    return prune(roots)


def ancestors(req: Requirement) -> list[Requirement]:
    """The chain of parents of an entry, outermost first (one query)."""
    by_id = {
        r.pk: r
        for r in Requirement.objects.filter(standard_id=req.standard_id).only(
            "id", "key", "ref_id", "title", "parent_id"
        )
    }
    chain: list[Requirement] = []
    current = by_id.get(req.parent_id) if req.parent_id else None
    while current is not None and len(chain) < 16:
        chain.append(current)
        current = by_id.get(current.parent_id) if current.parent_id else None
    return list(reversed(chain))


def hs_counterparts(req: Requirement) -> list[Requirement]:
    """The same harmonised-structure clause in the other loaded standards (one query)."""
    if not req.hs_key:
        return []
    return list(
        Requirement.objects.filter(hs_key=req.hs_key, withdrawn_at__isnull=True)
        .exclude(standard_id=req.standard_id)
        .select_related("standard")
        .order_by("standard__key")
    )


def live_children(req: Requirement) -> list[Requirement]:
    return list(req.children.filter(withdrawn_at__isnull=True).order_by("sort_order"))


def amendments_of(req: Requirement) -> list[dict[str, Any]]:
    """The amendments recorded on an entry, with the title and summary the standard gives them."""
    known = {str(a.get("id")): a for a in (req.standard.amendments or []) if isinstance(a, dict)}
    out = []
    for item in req.amendments or []:
        ident = str(item.get("id") if isinstance(item, dict) else item)
        info = known.get(ident, {})
        out.append(
            {
                "id": ident,
                "title": info.get("title", ""),
                "summary": info.get("summary", ""),
                "year": info.get("year"),
            }
        )
    return out


SECTION_LABELS = {
    EntryKind.CLAUSE: "Clauses 4–10: requirements",
    EntryKind.ANNEX_THEME: "Annex A: reference controls",
    EntryKind.OBJECTIVE: "Annex A: reference controls",
    EntryKind.ANNEX_CONTROL: "Annex A: reference controls",
    EntryKind.ANNEX_C_OBJECTIVE: "Annex C: potential AI-related objectives",
    EntryKind.ANNEX_C_RISK_SOURCE: "Annex C: risk sources",
    EntryKind.CATALOG_ITEM: "Imported catalogue items",
}


def tree_sections(roots: list[TreeNode]) -> list[tuple[str, list[TreeNode]]]:
    """Group the roots of a tree into the parts of the standard (clauses, Annex A, Annex C…),
    keeping document order."""
    sections: list[tuple[str, list[TreeNode]]] = []
    for node in roots:
        label = SECTION_LABELS.get(EntryKind(node.requirement.kind), "Other")
        if not sections or sections[-1][0] != label:
            sections.append((label, []))
        sections[-1][1].append(node)
    return sections
