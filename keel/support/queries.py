"""Read-side queries of the support records, shared by pages, the API and the CLI: each list is
narrowed to the viewer's perimeter and runs a fixed number of queries whatever its length."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from keel.controls.models import Control
from keel.organisation import options, resolvers
from keel.platform import filters
from keel.platform.errors import NotFound, ValidationFailed
from keel.platform.models import User
from keel.platform.permissions import Perm, restrict
from keel.platform.schemas import MS_REF
from keel.standards.models import Requirement, Standard

from .choices import OPEN_CONCERN, ConcernStatus, LegalRequirementKind, LegalRequirementStatus
from .models import (
    AwarenessCampaign,
    AwarenessCompletion,
    Commitment,
    Communication,
    Competence,
    CompetenceRecord,
    Concern,
    LegalRequirement,
    MsRole,
    Objective,
    ObjectiveReading,
)

STANDARDS = Prefetch("standards", queryset=Standard.objects.order_by("key"))


@dataclass
class Filters:
    """The filters every support list takes (issue 10): the management system and a search, on
    the API and on the page (the lists of roles, objectives, competences, awareness campaigns
    and communications have exactly these). The other fields are the filters of one list each,
    declared in that list's subclass below; here they are plain values the code may set."""

    objective: str = ""  # readings of one objective (id or OB-nnn)
    management_system: str = filters.reference(
        label="Management system",
        any="Any system",
        options=options.systems_of_user,
        invalid_choice=resolvers.UNKNOWN_SYSTEM,
        help=MS_REF,
    )
    q: str = filters.text(label="Search", max_length=100)
    person: str = ""  # email: competence records, roles (holder)
    status: str = ""  # concerns
    expired: str = ""  # competence records: "yes" expired only, "no" current only
    kind: str = ""  # legal requirements


@dataclass
class RecordFilters(Filters):
    """The competence records' filters: the shared ones, a person and expiry (API only)."""

    person: str = filters.reference(max_length=254, form=False, help="A person's email.")
    expired: str = filters.choice(
        [("yes", "Expired"), ("no", "Current")],
        form=False,
        help="yes: expired only; no: current only.",
        api_type=Literal["", "yes", "no"],
        api_default="",
    )


@dataclass
class ConcernFilters(Filters):
    """The concerns' filters: the shared ones and a status, ``open`` for every open one."""

    status: str = filters.choice(
        [("open", "Open"), *ConcernStatus.choices],
        form=False,
        api_type=Literal["", "open", "received", "investigating", "answered", "closed"],
        api_default="",
    )


@dataclass
class LegalFilters(Filters):
    """The legal requirements' filters: the shared ones, a kind and a status (API only)."""

    kind: str = filters.choice(
        LegalRequirementKind.choices,
        form=False,
        api_type=Literal["", "law", "regulation", "contract", "other"],
        api_default="",
    )
    status: str = filters.choice(
        LegalRequirementStatus.choices,
        form=False,
        api_type=Literal["", "identified", "applicable", "not_applicable", "retired"],
        api_default="",
    )


@dataclass
class ReadingFilters(Filters):
    """The objective readings' filters: an objective and its management system (no search)."""

    objective: str = filters.reference(
        max_length=100, form=False, help="An objective's id or reference (OB-004)."
    )
    q: str = ""


def _system(
    qs: QuerySet[Any], user: User | None, f: Filters, field: str = "management_system"
) -> QuerySet[Any]:
    if user is not None:
        qs = restrict(qs, user, Perm.VIEW, field)
    if f.management_system:
        ms = resolvers.management_system(f.management_system, resolvers.TRUSTED if user is None else user)
        qs = qs.filter(**{field: ms})
    return qs


def _search(qs: QuerySet[Any], q: str, *names: str) -> QuerySet[Any]:
    if not q:
        return qs
    cond = Q()
    for name in names:
        cond |= Q(**{f"{name}__icontains": q})
    return qs.filter(cond)


def roles(user: User | None, f: Filters | None = None) -> QuerySet[MsRole]:
    f = f or Filters()
    qs = MsRole.objects.select_related("management_system", "holder").prefetch_related(STANDARDS)
    qs = _system(qs, user, f).annotate(competence_count=Count("competences", distinct=True))
    if f.person:
        qs = qs.filter(holder__email__iexact=f.person)
    return _search(qs, f.q, "name", "responsibilities").order_by("management_system__short_name", "name")


def commitments(user: User | None, f: Filters | None = None) -> QuerySet[Commitment]:
    f = f or Filters()
    qs = Commitment.objects.select_related("management_system", "decided_by").prefetch_related(STANDARDS)
    return _search(_system(qs, user, f), f.q, "decision", "detail").order_by("-decided_on", "decision")


def objectives(user: User | None, f: Filters | None = None) -> QuerySet[Objective]:
    f = f or Filters()
    latest = ObjectiveReading.objects.filter(objective=OuterRef("pk")).order_by("-on")
    qs = (
        Objective.objects.select_related("management_system", "owner", "metric__ai_system")
        .prefetch_related(STANDARDS)
        .annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_on=Subquery(latest.values("on")[:1]),
            reading_count=Count("readings", distinct=True),
        )
    )
    qs = _search(_system(qs, user, f), f.q, "title", "ref_id", "measure")
    if f.person:
        qs = qs.filter(owner__email__iexact=f.person)
    return qs.order_by("ref_id")


