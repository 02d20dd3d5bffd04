"""Read-side queries of the documents app, shared by pages, the API and the CLI.

Every listing runs a fixed number of queries whatever the number of rows, and shows only what
the reader may see: documents of a management system they hold ``view`` over, and
organisation-level documents (no system) for anyone with a role.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from keel.organisation import options
from keel.organisation import resolvers as organisation_resolvers
from keel.platform import filters
from keel.platform.errors import NotFound, PermissionDenied, ValidationFailed
from keel.platform.models import TrailEntry, User
from keel.platform.permissions import Perm, has_perm, system_ids_with
from keel.platform.schemas import MS_REF

from .choices import AckStatus, DocumentKind, DocumentStatus
from .models import Document, DocumentRequirement, DocumentVersion

MAX_TEXT = 100
DOCUMENT_ORDER = {
    "ref_id": (F("ref_id").asc(),),
    "-ref_id": (F("ref_id").desc(),),
    "title": (F("title").asc(), F("ref_id").asc()),
    "-title": (F("title").desc(), F("ref_id").asc()),
    "next_review_on": (F("next_review_on").asc(nulls_last=True), F("ref_id").asc()),
    "-next_review_on": (F("next_review_on").desc(nulls_last=True), F("ref_id").asc()),
    "updated_at": (F("updated_at").asc(), F("ref_id").asc()),
    "-updated_at": (F("updated_at").desc(), F("ref_id").asc()),
}


def today() -> dt.date:
    return timezone.localdate()


# ---------------------------------------------------------------- who may see what


def member_of(system_ids: Iterable[uuid.UUID], ref: str = "pk") -> Q:
    """Documents of one of ``system_ids``, or of no system at all (organisation level)."""
    members = Document.management_systems.through.objects
    return Q(
        Exists(members.filter(document_id=OuterRef(ref), managementsystem_id__in=list(system_ids)))
    ) | ~Q(Exists(members.filter(document_id=OuterRef(ref))))


def visible(qs: QuerySet[Any], user: User | None, perm: str = Perm.VIEW, ref: str = "pk") -> QuerySet[Any]:
    """Rows of ``qs`` (documents, or rows naming one through ``ref``) whose document ``user``
    may ``perm``: that of a system they hold the permission over, and organisation-level ones."""
    ids = system_ids_with(user, perm)
    if ids is None:
        return qs
    return qs.filter(member_of(ids, ref))


def can(user: User | None, perm: str, document: Document, every: bool = False) -> bool:
    """Reading needs the permission over one of the document's systems; changing it, over every one."""
    systems = list(document.management_systems.all())
    if not systems:
        return has_perm(user, perm)
    results = (has_perm(user, perm, ms) for ms in systems)
    return all(results) if every else any(results)


def perimeter_of(document: Document, user: User | None, perm: str, every: bool = False) -> Any:
    """The management system that decides ``perm`` on ``document`` for ``user`` (for ``@page``)."""
    systems = list(document.management_systems.all())
    if not systems:
        return None
    allowed = [ms for ms in systems if has_perm(user, perm, ms)]
    if every:
        missing = [ms for ms in systems if ms not in allowed]
        return missing[0] if missing else systems[0]
    return allowed[0] if allowed else systems[0]


# ---------------------------------------------------------------- one document


def get_document(ref: uuid.UUID | str, qs: QuerySet[Document] | None = None) -> Document:
    """One document by id or reference (no permission check)."""
    qs = (
        qs
        if qs is not None
        else Document.objects.select_related("owner", "current_version", "issued_version")
    )
    document: Document | None = None
    with contextlib.suppress(ValueError):
        document = qs.filter(pk=uuid.UUID(str(ref))).first()
    if document is None:
        document = qs.filter(ref_id=str(ref).strip()).first()
    if document is None:
        raise NotFound(f"No document {str(ref)[:MAX_TEXT]!r}: give its id or reference (e.g. DOC-004).")
    return document


def base_documents() -> QuerySet[Document]:
    return Document.objects.select_related(
        "owner", "classification", "current_version", "issued_version"
    ).prefetch_related(
        "management_systems",
        Prefetch(
            "requirement_links",
            DocumentRequirement.objects.select_related("requirement__standard").order_by(
                "requirement__standard__key", "requirement__sort_order"
            ),
        ),
    )


def document_detail(ref: uuid.UUID | str) -> Document:
    """One document with its systems, requirements and versions (no permission check)."""
    qs = base_documents().prefetch_related(
        Prefetch(
            "versions",
            DocumentVersion.objects.select_related("author", "approver")
            .prefetch_related("reviewers")
            .order_by("-number"),
        )
    )
    return get_document(ref, qs)


def document_for(user: User | None, ref: uuid.UUID | str) -> Document:
    """:func:`document_detail`, or 403 when the user may not read it."""
    document = document_detail(ref)
    if not can(user, Perm.VIEW, document):
        raise PermissionDenied("Your roles do not let you read this document's management systems.")
    return document


def version_for(user: User | None, ref: uuid.UUID | str, number: int) -> DocumentVersion:
    document = get_document(ref, Document.objects.prefetch_related("management_systems"))
    if not can(user, Perm.VIEW, document):
        raise PermissionDenied("Your roles do not let you read this document's management systems.")
    version = (
        DocumentVersion.objects.select_related("document", "author", "approver")
        .prefetch_related("reviewers")
        .filter(document=document, number=number)
        .first()
    )
    if version is None:
        raise NotFound(f"{document.ref_id} has no version {number}.")
    return version


