"""The texts the rankers compare: one :class:`Item` per source item (a control of the
organisation or an entry of a standard or imported catalogue) and per target requirement.

Each item has named fields so rankers can weight them: ``title``; ``body`` (a control's
description, an imported item's text); ``guidance`` (Keel's own guidance on a requirement:
intent, auditor focus, typical evidence); ``templates`` (the texts of the control templates
linked to a requirement, an optional enrichment); ``accepted`` (the texts of the source items
people accepted for a target: what decisions teach the ranker). A fixed number of queries
whatever the size.

Only linkable entries are items: never a heading (an entry with live children, such as
clauses 4, 6.1 or 9 or a catalogue's group), nor an Annex A theme or objective, nor Annex C's
informative lists — a control can be linked to none of them, and the gap analysis ignores
such links.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from keel.controls.models import Control, ControlTemplate, TemplateRequirement
from keel.standards.choices import EntryKind
from keel.standards.models import Requirement

# Entries that can be mapped: requirements and controls, not the grouping headings (Annex A
# themes and objectives) nor Annex C's lists of objectives and risk sources.
MAPPABLE_KINDS = (EntryKind.CLAUSE, EntryKind.ANNEX_CONTROL, EntryKind.CATALOG_ITEM)

FIELDS = ("title", "body", "guidance", "templates", "accepted")


@dataclass
class Item:
    key: str  # a requirement key, or a control's reference
    label: str  # "A.5.1 Policies for information security"
    fields: dict[str, str] = field(default_factory=dict)
    pk: object = None
    kind: str = ""  # "requirement" or "control"

    def text(self, names: Iterable[str] = FIELDS) -> str:
        return "\n".join(self.fields.get(n, "") for n in names if self.fields.get(n))


def _guidance(r: Requirement) -> str:
    parts = [r.intent, r.auditor_focus, *(r.typical_evidence or [])]
    return "\n".join(p for p in parts if p)


def linkable(qs: QuerySet[Requirement]) -> QuerySet[Requirement]:
    """The live entries a control or a relation can meaningfully point at: requirements and
    controls with no live children (never a heading, an area or an objective)."""
    children = Requirement.objects.filter(parent=OuterRef("pk"), withdrawn_at__isnull=True)
    return qs.filter(withdrawn_at__isnull=True, kind__in=MAPPABLE_KINDS).exclude(Exists(children))


def accepted_text(title: str, body: str) -> str:
    """What an accepted suggestion teaches about its target: the source item's words."""
    return "\n".join(p for p in (title, body) if p)


def requirement_items(
    qs: QuerySet[Requirement], *, with_templates: bool = False, linkable_only: bool = True
) -> list[Item]:
    """Items for requirements: title, guidance (or, for an imported catalogue item, its text
    as ``body``) and, with ``with_templates``, the linked templates' texts. Headings are left
    out unless ``linkable_only`` is false."""
    qs = linkable(qs) if linkable_only else qs.filter(withdrawn_at__isnull=True, kind__in=MAPPABLE_KINDS)
    qs = qs.order_by("standard__key", "sort_order")
    if with_templates:
        qs = qs.prefetch_related(
            Prefetch(
                "template_links",
                queryset=TemplateRequirement.objects.select_related("template").filter(
                    template__withdrawn_at__isnull=True
                ),
            )
        )
    items = []
    for r in qs:
        f = {"title": r.title}
        if r.kind == EntryKind.CATALOG_ITEM:
            f["body"] = r.intent
        else:
            f["guidance"] = _guidance(r)
        if with_templates:
            f["templates"] = "\n".join(_template_text(link.template) for link in r.template_links.all())
        items.append(Item(key=r.key, label=f"{r.ref_id} {r.title}", fields=f, pk=r.pk, kind="requirement"))
    return items


def _template_text(t: ControlTemplate) -> str:
    return "\n".join(p for p in (t.title, t.description) if p)


def control_items(qs: QuerySet[Control]) -> list[Item]:
    """Items for the organisation's controls: reference, title, description and, for a
    control adopted from a template, the template's description."""
    items = []
    for c in qs.select_related("template").order_by("ref_id"):
        body = c.description
        if c.template_id and c.template and c.template.description and c.template.description not in body:
            body = f"{body}\n{c.template.description}".strip()
        items.append(
            Item(key=c.ref_id, label=f"{c.ref_id} {c.title}", fields={"title": c.title, "body": body}, pk=c.pk,
                 kind="control")
        )  # fmt: skip
    return items