def readings(user: User | None, f: Filters | None = None) -> QuerySet[ObjectiveReading]:
    f = f or Filters()
    qs = ObjectiveReading.objects.select_related("objective", "metric_reading__metric")
    qs = _system(qs, user, f, "objective__management_system")
    if f.objective:
        pk = resolvers.as_uuid(f.objective)
        qs = qs.filter(objective_id=pk) if pk else qs.filter(objective__ref_id=f.objective)
    return qs.order_by("objective__ref_id", "on")


def competences(user: User | None, f: Filters | None = None) -> QuerySet[Competence]:
    f = f or Filters()
    qs = Competence.objects.select_related("role__management_system").annotate(
        record_count=Count("records", distinct=True)
    )
    qs = _search(_system(qs, user, f, "role__management_system"), f.q, "name", "description")
    return qs.order_by("role__management_system__short_name", "role__name", "name")


def competence_records(user: User | None, f: Filters | None = None) -> QuerySet[CompetenceRecord]:
    f = f or Filters()
    qs = CompetenceRecord.objects.select_related("management_system", "person", "competence__role")
    qs = _search(_system(qs, user, f), f.q, "title", "provider", "person__full_name")
    if f.person:
        qs = qs.filter(person__email__iexact=f.person)
    today = timezone.localdate()
    if f.expired == "yes":
        qs = qs.filter(expires_on__lt=today)
    elif f.expired == "no":
        qs = qs.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    elif f.expired:
        raise ValidationFailed("expired is yes, no or empty.", {"expired": ["Unknown value."]})
    return qs.order_by("person__full_name", "person__email", "-achieved_on")


def campaigns(user: User | None, f: Filters | None = None) -> QuerySet[AwarenessCampaign]:
    f = f or Filters()
    done = Prefetch("completions", queryset=AwarenessCompletion.objects.select_related("person"))
    qs = (
        AwarenessCampaign.objects.select_related("management_system", "owner")
        .prefetch_related(STANDARDS, done)
        .annotate(completion_count=Count("completions", distinct=True))
    )
    return _search(_system(qs, user, f), f.q, "title", "message", "audience").order_by("-starts_on", "title")


def completions(campaign: AwarenessCampaign) -> QuerySet[AwarenessCompletion]:
    return campaign.completions.select_related("person").order_by("person__full_name", "person__email")


def communications(user: User | None, f: Filters | None = None) -> QuerySet[Communication]:
    f = f or Filters()
    qs = Communication.objects.select_related("management_system", "communicator").prefetch_related(STANDARDS)
    return _search(_system(qs, user, f), f.q, "subject", "audience").order_by(
        "management_system__short_name", "subject"
    )


def concerns(user: User | None, f: Filters | None = None) -> QuerySet[Concern]:
    f = f or Filters()
    qs = Concern.objects.select_related("management_system", "ai_system", "reporter", "handler")
    qs = _search(_system(qs, user, f), f.q, "summary", "ref_id", "description")
    if f.status == "open":
        qs = qs.filter(status__in=OPEN_CONCERN)
    elif f.status:
        if f.status not in ConcernStatus.values:
            raise ValidationFailed(
                f"status is open or one of: {', '.join(ConcernStatus.values)}.",
                {"status": ["Unknown status."]},
            )
        qs = qs.filter(status=f.status)
    return qs.order_by("-reported_on", "-ref_id")


def legal_requirements(user: User | None, f: Filters | None = None) -> QuerySet[LegalRequirement]:
    f = f or Filters()
    qs = LegalRequirement.objects.select_related("management_system", "owner").prefetch_related(
        STANDARDS,
        Prefetch("controls", queryset=Control.objects.order_by("ref_id")),
        Prefetch("requirements", queryset=Requirement.objects.select_related("standard").order_by("key")),
    )
    qs = _search(_system(qs, user, f), f.q, "title", "ref_id", "source", "summary", "jurisdiction")
    for name, choices in (("kind", LegalRequirementKind), ("status", LegalRequirementStatus)):
        value = getattr(f, name)
        if value and value not in choices.values:
            raise ValidationFailed(
                f"{name} is one of: {', '.join(choices.values)}.", {name: [f"Unknown {name}."]}
            )
        if value:
            qs = qs.filter(**{name: value})
    if f.person:
        qs = qs.filter(owner__email__iexact=f.person)
    return qs.order_by("ref_id")


def one(
    listing: Callable[[User | None, Filters], QuerySet[Any]],
    user: User | None,
    ref: uuid.UUID | str,
    what: str,
) -> Any:
    """One record of a list, by id (or reference), within the viewer's perimeter."""
    qs = listing(user, Filters())
    pk = resolvers.as_uuid(ref)
    found = qs.filter(pk=pk).first() if pk else None
    if found is None and pk is None and hasattr(qs.model, "ref_id"):
        found = qs.filter(ref_id=str(ref).strip()).first()
    if found is None:
        raise NotFound(f"No {what} {str(ref)[:60]!r} that you may read.")
    return found


def expired_records(
    systems: set[uuid.UUID] | None, today: dt.date | None = None
) -> QuerySet[CompetenceRecord]:
    """Competence records past their expiry that no current record of the same person renews
    (same competence, or the same title when the record meets no named competence)."""
    today = today or timezone.localdate()
    current = CompetenceRecord.objects.filter(
        person=OuterRef("person"), management_system=OuterRef("management_system")
    )
    current = current.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    renewed = current.filter(
        Q(competence__isnull=False, competence=OuterRef("competence"))
        | Q(competence__isnull=True, title=OuterRef("title"))
    )
    qs = (
        CompetenceRecord.objects.select_related("person", "management_system")
        .filter(expires_on__lt=today)
        .exclude(Exists(renewed))
        .order_by("expires_on", "title")
    )
    return qs if systems is None else qs.filter(management_system_id__in=systems)
