"""Pages of keel.changes: the list, create (the fields of the chosen family), one change with
its gates as a checklist (each missing one links to where it is done), edit, and the workflow
buttons (submit, approve or reject with the reason, implemented, close with the review). Thin:
a form parses, ``@page`` checks the permission, a service does the work."""

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
from keel.platform.actor import Actor
from keel.platform.errors import KeelError
from keel.platform.forms import add_service_error
from keel.platform.pages import page
from keel.platform.permissions import Perm, has_perm, system_ids_with
from keel.platform.views.common import INVALID, current_user, is_partial

from . import gates, queries, services
from .choices import EDITABLE, ChangeFamily, ChangeStatus
from .forms import FAMILY_FIELDS, ChangeFilterForm, ChangeForm, DecisionForm, StepForm
from .models import Change

PAGE_SIZE = 50


def _perimeter(request: HttpRequest, ref: str, **kwargs: Any) -> ManagementSystem:
    return services.get(ref).management_system


@page(Perm.VIEW)
def change_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    params = request.GET.copy()
    params.pop("page", None)
    form = ChangeFilterForm(params or None, user=user)
    problem = form.problem()
    try:
        qs = queries.changes(user, form.filters())
    except KeelError as exc:
        problem = f"{exc.message} Showing every change."
        qs = queries.changes(user)
    page_obj = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page", 1))
    ctx = {
        "form": form,
        "problem": problem,
        "page_obj": page_obj,
        "items": list(page_obj.object_list),
        "can_add": system_ids_with(user, Perm.EDIT_CHANGES) != set(),
        "families": ChangeFamily.choices,
    }
    return render(request, "changes/_table.html" if is_partial(request) else "changes/list.html", ctx)


def _family(request: HttpRequest) -> str:
    family = request.GET.get("family") or request.POST.get("family") or ChangeFamily.INFORMATION_SYSTEM
    return family if family in ChangeFamily.values else ChangeFamily.INFORMATION_SYSTEM


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_CHANGES, anywhere=True)
def change_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    family = _family(request)
    if request.method == "POST":
        form = ChangeForm(request.POST, family=family, user=user)
        if form.is_valid():
            try:
                change = services.create(Actor.from_request(request), family=family, **form.service_data())
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"{change.ref_id} is drafted: submit it for approval when ready.")
                return redirect("change-detail", ref=change.ref_id)
    else:
        form = ChangeForm(family=family, user=user, initial={"requester": user.email, "owner": user.email})
    ctx = {
        "form": form,
        "family": family,
        "family_label": ChangeFamily(family).label,
        "families": ChangeFamily.choices,
    }
    return render(request, "changes/form.html", ctx, status=INVALID if form.errors else 200)


def _detail(request: HttpRequest, change: Change, **forms: Any) -> dict[str, Any]:
    user = current_user(request)
    checklist = gates.gates_of(change)
    can_trail = has_perm(user, Perm.VIEW_TRAIL, change.management_system_id)
    return {
        "change": change,
        "gates": checklist,
        "missing": gates.missing(checklist),
        "answer": gates.answer(change),
        "family_fields": FAMILY_FIELDS[change.family],
        "can_edit": change.status in EDITABLE
        and has_perm(user, Perm.EDIT_CHANGES, change.management_system_id),
        "can_step": has_perm(user, Perm.EDIT_CHANGES, change.management_system_id),
        "approve_problem": services.may_approve(user, change),
        "decision_form": forms.get("decision_form") or DecisionForm(auto_id="decision-%s"),
        "step_form": forms.get("step_form") or StepForm(auto_id="step-%s"),
        "can_trail": can_trail,
        "history": describe(queries.history(change), user) if can_trail else [],
    }


@page(Perm.VIEW, perimeter=_perimeter)
def change_detail(request: HttpRequest, ref: str) -> HttpResponse:
    change = queries.change_for(current_user(request), ref)
    return render(request, "changes/detail.html", _detail(request, change))


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_CHANGES, perimeter=_perimeter)
def change_edit(request: HttpRequest, ref: str) -> HttpResponse:
    user = current_user(request)
    change = queries.change_for(user, ref)
    if request.method == "POST":
        form = ChangeForm(request.POST, family=change.family, user=user, editing=True)
        if form.is_valid():
            data = form.service_data()
            try:
                services.update(
                    Actor.from_request(request), change.pk, expected_version=form.expected_version, **data
                )
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"{change.ref_id} is saved.")
                return redirect("change-detail", ref=change.ref_id)
    else:
        initial = {
            "title": change.title,
            "kind": change.kind,
            "description": change.description,
            "requester": change.requester.email,
            "owner": change.owner.email,
            "planned_on": change.planned_on,
            "risk_notes": change.risk_notes,
            "test_plan": change.test_plan,
            "rollback_plan": change.rollback_plan,
            "ai_system": change.ai_system.short_name if change.ai_system else "",
            "model_version": str(change.model_version_id or ""),
            "impact_assessment": str(change.impact_assessment_id or ""),
            "evidence": [e.ref_id for e in change.evidence.all()],
            "purpose": change.purpose,
            "consequences": change.consequences,
            "resources": change.resources,
            "responsibilities": change.responsibilities,
            "management_systems": [m.short_name for m in change.management_systems.all()],
        }
        form = ChangeForm(family=change.family, user=user, editing=True, initial=initial)
        form.bind_version(change)
    ctx = {
        "form": form,
        "change": change,
        "family": change.family,
        "family_label": change.get_family_display(),
    }
    return render(request, "changes/form.html", ctx, status=INVALID if form.errors else 200)


def _step(
    perm: str, run: Callable[[Actor, Change, str], Change], done: str, form_class: type = StepForm
) -> Any:
    @require_POST
    @page(perm, perimeter=_perimeter)
    def view(request: HttpRequest, ref: str) -> HttpResponse:
        change = queries.change_for(current_user(request), ref)
        form = form_class(request.POST, auto_id="step-%s")
        note = form.cleaned_data["note"] if form.is_valid() else ""
        try:
            run(Actor.from_request(request), change, note)
        except KeelError as exc:
            add_service_error(form, exc)
            key = "decision_form" if form_class is DecisionForm else "step_form"
            ctx = _detail(request, queries.change_for(current_user(request), ref), **{key: form})
            ctx["action_error"] = exc.message
            return render(request, "changes/detail.html", ctx, status=exc.status)
        messages.success(request, f"{change.ref_id} {done}.")
        return redirect("change-detail", ref=change.ref_id)

    return view


change_submit = _step(
    Perm.EDIT_CHANGES, lambda a, c, n: services.submit(a, c.pk), "is submitted for approval"
)
change_approve = _step(
    Perm.APPROVE_CHANGES, lambda a, c, n: services.approve(a, c.pk, n), "is approved", DecisionForm
)
change_reject = _step(
    Perm.APPROVE_CHANGES, lambda a, c, n: services.reject(a, c.pk, n), "is rejected", DecisionForm
)
change_implement = _step(
    Perm.EDIT_CHANGES, lambda a, c, n: services.implement(a, c.pk, n), "is recorded as implemented"
)
change_close = _step(Perm.EDIT_CHANGES, lambda a, c, n: services.close(a, c.pk, n), "is reviewed and closed")

__all__ = ["ChangeStatus"]
