"""Pages of the documents app: the list, one document with its versions (write a new one, send
for review, approve, compare two versions word by word, the PDF of an approved version), create,
edit, retire, and the requirements a document answers.

Thin views: a form parses input, ``@page`` checks the permission, a service or query does the
work. A document is read with ``view`` over one of its systems and changed with
``edit_documents`` over every one (approved with ``approve_documents``); the services check again.
Publishing and acknowledging are in :mod:`keel.documents.views_ack`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from keel.evidence import downloads
from keel.organisation.models import ManagementSystem
from keel.organisation.views.organisation import word_diff
from keel.organisation.views.trail import describe
from keel.platform import tables
from keel.platform.actor import Actor
from keel.platform.errors import KeelError
from keel.platform.forms import add_service_error
from keel.platform.markdown import render as render_markdown
from keel.platform.pages import error_page, page
from keel.platform.pdf import render_pdf
from keel.platform.permissions import Perm, system_ids_with
from keel.platform.views.common import INVALID, current_user, is_partial

from . import acknowledgements, queries, services
from .choices import DocumentStatus, VersionStatus
from .forms import (
    DocumentEditForm,
    DocumentFilterForm,
    DocumentForm,
    PublishForm,
    RequirementLinkForm,
    RetireForm,
    ReturnForm,
    ReviewForm,
    VersionForm,
)
from .models import Document, DocumentVersion

PAGE_SIZE = 50


def _perimeter(perm: str, every: bool = False) -> Callable[..., Any]:
    def perimeter(request: HttpRequest, ref: str, **kwargs: Any) -> ManagementSystem | None:
        document = queries.get_document(ref, Document.objects.prefetch_related("management_systems"))
        return queries.perimeter_of(document, request.user, perm, every)  # type: ignore[arg-type]

    return perimeter


LISTING = tables.Listing(
    columns=[
        tables.Column("Document", "ref_id"),
        tables.Column("Kind"),
        tables.Column("Status"),
        tables.Column("In force"),
        tables.Column("Next review", "next_review_on"),
        tables.Column("Answers"),
        tables.Column("Systems"),
    ],
    orders=queries.DOCUMENT_ORDER,
    default_order="ref_id",
    filename="documents.csv",
    csv_columns=[
        ("Reference", lambda d: d.ref_id),
        ("Title", lambda d: d.title),
        ("Kind", lambda d: d.get_kind_display()),
        ("Status", lambda d: d.get_status_display()),
        ("Owner", lambda d: d.owner.email),
        ("Version in force", lambda d: d.issued_version.label if d.issued_version else ""),
        ("Approved on", lambda d: d.issued_version.approved_on.isoformat() if d.issued_version else ""),
        ("Next review", lambda d: d.next_review_on.isoformat() if d.next_review_on else ""),
        ("Requirements", lambda d: [lk.requirement.key for lk in d.requirement_links.all()]),
        (
            "Management systems",
            lambda d: [ms.short_name for ms in d.management_systems.all()] or "Organisation",
        ),
    ],
)


@page(Perm.VIEW)
def document_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    params = request.GET.copy()
    params.pop("page", None)
    form = DocumentFilterForm(params or None, user=user)
    problem = form.problem()
    filters = form.filters()
    try:
        qs = queries.document_list(user, filters)
    except KeelError as exc:
        problem = f"{exc.message} Showing every document in use."
        filters = queries.DocumentFilters()
        qs = queries.document_list(user)
    if tables.wants_csv(request):
        return LISTING.csv(qs)
    page_obj = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page", 1))
    ctx = {
        "form": form,
        "problem": problem,
        "page_obj": page_obj,
        "items": list(page_obj.object_list),
        "can_add": system_ids_with(user, Perm.EDIT_DOCUMENTS) != set(),
        "today": queries.today(),
        **LISTING.context(request, filters.order, keep_filters=not problem),
    }
    template = "documents/_table.html" if is_partial(request) else "documents/list.html"
    return render(request, template, ctx)


# ---------------------------------------------------------------- one document


def _detail_context(request: HttpRequest, document: Document, **forms: Any) -> dict[str, Any]:
    user = current_user(request)
    can_trail = queries.can(user, Perm.VIEW_TRAIL, document)
    live = document.status != DocumentStatus.RETIRED
    versions = list(document.versions.all())
    current = versions[0] if versions else None
    return {
        "document": document,
        "versions": versions,
        "current": current,
        "issued": document.issued_version,
        "body_html": render_markdown(current.body) if current and not current.is_file else "",
        "can_edit": live and queries.can(user, Perm.EDIT_DOCUMENTS, document, every=True),
        "can_approve": live and queries.can(user, Perm.APPROVE_DOCUMENTS, document, every=True),
        "is_author": current is not None and current.author_id == user.pk,
        "version_form": forms.get("version_form")
        or VersionForm(auto_id="version-%s", initial={"change": "minor"}),
        "review_form": forms.get("review_form") or ReviewForm(auto_id="review-%s"),
        "return_form": ReturnForm(auto_id="return-%s"),
        "requirement_form": forms.get("requirement_form") or RequirementLinkForm(auto_id="link-req-%s"),
        "publish_form": PublishForm(auto_id="publish-%s", initial={"audience": "department"}),
        "acks": list(acknowledgements.acknowledgements(user, document=str(document.pk))),
        "my_acks": [a for a in acknowledgements.outstanding_for(user) if a.document_id == document.pk],
        "can_trail": can_trail,
        "history": describe(queries.history(document), user) if can_trail else [],
    }


@page(Perm.VIEW, perimeter=_perimeter(Perm.VIEW))
def document_detail(request: HttpRequest, ref: str) -> HttpResponse:
    document = queries.document_for(current_user(request), ref)
    return render(request, "documents/detail.html", _detail_context(request, document))


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_DOCUMENTS, anywhere=True)
def document_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if request.method == "POST":
        form = DocumentForm(request.POST, request.FILES, user=user)
        if form.is_valid():
            data = form.service_data()
            version = services.NewVersion(body=data.pop("body"), file=data.pop("file"))
            try:
                document = services.create_document(Actor.from_request(request), version=version, **data)
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"{document.ref_id} is drafted (version 1.0).")
                return redirect("document-detail", ref=document.ref_id)
    else:
        form = DocumentForm(user=user, initial={"kind": "policy", "owner": user.email})
    return render(request, "documents/form.html", {"form": form}, status=INVALID if form.errors else 200)


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_DOCUMENTS, perimeter=_perimeter(Perm.EDIT_DOCUMENTS, every=True))
def document_edit(request: HttpRequest, ref: str) -> HttpResponse:
    user = current_user(request)
    document = queries.document_for(user, ref)
    if request.method == "POST":
        form = DocumentEditForm(request.POST, user=user)
        if form.is_valid():
            data = form.service_data()
            systems = data.pop("management_systems")
            try:
                document = services.update_document(
                    Actor.from_request(request),
                    document.pk,
                    management_systems=systems,
                    expected_version=form.expected_version,
                    **data,
                )
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"{document.ref_id} is saved.")
                return redirect("document-detail", ref=document.ref_id)
    else:
        form = DocumentEditForm(user=user, initial=DocumentEditForm.initial_for(document))
        form.bind_version(document)
    return render(
        request,
        "documents/edit.html",
        {"form": form, "document": document},
        status=INVALID if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_DOCUMENTS, perimeter=_perimeter(Perm.EDIT_DOCUMENTS, every=True))
def document_retire(request: HttpRequest, ref: str) -> HttpResponse:
    document = queries.document_for(current_user(request), ref)
    form = RetireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.retire_document(Actor.from_request(request), document.pk, form.cleaned_data["reason"])
        except KeelError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{document.ref_id} is retired. Its versions are kept.")
        return redirect("document-detail", ref=document.ref_id)
    return render(request, "documents/retire.html", {"document": document, "form": form})


# ---------------------------------------------------------------- versions and the workflow


@require_POST
@page(Perm.EDIT_DOCUMENTS, perimeter=_perimeter(Perm.EDIT_DOCUMENTS, every=True))
def version_add(request: HttpRequest, ref: str) -> HttpResponse:
    user = current_user(request)
    document = queries.document_for(user, ref)
    form = VersionForm(request.POST, request.FILES, auto_id="version-%s")
    if form.is_valid():
        data = form.cleaned_data
        new = services.NewVersion(
            body=data["body"], file=data["file"], change=data["change"], change_note=data["change_note"]
        )
        try:
            version = services.add_version(Actor.from_request(request), document.pk, new)
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Version {version.label} of {document.ref_id} is drafted.")
            return redirect("document-detail", ref=document.ref_id)
    document = queries.document_for(user, ref)
    return render(
        request,
        "documents/detail.html",
        _detail_context(request, document, version_form=form),
        status=INVALID,
    )


def _workflow(request: HttpRequest, ref: str, act: Callable[[Actor, Document], str]) -> HttpResponse:
    document = queries.document_for(current_user(request), ref)
    try:
        done = act(Actor.from_request(request), document)
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("document-detail", ref=document.ref_id)


@require_POST
@page(Perm.EDIT_DOCUMENTS, perimeter=_perimeter(Perm.EDIT_DOCUMENTS, every=True))
def submit(request: HttpRequest, ref: str) -> HttpResponse:
    form = ReviewForm(request.POST, auto_id="review-%s")
    reviewers = form.cleaned_data["reviewers"] if form.is_valid() else []

    def act(actor: Actor, document: Document) -> str:
        version = services.submit_for_review(actor, document.pk, reviewers)
        return f"Version {version.label} of {document.ref_id} is in review."

    return _workflow(request, ref, act)


@require_POST
@page(Perm.EDIT_DOCUMENTS, perimeter=_perimeter(Perm.EDIT_DOCUMENTS, every=True))
def send_back(request: HttpRequest, ref: str) -> HttpResponse:
    form = ReturnForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""

    def act(actor: Actor, document: Document) -> str:
        version = services.return_to_draft(actor, document.pk, note)
        return f"Version {version.label} of {document.ref_id} is back to draft."

    return _workflow(request, ref, act)


@require_POST
@page(Perm.APPROVE_DOCUMENTS, perimeter=_perimeter(Perm.APPROVE_DOCUMENTS, every=True))
def approve(request: HttpRequest, ref: str) -> HttpResponse:
    def act(actor: Actor, document: Document) -> str:
        version = services.approve(actor, document.pk)
        return f"Version {version.label} of {document.ref_id} is approved and in force."

    return _workflow(request, ref, act)


@page(Perm.VIEW, perimeter=_perimeter(Perm.VIEW))
def version_detail(request: HttpRequest, ref: str, number: int) -> HttpResponse:
    """One version as written, and (``?compare=N``) its words against another version."""
    user = current_user(request)
    version = queries.version_for(user, ref, number)
    others = list(
        DocumentVersion.objects.filter(document=version.document).exclude(pk=version.pk).order_by("-number")
    )
    compare = next((o for o in others if str(o.number) == request.GET.get("compare", "")), None)
    if compare is None and request.GET.get("compare") is None:
        compare = next((o for o in others if o.number < version.number and not o.is_file), None)
    old_parts: Any = ()
    new_parts: Any = ()
    if compare is not None and not compare.is_file and not version.is_file:
        old_parts, new_parts = word_diff(compare.body, version.body)
    return render(
        request,
        "documents/version.html",
        {
            "document": version.document,
            "version": version,
            "body_html": "" if version.is_file else render_markdown(version.body),
            "others": others,
            "compare": compare,
            "old_parts": old_parts,
            "new_parts": new_parts,
            "changed": any(s.changed for s in new_parts) or any(s.changed for s in old_parts),
        },
    )


@page(Perm.VIEW, perimeter=_perimeter(Perm.VIEW))
def version_download(request: HttpRequest, ref: str, number: int) -> HttpResponse:
    try:
        version = queries.file_version_for(current_user(request), ref, number)
        return downloads.file_response(version)  # type: ignore[arg-type,return-value]  # same file fields
    except KeelError as exc:
        return error_page(request, exc)


@page(Perm.VIEW, perimeter=_perimeter(Perm.VIEW))
def version_pdf(request: HttpRequest, ref: str, number: int) -> HttpResponse:
    """The PDF of an approved (or superseded) version written in Keel, as issued."""
    try:
        version = queries.version_for(current_user(request), ref, number)
        if version.status not in (VersionStatus.APPROVED, VersionStatus.SUPERSEDED) or version.is_file:
            return error_page(
                request,
                KeelError(
                    f"Only an approved version written in Keel has a PDF as issued; version {version.label} "
                    f"is {version.get_status_display().lower()}{' and an uploaded file' if version.is_file else ''}."
                ),
            )
        pdf = render_pdf(
            "documents/pdf.html",
            {"document": version.document, "version": version, "body_html": render_markdown(version.body)},
        )
    except KeelError as exc:
        return error_page(request, exc)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{version.document.ref_id}-v{version.label}.pdf"'
    return response


# ---------------------------------------------------------------- requirements answered


@require_POST
@page(Perm.EDIT_DOCUMENTS, perimeter=_perimeter(Perm.EDIT_DOCUMENTS, every=True))
def requirement_link(request: HttpRequest, ref: str) -> HttpResponse:
    form = RequirementLinkForm(request.POST, auto_id="link-req-%s")
    if form.is_valid():

        def act(actor: Actor, document: Document) -> str:
            link = services.link_requirement(actor, document.pk, form.cleaned_data["requirement"].strip())
            return f"{document.ref_id} answers {link.requirement.key}."

        return _workflow(request, ref, act)
    messages.error(request, "Nothing was changed: give the requirement's key.")
    return redirect("document-detail", ref=ref)


@require_POST
@page(Perm.EDIT_DOCUMENTS, perimeter=_perimeter(Perm.EDIT_DOCUMENTS, every=True))
def requirement_unlink(request: HttpRequest, ref: str, key: str) -> HttpResponse:
    def act(actor: Actor, document: Document) -> str:
        services.unlink_requirement(actor, document.pk, key)
        return f"{document.ref_id} no longer answers {key}."

    return _workflow(request, ref, act)
