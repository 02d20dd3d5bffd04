"""Context: interested parties and internal and external issues, with htmx inline edits."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from keel.organisation import queries as organisation_queries
from keel.organisation import services as organisation
from keel.organisation.forms import ContextIssueForm, InterestedPartyForm, StandardFilterForm
from keel.platform.actor import Actor
from keel.platform.errors import KeelError
from keel.platform.forms import KeelForm, VersionedForm, add_service_error
from keel.platform.pages import page
from keel.platform.paging import page_of
from keel.platform.permissions import Perm, has_perm
from keel.platform.views.common import INVALID, current_user, is_partial


@dataclass(frozen=True)
class RecordKind:
    """One kind of context record, so parties and issues share the inline-edit views."""

    name: str
    label: str
    listing: Callable[..., QuerySet[Any]]
    form: type[KeelForm]
    save: Callable[..., Any]
    delete: Callable[..., None]

    def row_template(self) -> str:
        return f"organisation/_{self.name}_row.html"

    def get(self, pk: uuid.UUID) -> Any:
        obj = self.listing().filter(pk=pk).first()
        if obj is None:
            raise Http404(f"No {self.label} with id {pk}; it may have been deleted.")
        return obj

    def form_for(self, obj: Model | None, data: Any = None) -> KeelForm:
        auto_id = f"{self.name}-{obj.pk}-%s" if obj is not None else f"{self.name}-new-%s"
        if data is not None:
            return self.form(data, auto_id=auto_id)
        initial = self.form.initial_for(obj) if obj is not None else {}  # type: ignore[attr-defined]
        form = self.form(initial=initial, auto_id=auto_id)
        if obj is not None and isinstance(form, VersionedForm):
            form.bind_version(obj)
        return form


PARTY = RecordKind(
    "party",
    "interested party",
    organisation_queries.interested_parties,
    InterestedPartyForm,
    organisation.save_interested_party,
    organisation.delete_interested_party,
)
ISSUE = RecordKind(
    "issue",
    "context issue",
    organisation_queries.context_issues,
    ContextIssueForm,
    organisation.save_context_issue,
    organisation.delete_context_issue,
)


PAGE_SIZE = 50


@page(Perm.VIEW)
def context_page(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    filter_form = StandardFilterForm(request.GET or None)
    standard = filter_form.cleaned_data["standard"] if filter_form.is_valid() else ""
    filter_problem = ""
    if filter_form.is_bound and not filter_form.is_valid():
        # An unknown key (an old bookmark, a typo) shows everything, and says so.
        asked = request.GET.get("standard", "")
        known = ", ".join(key for key, _label in filter_form.fields["standard"].choices if key)  # type: ignore[attr-defined]
        filter_problem = f"No standard '{asked}'; showing all. Known standards: {known or 'none loaded'}."
    # Each table is paged on its own (?parties_page=, ?issues_page=), like /people/.
    parties = page_of(
        organisation_queries.interested_parties(standard), PAGE_SIZE, request.GET.get("parties_page", 1)
    )
    issues = page_of(
        organisation_queries.context_issues(standard), PAGE_SIZE, request.GET.get("issues_page", 1)
    )
    ctx = {
        "filter_problem": filter_problem,
        "parties": list(parties.object_list),
        "parties_page": parties,
        "issues": list(issues.object_list),
        "issues_page": issues,
        "filter_form": filter_form,
        "standard": standard,
        "can_edit": has_perm(user, Perm.EDIT_CONTEXT),
    }
    template = "organisation/_context_tables.html" if is_partial(request) else "organisation/context.html"
    return render(request, template, ctx)


def _save_record(request: HttpRequest, kind: RecordKind, form: KeelForm, pk: uuid.UUID | None) -> Any:
    if not form.is_valid():
        return None
    data = form.service_data() if isinstance(form, VersionedForm) else dict(form.cleaned_data)
    standards = data.pop("standards")
    if pk is not None and isinstance(form, VersionedForm):
        data["expected_version"] = form.expected_version
    try:
        return kind.save(Actor.from_request(request), pk, standards=standards, **data)
    except KeelError as exc:
        add_service_error(form, exc)
        return None


def _record_create(request: HttpRequest, kind: RecordKind) -> HttpResponse:
    form = kind.form_for(None, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        saved = _save_record(request, kind, form, None)
        if saved is not None:
            messages.success(request, f"The {kind.label} {saved} is recorded.")
            return redirect(reverse("context") + f"#{kind.name}-{saved.pk}")
    return render(
        request,
        "organisation/context_form.html",
        {"kind": kind, "form": form, "obj": None},
        status=INVALID if form.errors else 200,
    )


def _record_edit(request: HttpRequest, kind: RecordKind, pk: uuid.UUID) -> HttpResponse:
    obj = kind.get(pk)
    partial = is_partial(request)
    if request.method == "POST":
        form = kind.form_for(obj, request.POST)
        saved = _save_record(request, kind, form, obj.pk)
        if saved is not None:
            if partial:
                return render(
                    request, kind.row_template(), {"obj": kind.get(pk), "can_edit": True, "just_saved": True}
                )
            messages.success(request, f"The {kind.label} {saved} is saved.")
            return redirect(reverse("context") + f"#{kind.name}-{saved.pk}")
    else:
        form = kind.form_for(obj)
    if partial:
        # 200 so htmx swaps the form with its errors in.
        return render(
            request, f"organisation/_{kind.name}_form_row.html", {"obj": obj, "form": form, "kind": kind}
        )
    return render(
        request,
        "organisation/context_form.html",
        {"kind": kind, "form": form, "obj": obj},
        status=INVALID if form.errors else 200,
    )


def _record_row(request: HttpRequest, kind: RecordKind, pk: uuid.UUID) -> HttpResponse:
    return render(
        request,
        kind.row_template(),
        {"obj": kind.get(pk), "can_edit": has_perm(current_user(request), Perm.EDIT_CONTEXT)},
    )


def _record_delete(request: HttpRequest, kind: RecordKind, pk: uuid.UUID) -> HttpResponse:
    obj = kind.get(pk)
    if request.method == "POST":
        try:
            kind.delete(Actor.from_request(request), obj.pk)
        except KeelError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, f"The {kind.label} {obj} is deleted; the audit trail keeps its last state."
            )
        return redirect("context")
    return render(request, "platform/confirm_delete.html", {"kind": kind, "obj": obj})


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_CONTEXT)
def party_create(request: HttpRequest) -> HttpResponse:
    return _record_create(request, PARTY)


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_CONTEXT)
def party_edit(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _record_edit(request, PARTY, pk)


@page(Perm.VIEW)
def party_row(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _record_row(request, PARTY, pk)


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_CONTEXT)
def party_delete(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _record_delete(request, PARTY, pk)


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_CONTEXT)
def issue_create(request: HttpRequest) -> HttpResponse:
    return _record_create(request, ISSUE)


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_CONTEXT)
def issue_edit(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _record_edit(request, ISSUE, pk)


@page(Perm.VIEW)
def issue_row(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _record_row(request, ISSUE, pk)


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_CONTEXT)
def issue_delete(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _record_delete(request, ISSUE, pk)
