"""Read-side queries of the supplier register, shared by pages, the API and the CLI: each list
is narrowed to the viewer's perimeter and runs a fixed number of queries whatever its length.
Filters are declared once here (keel/platform/filters.py); the API schema and the page form
come from them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from keel.organisation import options, resolvers
from keel.platform import filters
from keel.platform.errors import NotFound, ValidationFailed
from keel.platform.models import User
from keel.platform.schemas import MS_REF

from .choices import (
    QuestionnaireKind,
    SupplierAssessmentStatus,
    SupplierCriticality,
    SupplierKind,
    SupplierStatus,
)
from .models import Questionnaire, Supplier, SupplierAssessment

MAX_TEXT = 100


def today() -> dt.date:
    return timezone.localdate()


@dataclass
class SupplierFilters:
    """The supplier list's filters: kind, criticality, status, review due, system, search."""

    kind: str = filters.choice(SupplierKind, label="Type", any="Every type")
    criticality: str = filters.choice(SupplierCriticality, label="Criticality", any="Any criticality")
    status: str = filters.choice(SupplierStatus, label="Status", any="Every status")
    review_due: bool | None = filters.boolean(
        label="Review due",
        help="Only suppliers whose periodic review date has passed.",
        api_type=bool,
        api_default=False,
    )
    management_system: str = filters.reference(
        label="Management system",
        any="All systems",
        options=options.systems_of_user,
        invalid_choice=resolvers.UNKNOWN_SYSTEM,
        help=MS_REF,
    )
    q: str = filters.text(
        label="Search", max_length=MAX_TEXT, help="Words in the reference, name or services."
    )


@dataclass
class AssessmentFilters:
    """The supplier assessments' filters: supplier, status, questionnaire kind."""

    supplier: str = filters.reference(
        label="Supplier", max_length=60, help="A supplier's id or SUP-nnn.", form=False
    )
    status: str = filters.choice(SupplierAssessmentStatus, label="Status", any="Every status")
    kind: str = filters.choice(QuestionnaireKind, label="Questionnaire", any="Every questionnaire")


@dataclass
class QuestionnaireFilters:
    """The questionnaires' filters: kind, and every version or the latest of each."""

    kind: str = filters.choice(QuestionnaireKind, label="Kind", any="Every kind")
    all_versions: bool | None = filters.boolean(
        label="Every version",
        help="Every version, not only the latest of each.",
        api_type=bool,
        api_default=False,
    )


def _choice(name: str, value: str, allowed: Any) -> None:
    if value and value not in allowed:
        raise ValidationFailed(f"Unknown {name} {value!r}.", {name: ["Unknown value."]})


def _latest_assessment(field: str) -> Subquery:
    latest = (
        SupplierAssessment.objects.filter(supplier=OuterRef("pk"))
        .exclude(status=SupplierAssessmentStatus.WITHDRAWN)
        .order_by("-sent_at")
    )
    return Subquery(latest.values(field)[:1])


def supplier_list(user: User | None, f: SupplierFilters | None = None) -> QuerySet[Supplier]:
    """The suppliers ``user`` may read, filtered, with their latest assessment's status and score
    and how many AI systems, models and datasets depend on them (fixed number of queries)."""
    f = f or SupplierFilters()
    _choice("kind", f.kind, SupplierKind.values)
    _choice("criticality", f.criticality, SupplierCriticality.values)
    _choice("status", f.status, SupplierStatus.values)
    qs = resolvers.in_perimeter(Supplier.objects.all(), user).select_related(
        "management_system", "owner", "requested_by", "decided_by"
    )
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.criticality:
        qs = qs.filter(criticality=f.criticality)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.review_due:
        qs = qs.filter(next_review_on__lt=today(), status=SupplierStatus.ACTIVE)
    if f.management_system:
        qs = qs.filter(management_system=resolvers.management_system(f.management_system, user))
    if f.q:
        for word in f.q.split()[:10]:
            qs = qs.filter(Q(name__icontains=word) | Q(ref_id__icontains=word) | Q(services__icontains=word))
    return qs.annotate(
        latest_status=_latest_assessment("status"),
        latest_score=_latest_assessment("score"),
    ).order_by("ref_id")


def get_supplier(who: resolvers.Viewer, ref: Any) -> Supplier:
    """A supplier by id or ``SUP-nnn`` within ``who``'s perimeter (404 otherwise)."""
    if isinstance(ref, Supplier):
        ref = ref.pk
    qs = resolvers.in_perimeter(Supplier.objects.select_related("management_system", "owner"), who)
    pk = resolvers.as_uuid(ref)
    found = qs.filter(pk=pk).first() if pk else qs.filter(ref_id__iexact=str(ref).strip()[:32]).first()
    if found is None:
        raise NotFound(f"No supplier {str(ref)[:40]!r}: give its id or reference (e.g. SUP-001).")
    return found


def assessment_list(user: User | None, f: AssessmentFilters | None = None) -> QuerySet[SupplierAssessment]:
    f = f or AssessmentFilters()
    _choice("status", f.status, SupplierAssessmentStatus.values)
    _choice("kind", f.kind, QuestionnaireKind.values)
    qs = resolvers.in_perimeter(
        SupplierAssessment.objects.select_related(
            "supplier__management_system", "questionnaire", "sent_by", "reviewer"
        ),
        user,
        "supplier__management_system",
    )
    if f.supplier:
        pk = resolvers.as_uuid(f.supplier)
        qs = qs.filter(supplier_id=pk) if pk else qs.filter(supplier__ref_id__iexact=f.supplier.strip())
    if f.status:
        qs = qs.filter(status=f.status)
    if f.kind:
        qs = qs.filter(questionnaire__kind=f.kind)
    return qs.order_by("-sent_at", "ref_id")


def questionnaire_list(f: QuestionnaireFilters | None = None) -> QuerySet[Questionnaire]:
    """Questionnaires (organisation-level: everyone who may view sees them), the latest version of
    each unless ``all_versions``; with their number of questions."""
    f = f or QuestionnaireFilters()
    _choice("kind", f.kind, QuestionnaireKind.values)
    qs = Questionnaire.objects.all()
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if not f.all_versions:
        top = Questionnaire.objects.filter(key=OuterRef("key")).order_by("-version").values("version")[:1]
        qs = qs.filter(version=Subquery(top))
    return qs.annotate(question_count=Count("questions")).order_by("key", "-version")


def versions_of(q: Questionnaire) -> QuerySet[Questionnaire]:
    return Questionnaire.objects.filter(key=q.key).order_by("-version")


def supplier_choices(who: resolvers.Viewer = resolvers.TRUSTED) -> list[tuple[str, str]]:
    """Suppliers to choose from on another app's form (``SUP-nnn``, "SUP-nnn Name (type)"):
    those ``who`` may view, rejected ones left out."""
    qs = resolvers.in_perimeter(Supplier.objects.exclude(status=SupplierStatus.REJECTED), who).order_by(
        "name"
    )
    return [(s.ref_id, f"{s.ref_id} {s.name} ({s.get_kind_display()})") for s in qs]
