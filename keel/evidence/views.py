"""Pages of the evidence register: the list with validity filters, one piece of evidence with
its versions (upload a new one), links to controls and requirements (edited inline with htmx)
and history, create, edit, withdraw, and downloads.

Thin views: a form parses input, ``@page`` checks the permission, a service or query does the
work. Evidence is read and downloaded with ``view`` over one of its systems and changed with
``edit_evidence`` over every one; the services check it again. Files are only ever served by
:func:`download`, never from a static or media URL.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from keel.organisation.models import ManagementSystem
from keel.organisation.views.trail import describe
from keel.platform import tables
from keel.platform.actor import Actor
from keel.platform.errors import KeelError
from keel.platform.forms import add_service_error
from keel.platform.pages import page
from keel.platform.permissions import Perm, system_ids_with
from keel.platform.views.common import INVALID, current_user, is_partial

from . import downloads, queries, services
from .choices import EvidenceStatus, Validity
from .forms import (
    ControlLinkForm,
    EvidenceEditForm,
    EvidenceFilterForm,
    EvidenceForm,
    RequirementLinkForm,
    VersionForm,
    WithdrawForm,
)
from .models import Evidence

PAGE_SIZE = 50


def _perimeter(perm: str, every: bool = False) -> Callable[..., Any]:
    def perimeter(request: HttpRequest, ref: str, **kwargs: Any) -> ManagementSystem | None:
        evidence = queries.get_evidence(ref, Evidence.objects.prefetch_related("management_systems"))
        return queries.perimeter_of(evidence, request.user, perm, every)  # type: ignore[arg-type]

    return perimeter


def _can_add(user: Any) -> bool:
    return system_ids_with(user, Perm.EDIT_EVIDENCE) != set()


# ---------------------------------------------------------------- list


LISTING = tables.Listing(
    columns=[
        tables.Column("Evidence", "ref_id"),
        tables.Column("Validity", "valid_until"),
        tables.Column("Current version", "-collected_on"),
        tables.Column("Supports"),
        tables.Column("Systems"),
    ],
    orders=queries.EVIDENCE_ORDER,
    default_order="ref_id",
    filename="evidence.csv",
    csv_columns=[
        ("Reference", lambda e: e.ref_id),
        ("Title", lambda e: e.title),
        ("Kind", lambda e: e.get_kind_display()),
        ("Status", lambda e: e.get_status_display()),
        ("Owner", lambda e: e.owner.email if e.owner_id else ""),
        ("Version", lambda e: e.current_version.number if e.current_version else ""),
        ("Collected on", lambda e: e.current_version.collected_on.isoformat() if e.current_version else ""),
        (
            "Valid until",
            lambda e: (
                e.current_version.valid_until.isoformat()
                if e.current_version and e.current_version.valid_until
                else ""
            ),
        ),
        ("Validity", lambda e: Validity(queries.validity_of(e)).label),
        ("Controls", lambda e: [lk.control.ref_id for lk in e.control_links.all()]),
        (
            "Requirements",
            lambda e: [
                f"{lk.requirement.standard.key} {lk.requirement.ref_id}" for lk in e.requirement_links.all()
            ],
        ),
        (
            "Management systems",
            lambda e: [ms.short_name for ms in e.management_systems.all()] or "Organisation",
        ),
    ],
)


@page(Perm.VIEW)
def evidence_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    params = request.GET.copy()
    params.pop("page", None)
    form = EvidenceFilterForm(params or None, user=user)
    problem = form.problem()
    filters = form.filters()
    try:
        qs = queries.evidence_list(user, filters)
    except KeelError as exc:
        problem = f"{exc.message} Showing all current evidence."
        filters = queries.EvidenceFilters()
        qs = queries.evidence_list(user)
    if tables.wants_csv(request):
        return LISTING.csv(qs)
    page_obj = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page", 1))
    ctx = {
        "form": form,
        "problem": problem,
        "page_obj": page_obj,
        "items": list(page_obj.object_list),
        "can_add": _can_add(user),
        "expiring_days": queries.expiring_days(),
        "filtered": bool(form.is_bound and any(v for k, v in params.items() if k != "order")),
        **LISTING.context(request, filters.order, keep_filters=not problem),
    }
    template = "evidence/_table.html" if is_partial(request) else "evidence/list.html"
    return render(request, template, ctx)


# ---------------------------------------------------------------- one piece of evidence


def _detail_context(request: HttpRequest, evidence: Evidence, **forms: Any) -> dict[str, Any]:
    user = current_user(request)
    can_trail = queries.can(user, Perm.VIEW_TRAIL, evidence)
    can_edit = evidence.status == EvidenceStatus.CURRENT and queries.can(
        user, Perm.EDIT_EVIDENCE, evidence, every=True
    )
    return {
        "evidence": evidence,
        "versions": list(evidence.versions.all()),
        "validity": queries.validity_of(evidence),
        "can_edit": can_edit,
        "version_form": forms.get("version_form") or VersionForm(kind=evidence.kind, auto_id="version-%s"),
        "control_form": forms.get("control_form") or ControlLinkForm(auto_id="link-control-%s"),
        "requirement_form": forms.get("requirement_form") or RequirementLinkForm(auto_id="link-req-%s"),
        "can_trail": can_trail,
        "history": describe(queries.history(evidence), user) if can_trail else [],
    }


@page(Perm.VIEW, perimeter=_perimeter(Perm.VIEW))
def evidence_detail(request: HttpRequest, ref: str) -> HttpResponse:
    evidence = queries.evidence_for(current_user(request), ref)
    return render(request, "evidence/detail.html", _detail_context(request, evidence))


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_EVIDENCE, anywhere=True)
def evidence_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if request.method == "POST":
        form = EvidenceForm(request.POST, request.FILES, user=user)
        if form.is_valid():
            try:
                evidence = services.create_evidence(Actor.from_request(request), **form.service_data())
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"Evidence {evidence.ref_id} is added.")
                return redirect("evidence-detail", ref=evidence.ref_id)
    else:
        initial: dict[str, Any] = {"kind": "file"}
        for name in ("control", "requirement"):
            if request.GET.get(name):
                initial[f"{name}s"] = request.GET[name]
        form = EvidenceForm(user=user, initial=initial)
    return render(request, "evidence/form.html", {"form": form}, status=INVALID if form.errors else 200)


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_EVIDENCE, perimeter=_perimeter(Perm.EDIT_EVIDENCE, every=True))
def evidence_edit(request: HttpRequest, ref: str) -> HttpResponse:
    user = current_user(request)
    evidence = queries.evidence_for(user, ref)
    if request.method == "POST":
        form = EvidenceEditForm(request.POST, user=user)
        if form.is_valid():
            try:
                evidence = services.update_evidence(
                    Actor.from_request(request),
                    evidence.pk,
                    expected_version=form.expected_version,
                    **form.service_data(),
                )
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"Evidence {evidence.ref_id} is saved.")
                return redirect("evidence-detail", ref=evidence.ref_id)
    else:
        form = EvidenceEditForm(user=user, initial=EvidenceEditForm.initial_for(evidence))
        form.bind_version(evidence)
    return render(
        request,
        "evidence/edit.html",
        {"form": form, "evidence": evidence},
        status=INVALID if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_EVIDENCE, perimeter=_perimeter(Perm.EDIT_EVIDENCE, every=True))
def evidence_withdraw(request: HttpRequest, ref: str) -> HttpResponse:
    evidence = queries.evidence_for(current_user(request), ref)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_evidence(Actor.from_request(request), evidence.pk, form.cleaned_data["reason"])
        except KeelError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                f"{evidence.ref_id} is withdrawn. Its versions and files are kept and can still be downloaded.",
            )
        return redirect("evidence-detail", ref=evidence.ref_id)
    return render(request, "evidence/withdraw.html", {"evidence": evidence, "form": form})


@require_POST
@page(Perm.EDIT_EVIDENCE, perimeter=_perimeter(Perm.EDIT_EVIDENCE, every=True))
def version_add(request: HttpRequest, ref: str) -> HttpResponse:
    user = current_user(request)
    evidence = queries.evidence_for(user, ref)
    form = VersionForm(request.POST, request.FILES, kind=evidence.kind, auto_id="version-%s")
    if form.is_valid():
        try:
            version = services.add_version(Actor.from_request(request), evidence.pk, form.version())
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Version {version.number} of {evidence.ref_id} is added.")
            return redirect("evidence-detail", ref=evidence.ref_id)
    evidence = queries.evidence_for(user, ref)
    return render(
        request, "evidence/detail.html", _detail_context(request, evidence, version_form=form), status=INVALID
    )


@page(Perm.VIEW, perimeter=_perimeter(Perm.VIEW))
def download(request: HttpRequest, ref: str, number: int) -> HttpResponse:
    try:
        version = queries.version_for(current_user(request), ref, number)
        return downloads.file_response(version)  # type: ignore[return-value]  # streamed
    except KeelError as exc:
        title = {404: "Not found", 403: "Not allowed", 409: "File damaged"}.get(exc.status, "Error")
        return render(
            request,
            "platform/error.html",
            {"status": exc.status, "title": title, "message": exc.message},
            status=exc.status,
        )


# ---------------------------------------------------------------- links (htmx inline)


def _links_answer(request: HttpRequest, ref: str, status: int = 200, **forms: Any) -> HttpResponse:
    evidence = queries.evidence_for(current_user(request), ref)
    if is_partial(request):
        return render(
            request, "evidence/_links.html", _detail_context(request, evidence, **forms), status=status
        )
    return redirect("evidence-detail", ref=evidence.ref_id)


def _link_action(
    request: HttpRequest, ref: str, form: Any, form_name: str, action: Callable[[Actor, Any], str]
) -> HttpResponse:
    if form.is_valid():
        try:
            done = action(Actor.from_request(request), form.cleaned_data)
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            if not is_partial(request):
                messages.success(request, done)
            return _links_answer(request, ref)
    if not is_partial(request):
        messages.error(
            request,
            "Nothing was changed: " + " ".join(" ".join(str(x) for x in e) for e in form.errors.values()),
        )
    return _links_answer(request, ref, **{form_name: form})  # 200 so htmx swaps the errors in


@require_POST
@page(Perm.EDIT_EVIDENCE, perimeter=_perimeter(Perm.EDIT_EVIDENCE, every=True))
def control_link(request: HttpRequest, ref: str) -> HttpResponse:
    def act(actor: Actor, data: dict[str, Any]) -> str:
        link = services.link_control(actor, ref, data["control"].strip())
        return f"Linked to {link.control.ref_id}."

    return _link_action(
        request, ref, ControlLinkForm(request.POST, auto_id="link-control-%s"), "control_form", act
    )


@require_POST
@page(Perm.EDIT_EVIDENCE, perimeter=_perimeter(Perm.EDIT_EVIDENCE, every=True))
def control_unlink(request: HttpRequest, ref: str, control: str) -> HttpResponse:
    try:
        services.unlink_control(Actor.from_request(request), ref, control)
    except KeelError as exc:
        messages.error(request, exc.message)
    return _links_answer(request, ref)


@require_POST
@page(Perm.EDIT_EVIDENCE, perimeter=_perimeter(Perm.EDIT_EVIDENCE, every=True))
def requirement_link(request: HttpRequest, ref: str) -> HttpResponse:
    def act(actor: Actor, data: dict[str, Any]) -> str:
        link = services.link_requirement(actor, ref, data["requirement"].strip())
        return f"Linked to {link.requirement.key}."

    return _link_action(
        request, ref, RequirementLinkForm(request.POST, auto_id="link-req-%s"), "requirement_form", act
    )


@require_POST
@page(Perm.EDIT_EVIDENCE, perimeter=_perimeter(Perm.EDIT_EVIDENCE, every=True))
def requirement_unlink(request: HttpRequest, ref: str, key: str) -> HttpResponse:
    try:
        services.unlink_requirement(Actor.from_request(request), ref, key)
    except KeelError as exc:
        messages.error(request, exc.message)
    return _links_answer(request, ref)
