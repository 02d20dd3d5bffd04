"""Pages of the supplier register: the list with its filters, a supplier's page (contacts,
contracts, reviews, assessments with their scores, what depends on it — a panel of aisystems),
requesting and editing a supplier, the onboarding actions, and an assessment's page with its
answers and review. Thin: parse, check, call a service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from keel.organisation.views.trail import describe
from keel.platform import hooks
from keel.platform.actor import Actor
from keel.platform.errors import KeelError
from keel.platform.forms import add_service_error
from keel.platform.models import TrailEntry
from keel.platform.pages import page
from keel.platform.permissions import Perm, has_perm, system_ids_with
from keel.platform.views.common import INVALID, current_user, is_partial

from . import assessments, mailing, queries, services
from .choices import SupplierAssessmentStatus, SupplierStatus
from .forms import (
    AssessmentReviewForm,
    ContactForm,
    ContractForm,
    MoveForm,
    ReviewForm,
    SendForm,
    SupplierFilterForm,
    SupplierForm,
)
from .models import Supplier

PAGE_SIZE = 50

# the onboarding buttons of a supplier page: (to, label, needs a reason, permission)
ACTIONS: dict[str, list[tuple[str, str, bool, str]]] = {
    SupplierStatus.REQUESTED: [
        (SupplierStatus.DUE_DILIGENCE, "Start due diligence", False, Perm.EDIT_SUPPLIERS)
    ],
    SupplierStatus.DUE_DILIGENCE: [
        (SupplierStatus.APPROVED, "Approve", True, Perm.APPROVE_SUPPLIERS),
        (SupplierStatus.REJECTED, "Reject", True, Perm.APPROVE_SUPPLIERS),
    ],
    SupplierStatus.APPROVED: [(SupplierStatus.ACTIVE, "Contract signed", False, Perm.EDIT_SUPPLIERS)],
    SupplierStatus.REJECTED: [(SupplierStatus.DUE_DILIGENCE, "Reconsider", False, Perm.EDIT_SUPPLIERS)],
    SupplierStatus.ACTIVE: [(SupplierStatus.ENDED, "End the relationship", False, Perm.EDIT_SUPPLIERS)],
    SupplierStatus.ENDED: [],
}


def _supplier(request: HttpRequest, ref: str) -> Supplier:
    return queries.get_supplier(current_user(request), ref)


def _perimeter(request: HttpRequest, ref: str, **kwargs: Any) -> Any:
    return queries.get_supplier(Actor.system("perimeter"), ref).management_system


def _assessment_perimeter(request: HttpRequest, ref: str, **kwargs: Any) -> Any:
    return assessments.get_assessment(None, ref, every=True).supplier.management_system


@page(Perm.VIEW)
def supplier_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    params = request.GET.copy()
    params.pop("page", None)
    form = SupplierFilterForm(params or None, user=user)
    problem = ""
    try:
        qs = queries.supplier_list(user, form.filters())
    except KeelError as exc:
        problem, qs = exc.message, queries.supplier_list(user)
    if form.is_bound and form.errors:
        problem = form.problem()
    page_obj = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page", 1))
    ctx = {
        "form": form,
        "problem": problem,
        "page_obj": page_obj,
        "suppliers": list(page_obj.object_list),
        "today": queries.today(),
        "can_create": system_ids_with(user, Perm.EDIT_SUPPLIERS) != set(),
    }
    return render(request, "suppliers/_table.html" if is_partial(request) else "suppliers/list.html", ctx)


def _history(s: Supplier) -> list[TrailEntry]:
    q = Q(object_type="suppliers.supplier", object_id=str(s.pk)) | Q(
        object_type__in=[
            "suppliers.suppliercontract",
            "suppliers.suppliercontact",
            "suppliers.supplierassessment",
        ],
        object_repr__contains=s.ref_id,
    )
    return list(TrailEntry.objects.filter(q).order_by("-seq")[:200])


@page(Perm.VIEW, perimeter=_perimeter)
def supplier_detail(request: HttpRequest, ref: str) -> HttpResponse:
    user = current_user(request)
    s = _supplier(request, ref)
    ms = s.management_system
    can_edit = has_perm(user, Perm.EDIT_SUPPLIERS, ms)
    can_decide = has_perm(user, Perm.APPROVE_SUPPLIERS, ms)
    can_trail = has_perm(user, Perm.VIEW_TRAIL, ms)
    actions = [
        {"to": to, "label": label, "reason": reason}
        for to, label, reason, perm in ACTIONS[s.status]
        if has_perm(user, perm, ms)
    ]
    return render(
        request,
        "suppliers/detail.html",
        {
            "s": s,
            "today": queries.today(),
            "contacts": list(s.contacts.all()),
            "contracts": list(s.contracts.select_related("document", "evidence")),
            "reviews": list(s.reviews.select_related("reviewer")),
            "assessments": list(s.assessments.select_related("questionnaire", "sent_by", "reviewer")),
            "actions": actions,
            "can_edit": can_edit,
            "can_decide": can_decide,
            "contact_form": ContactForm(auto_id="contact-%s"),
            "contract_form": ContractForm(auto_id="contract-%s"),
            "review_form": ReviewForm(auto_id="review-%s"),
            "send_form": SendForm(auto_id="send-%s", supplier=s) if can_edit else None,
            "panels": hooks.render_panels("supplier_detail", request, s),
            "can_trail": can_trail,
            "history": describe(_history(s), user) if can_trail else [],
        },
    )


def _form_page(request: HttpRequest, form: SupplierForm, s: Supplier | None) -> HttpResponse:
    return render(
        request, "suppliers/form.html", {"form": form, "s": s}, status=INVALID if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_SUPPLIERS, anywhere=True)
def supplier_create(request: HttpRequest) -> HttpResponse:
    form = SupplierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            s = services.request_supplier(Actor.from_request(request), **form.service_data())
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{s.ref_id} {s.name} is requested.")
            return redirect("supplier-detail", ref=s.ref_id)
    return _form_page(request, form, None)


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_SUPPLIERS, perimeter=_perimeter)
def supplier_edit(request: HttpRequest, ref: str) -> HttpResponse:
    s = _supplier(request, ref)
    if request.method == "POST":
        form = SupplierForm(request.POST)
        if form.is_valid():
            try:
                s = services.update_supplier(
                    Actor.from_request(request), s.pk, form.service_data(), version=form.expected_version
                )
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"{s.ref_id} is saved.")
                return redirect("supplier-detail", ref=s.ref_id)
    else:
        form = SupplierForm(initial=SupplierForm.initial_for(s))
        form.bind_version(s)
    return _form_page(request, form, s)


def _errors(form: Any) -> str:
    return " ".join(f"{name}: {' '.join(str(e) for e in errs)}" for name, errs in form.errors.items())


@require_POST
@page(Perm.EDIT_SUPPLIERS, perimeter=_perimeter)
def supplier_move(request: HttpRequest, ref: str) -> HttpResponse:
    """An onboarding step; a decision (approve, reject) also needs ``approve_suppliers``, which
    the service checks."""
    s = _supplier(request, ref)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Nothing changed: " + _errors(form))
        return redirect("supplier-detail", ref=s.ref_id)
    try:
        s = services.move(
            Actor.from_request(request), s.pk, form.cleaned_data["to"], reason=form.cleaned_data["reason"]
        )
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{s.ref_id} is now {s.get_status_display().lower()}.")
    return redirect("supplier-detail", ref=s.ref_id)


def _post(request: HttpRequest, ref: str, form_class: Any, call: Any, done: str) -> HttpResponse:
    s = _supplier(request, ref)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, "Nothing was saved: " + _errors(form))
    else:
        try:
            call(Actor.from_request(request), s, form.cleaned_data)
        except KeelError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done)
    return redirect("supplier-detail", ref=s.ref_id)


@require_POST
@page(Perm.EDIT_SUPPLIERS, perimeter=_perimeter)
def contact_add(request: HttpRequest, ref: str) -> HttpResponse:
    return _post(
        request, ref, ContactForm, lambda a, s, d: services.add_contact(a, s.pk, **d), "The contact is added."
    )


@require_POST
@page(Perm.EDIT_SUPPLIERS, perimeter=_perimeter)
def contact_remove(request: HttpRequest, ref: str, contact: str) -> HttpResponse:
    s = _supplier(request, ref)
    try:
        services.remove_contact(Actor.from_request(request), s.pk, contact)
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The contact is removed.")
    return redirect("supplier-detail", ref=s.ref_id)


@require_POST
@page(Perm.EDIT_SUPPLIERS, perimeter=_perimeter)
def contract_add(request: HttpRequest, ref: str) -> HttpResponse:
    def call(a: Actor, s: Supplier, d: dict[str, Any]) -> Any:
        return services.add_contract(a, s.pk, **{k: v for k, v in d.items() if v not in (None, "")})

    return _post(request, ref, ContractForm, call, "The contract is recorded.")


@require_POST
@page(Perm.EDIT_SUPPLIERS, perimeter=_perimeter)
def review_add(request: HttpRequest, ref: str) -> HttpResponse:
    return _post(
        request,
        ref,
        ReviewForm,
        lambda a, s, d: services.record_review(a, s.pk, **d),
        "The periodic review is recorded.",
    )


@require_POST
@page(Perm.EDIT_SUPPLIERS, perimeter=_perimeter)
def assessment_send(request: HttpRequest, ref: str) -> HttpResponse:
    s = _supplier(request, ref)
    form = SendForm(request.POST, supplier=s)
    if not form.is_valid():
        messages.error(request, "Nothing was sent: " + _errors(form))
        return redirect("supplier-detail", ref=s.ref_id)
    d = form.cleaned_data
    try:
        a = mailing.send(
            Actor.from_request(request),
            s.pk,
            d["questionnaire"],
            contact=d["contact"],
            recipient_name=d["recipient_name"],
            recipient_email=d["recipient_email"],
            days=d["days"],
            base_url=request.build_absolute_uri("/"),
        )
    except KeelError as exc:
        messages.error(request, exc.message)
        return redirect("supplier-detail", ref=s.ref_id)
    messages.success(request, f"{a.ref_id} is sent: the link is emailed to {a.recipient_email}.")
    return redirect("supplier-assessment-detail", ref=a.ref_id)


# ---------------------------------------------------------------- an assessment


@page(Perm.VIEW, perimeter=_assessment_perimeter)
def assessment_detail(request: HttpRequest, ref: str) -> HttpResponse:
    user = current_user(request)
    a = assessments.get_assessment(user, ref)
    ms = a.supplier.management_system
    can_edit = has_perm(user, Perm.EDIT_SUPPLIERS, ms)
    return render(
        request,
        "suppliers/assessment.html",
        {
            "a": a,
            "rows": assessments.answers_of(a),
            "link": assessments.link_for(a, request.build_absolute_uri("/"))
            if can_edit and a.status == SupplierAssessmentStatus.SENT
            else "",
            "can_edit": can_edit,
            "can_review": has_perm(user, Perm.APPROVE_SUPPLIERS, ms)
            and a.status == SupplierAssessmentStatus.ANSWERED,
            "review_form": AssessmentReviewForm(auto_id="areview-%s"),
        },
    )


@require_POST
@page(Perm.APPROVE_SUPPLIERS, perimeter=_assessment_perimeter)
def assessment_review(request: HttpRequest, ref: str) -> HttpResponse:
    form = AssessmentReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The review was not recorded: " + _errors(form))
    else:
        try:
            a = assessments.review(Actor.from_request(request), ref, **form.cleaned_data)
        except KeelError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{a.ref_id} is reviewed: {a.get_decision_display().lower()}.")
    return redirect("supplier-assessment-detail", ref=ref)


@require_POST
@page(Perm.EDIT_SUPPLIERS, perimeter=_assessment_perimeter)
def assessment_withdraw(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        assessments.withdraw(Actor.from_request(request), ref)
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The assessment is withdrawn: its link answers nothing any more.")
    return redirect("supplier-assessment-detail", ref=ref)


@require_POST
@page(Perm.EDIT_SUPPLIERS, perimeter=_assessment_perimeter)
def assessment_extend(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        a = assessments.extend(Actor.from_request(request), ref)
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"A new link is valid until {a.expires_at:%-d %b %Y}: email it with Resend link."
        )
    return redirect("supplier-assessment-detail", ref=ref)


@require_POST
@page(Perm.EDIT_SUPPLIERS, perimeter=_assessment_perimeter)
def assessment_resend(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        a = mailing.resend(Actor.from_request(request), ref, request.build_absolute_uri("/"))
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"The link is emailed again to {a.recipient_email}.")
    return redirect("supplier-assessment-detail", ref=ref)
