"""What the documents app registers at start-up: the systems its trail entries concern, what a
person owns and still has to acknowledge (the person page), the documents answering a
requirement (the requirement page), and its consistency-check rules (a document past its review
date; an approved policy with acknowledgements outstanding past their due date)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Min
from django.http import HttpRequest
from django.urls import reverse

from keel.platform import checks, hooks, trail
from keel.platform.models import User
from keel.platform.views.common import current_user
from keel.standards.models import Requirement
from keel.work import reminders

from . import due, queries
from .choices import AckStatus, DocumentStatus
from .models import Acknowledgement, Document


def _systems(document: Any) -> set[Any]:
    return set(document.management_systems.values_list("pk", flat=True))


def _of_document(record: Any) -> set[Any]:
    return _systems(record.document)


def _of_publication(record: Any) -> set[Any]:
    return _systems(record.version.document)


def owned(person: User, viewer: User | None) -> list[hooks.Owned]:
    """The documents ``person`` owns, and what they have still to acknowledge, that ``viewer``
    may see (the person page)."""
    out = [
        hooks.Owned(
            "Document", d.ref_id, d.title, reverse("document-detail", args=[d.ref_id]), d.get_status_display()
        )
        for d in queries.visible(Document.objects.filter(owner=person), viewer).order_by("ref_id")
    ]
    pending = queries.visible(
        Acknowledgement.objects.filter(person=person, status=AckStatus.PENDING).select_related(
            "document", "version"
        ),
        viewer,
        ref="document_id",
    ).order_by("due_on", "document__ref_id")
    out += [
        hooks.Owned(
            "Acknowledgement outstanding",
            a.document.ref_id,
            f"{a.document.title} (version {a.version.label})",
            reverse("document-detail", args=[a.document.ref_id]),
            f"due {a.due_on:%-d %b %Y}",
        )
        for a in pending
    ]
    return out


def requirement_panel(request: HttpRequest, req: Requirement) -> dict[str, Any]:
    docs = queries.visible(
        Document.objects.filter(requirement_links__requirement=req).exclude(status=DocumentStatus.RETIRED),
        current_user(request),
    ).order_by("ref_id")
    return {"req": req, "documents": list(docs.select_related("issued_version"))}


# ---------------------------------------------------------------- consistency-check rules


def _system_of(document: Document, systems: checks.Systems) -> Any:
    own = [ms.pk for ms in document.management_systems.all()]
    if not own:
        return None
    seen = [pk for pk in own if systems is None or pk in systems]
    return (seen or own)[0]


def _in_perimeter(systems: checks.Systems) -> Any:
    qs = Document.objects.exclude(status=DocumentStatus.RETIRED).prefetch_related("management_systems")
    return qs if systems is None else qs.filter(queries.member_of(systems))


def review_overdue(systems: checks.Systems) -> list[checks.Finding]:
    """Documents in use whose next review date has passed."""
    qs = (
        _in_perimeter(systems).filter(next_review_on__lt=queries.today()).order_by("next_review_on", "ref_id")
    )
    return [
        checks.Finding(
            rule="document_review_overdue",
            title=f"{d.ref_id} was due for review on {d.next_review_on.isoformat()}",
            detail=f"{d.ref_id} {d.title} has not been reviewed since its review date passed. Review it: write and "
            "approve a new version, or set its next review date if it was reviewed unchanged.",
            record_label=f"{d.ref_id} {d.title}",
            url=reverse("document-detail", args=[d.ref_id]),
            management_system_id=_system_of(d, systems),
        )
        for d in qs
        if d.next_review_on is not None
    ]


def acknowledgements_overdue(systems: checks.Systems) -> list[checks.Finding]:
    """Approved documents with acknowledgements still outstanding after their due date: one
    finding per document, with how many people and the earliest due date."""
    qs = (
        _in_perimeter(systems)
        .filter(status=DocumentStatus.APPROVED)
        .filter(acknowledgements__status=AckStatus.PENDING, acknowledgements__due_on__lt=queries.today())
        .annotate(late=Count("acknowledgements"), since=Min("acknowledgements__due_on"))
        .order_by("ref_id")
    )
    return [
        checks.Finding(
            rule="acknowledgements_overdue",
            title=f"{d.ref_id}: {d.late} acknowledgement{'s' if d.late != 1 else ''} overdue since {d.since.isoformat()}",
            detail=f"{d.late} {'person has' if d.late == 1 else 'people have'} not acknowledged {d.ref_id} {d.title} "
            "by the date asked. Remind them (an expired link can be sent again), or record why they need not.",
            record_label=f"{d.ref_id} {d.title}",
            url=reverse("acknowledgement-list") + f"?document={d.ref_id}",
            management_system_id=_system_of(d, systems),
        )
        for d in qs
    ]


def register() -> None:
    reminders.register("document_review", due.reviews_due)
    reminders.register("acknowledgement", due.acknowledgements_due)
    hooks.register("person.owned", owned)
    trail.register_systems("documents.document", _systems)
    trail.register_systems("documents.documentversion", _of_document)
    trail.register_systems("documents.documentrequirement", _of_document)
    trail.register_systems("documents.acknowledgement", _of_document)
    trail.register_systems("documents.publication", _of_publication)
    hooks.register_panel(
        "requirement_detail", "documents/_requirement_panel.html", requirement_panel, order=25
    )
    checks.register(
        checks.Rule(
            "document_review_overdue",
            "Documents past their review date",
            "documents",
            review_overdue,
            order=70,
        )
    )
    checks.register(
        checks.Rule(
            "acknowledgements_overdue",
            "Approved policies with acknowledgements overdue",
            "documents",
            acknowledgements_overdue,
            order=71,
        )
    )
