"""Documented-information coverage: per management system and standard, every requirement the
standards data flags as requiring documented information (``Requirement.documented_information``),
the documents that answer it, and where none does (docs/documents.md#coverage).

A document counts for a system when it belongs to that system or to none (organisation level);
retired documents do not count. A requirement is *answered* when one of its documents has an
approved version in force, *not approved* when its documents are all still drafts, and a *gap*
otherwise. Four queries whatever the number of systems, requirements and documents.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch

from keel.organisation import resolvers as organisation_resolvers
from keel.organisation.models import ManagementSystem
from keel.platform.models import User
from keel.standards.models import Requirement, Standard

from .choices import CoverageState, DocumentStatus
from .models import DocumentRequirement


@dataclass
class CoverageRow:
    requirement: Requirement
    documents: list[Any]  # Document, those answering it in this system
    state: str

    @property
    def state_label(self) -> str:
        return str(CoverageState(self.state).label)


@dataclass
class StandardCoverage:
    management_system: ManagementSystem
    standard: Standard
    rows: list[CoverageRow] = field(default_factory=list)

    def count(self, state: str) -> int:
        return sum(1 for r in self.rows if r.state == state)

    @property
    def answered(self) -> int:
        return self.count(CoverageState.ANSWERED)

    @property
    def not_approved(self) -> int:
        return self.count(CoverageState.NOT_APPROVED)

    @property
    def gaps(self) -> int:
        return self.count(CoverageState.GAP)


def _state(documents: list[Any]) -> str:
    if any(d.issued_version_id for d in documents):
        return CoverageState.ANSWERED
    return CoverageState.NOT_APPROVED if documents else CoverageState.GAP


def coverage(
    user: User | None, management_system: str = "", *, trusted: bool = False
) -> list[StandardCoverage]:
    """The coverage of every management system ``user`` may view (or of the one named), each
    standard it covers in turn, requirements in the standard's order."""
    who: Any = organisation_resolvers.TRUSTED if trusted else user
    qs = ManagementSystem.objects.prefetch_related(Prefetch("standards", Standard.objects.order_by("key")))
    if management_system:
        qs = qs.filter(pk=organisation_resolvers.management_system(management_system, who).pk)
    else:
        ids = organisation_resolvers.visible_system_ids(who)
        qs = qs if ids is None else qs.filter(pk__in=ids)
    systems = list(qs.order_by("name"))
    standard_ids = {std.pk for ms in systems for std in ms.standards.all()}
    requirements = list(
        Requirement.objects.filter(
            standard_id__in=standard_ids, documented_information=True, withdrawn_at__isnull=True
        ).order_by("standard_id", "sort_order")
    )
    links = (
        DocumentRequirement.objects.filter(requirement__in=requirements)
        .exclude(document__status=DocumentStatus.RETIRED)
        .select_related("document__issued_version", "document__owner")
        .prefetch_related("document__management_systems")
        .order_by("document__ref_id")
    )
    by_requirement: dict[int, list[Any]] = defaultdict(list)
    for link in links:
        by_requirement[link.requirement_id].append(link.document)
    out = []
    for ms in systems:
        for std in ms.standards.all():
            block = StandardCoverage(ms, std)
            for req in (r for r in requirements if r.standard_id == std.pk):
                docs = [d for d in by_requirement[req.pk] if _counts_for(d, ms.pk)]
                block.rows.append(CoverageRow(req, docs, _state(docs)))
            out.append(block)
    return out


def _counts_for(document: Any, system_id: uuid.UUID) -> bool:
    systems = [m.pk for m in document.management_systems.all()]
    return not systems or system_id in systems