def file_version_for(user: User | None, ref: uuid.UUID | str, number: int) -> DocumentVersion:
    """The version to download as a file: a version written in Keel has no file (a clear 404)."""
    version = version_for(user, ref, number)
    if not version.is_file:
        raise NotFound(
            f"Version {version.label} of {version.document.ref_id} is written in Keel, not uploaded: "
            "open it or download its PDF."
        )
    return version


def history(document: Document, limit: int = 200) -> list[TrailEntry]:
    """Trail entries of the document, its versions, links and publications, newest first."""
    q = Q(object_type="documents.document", object_id=str(document.pk)) | Q(
        object_type__in=[
            "documents.documentversion",
            "documents.documentrequirement",
            "documents.publication",
        ],
        object_repr__startswith=f"{document.ref_id} ",
    )
    return list(TrailEntry.objects.filter(q).order_by("-seq")[:limit])


# ---------------------------------------------------------------- lists


ORDER_CHOICES = [
    ("ref_id", "Reference"),
    ("-ref_id", "Reference, last first"),
    ("title", "Title"),
    ("-title", "Title, Z to A"),
    ("next_review_on", "Next review (soonest first)"),
    ("-updated_at", "Recently changed"),
]
DocumentOrder = Literal[
    "ref_id", "-ref_id", "title", "-title", "next_review_on", "-next_review_on", "updated_at", "-updated_at"
]
DOCUMENT_REF = "Of this document (id or reference)."


@dataclass
class DocumentFilters:
    """The filters of the document register: its API parameters and its page form (issue 10)."""

    kind: str = filters.choice(DocumentKind, label="Kind", any="Every kind")
    # "" for every status but retired; "all" for every one
    status: str = filters.choice(
        [*DocumentStatus.choices, ("all", "Every status")],
        label="Status",
        any="In use (not retired)",
        help="Left out: every document not retired.",
    )
    management_system: str = filters.reference(
        label="Management system",
        any="All systems",
        options=options.systems_of_user,
        invalid_choice=organisation_resolvers.UNKNOWN_SYSTEM,
        help=MS_REF,
    )
    requirement: str = filters.reference(
        max_length=128, help="Documents answering this requirement key.", form=False
    )
    owner: str = filters.reference(max_length=254, help="The owner's email.", form=False)
    # next review date passed (the API's parameter is a plain yes/no, no by default)
    review_due: bool | None = filters.boolean(
        label="Review overdue",
        help="Only documents past their next review date.",
        api_type=bool,
        api_default=False,
    )
    q: str = filters.text(
        label="Search", max_length=MAX_TEXT, help="Words in the reference, title or summary."
    )
    order: str = filters.choice(ORDER_CHOICES, label="Order", default="ref_id", api_type=DocumentOrder)


@dataclass
class VersionFilters:
    """The filters of the document versions list (API only)."""

    document: str = filters.reference(
        max_length=MAX_TEXT, help="Versions of this document (id or reference)."
    )


@dataclass
class AcknowledgementFilters:
    """The filters of the acknowledgements list (API only)."""

    document: str = filters.reference(max_length=MAX_TEXT, help=DOCUMENT_REF)
    person: str = filters.reference(max_length=254, help="Of this person (email).")
    status: str = filters.choice(AckStatus, help="Left out: every status.")


def _choice(name: str, value: str, allowed: Iterable[str]) -> None:
    if value and value not in allowed:
        raise ValidationFailed(f"{name} must be one of: {', '.join(allowed)}.", {name: ["Unknown value."]})


def document_list(user: User | None, f: DocumentFilters | None = None) -> QuerySet[Document]:
    """The documents ``user`` may read, filtered and ordered (fixed number of queries)."""
    f = f or DocumentFilters()
    _choice("kind", f.kind, DocumentKind.values)
    _choice("status", f.status, [*DocumentStatus.values, "all"])
    _choice("order", f.order, DOCUMENT_ORDER)
    qs = visible(base_documents(), user)
    if f.status == "":
        qs = qs.exclude(status=DocumentStatus.RETIRED)
    elif f.status != "all":
        qs = qs.filter(status=f.status)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.management_system:
        ms = organisation_resolvers.management_system(f.management_system, user)
        qs = qs.filter(management_systems=ms)
    if f.requirement:
        qs = qs.filter(requirement_links__requirement__key=f.requirement.strip()[:200])
    if f.owner:
        qs = qs.filter(owner__email__iexact=f.owner.strip()[:254])
    if f.review_due:
        qs = qs.filter(next_review_on__lt=today())
    if f.q:
        for word in f.q.split()[:10]:
            qs = qs.filter(Q(title__icontains=word) | Q(ref_id__icontains=word) | Q(summary__icontains=word))
    return qs.order_by(*DOCUMENT_ORDER[f.order or "ref_id"]).distinct()


def versions_list(user: User | None, document: str = "") -> QuerySet[DocumentVersion]:
    """Versions of the documents ``user`` may read (optionally of one document), newest first."""
    qs = visible(
        DocumentVersion.objects.select_related("document", "author", "approver").prefetch_related(
            "reviewers"
        ),
        user,
        ref="document_id",
    )
    if document:
        qs = qs.filter(document=get_document(document))
    return qs.order_by("document__ref_id", "-number")
