"""Pages of the improvement queue: the queue of nonconformities (filters: step, source, kind,
standard, management system, owner, overdue actions), one nonconformity with its steps as a
progression (what is done, what comes next) and a form per step, raising and editing, and the
corrective-action list.

Thin views: a form parses input, ``@page`` checks the permission, a service does the work (and
checks again). A nonconformity is read with ``view`` over one of its systems; its owner works on
it with ``work_own_nonconformities``; effectiveness and closure need ``manage_nonconformities``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from keel.organisation.views.trail import describe
from keel.platform.actor import Actor
from keel.platform.errors import KeelError, NotFound
from keel.platform.forms import VersionedForm, add_service_error
from keel.platform.pages import page
from keel.platform.paging import page_of
from keel.platform.permissions import Perm, has_owner_perm, system_ids_with
from keel.platform.views.common import INVALID, current_user, is_partial

from . import actions, progress, queries, services
from .choices import CorrectiveActionStatus, NonconformityStatus
from .forms import (
    ActionDoneForm,
    ActionForm,
    CloseForm,
    CorrectionForm,
    CorrectiveActionFilterForm,
    EffectivenessForm,
    NonconformityEditForm,
    NonconformityFilterForm,
    NonconformityForm,
    RootCauseForm,
)
from .models import CorrectiveAction, Nonconformity

PAGE_SIZE = 50


def _nc_only(ref: str) -> Nonconformity:
    return queries.get(ref, Nonconformity.objects.prefetch_related("management_systems"))


def _perimeter(perm: str) -> Callable[..., Any]:
    def perimeter(request: HttpRequest, ref: str, **kwargs: Any) -> Any:
        return queries.perimeter_of(_nc_only(ref), request.user, perm)  # type: ignore[arg-type]

    return perimeter


def _nc_owner(request: HttpRequest, ref: str, **kwargs: Any) -> Any:
    return _nc_only(ref).owner_id


def _action(ref: str) -> CorrectiveAction:
    found = queries.base_actions().filter(ref_id__iexact=ref.strip()[:100]).first()
    if found is None:
        raise NotFound(f"No corrective action {ref[:100]!r}: give its reference (e.g. CA-004).")
    return found


def _action_perimeter(request: HttpRequest, ref: str, **kwargs: Any) -> Any:
    nc = _nc_only(str(_action(ref).nonconformity_id))
    return queries.perimeter_of(nc, request.user, Perm.WORK_OWN_NONCONFORMITIES)  # type: ignore[arg-type]


def _action_owner(request: HttpRequest, ref: str, **kwargs: Any) -> Any:
    return _action(ref).owner_id


# ---------------------------------------------------------------- the queue


@page(Perm.VIEW)
def nonconformity_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    params = request.GET.copy()
    params.pop("page", None)
    form = NonconformityFilterForm(params or None, user=user)
    problem = form.problem()
    filters = form.filters()
    try:
        qs = queries.nonconformity_list(user, filters)
    except KeelError as exc:
        problem = f"{exc.message} Showing every nonconformity."
        qs = queries.nonconformity_list(user)
    page_obj = page_of(qs, PAGE_SIZE, request.GET.get("page", 1))
    ctx = {
        "form": form,
        "problem": problem,
        "page_obj": page_obj,
        "items": [_row(nc) for nc in page_obj.object_list],
        "can_raise": system_ids_with(user, Perm.RAISE_NONCONFORMITIES) != set(),
        "today": queries.today(),
    }
    template = "improvement/_queue.html" if is_partial(request) else "improvement/list.html"
    return render(request, template, ctx)


def _row(nc: Nonconformity) -> dict[str, Any]:
    acts = list(nc.actions.all())
    today = queries.today()
    return {
        "nc": nc,
        "actions_done": sum(1 for a in acts if a.status == CorrectiveActionStatus.DONE),
        "actions": len(acts),
        "overdue": [a for a in acts if a.status == CorrectiveActionStatus.OPEN and a.due_on < today],
        "next": progress.next_step(progress.steps(nc, acts, list(nc.effectiveness_checks.all()))),
    }


# ---------------------------------------------------------------- one nonconformity


def _versioned(form_class: type[VersionedForm], nc: Nonconformity, **kwargs: Any) -> VersionedForm:
    form = form_class(**kwargs)
    form.bind_version(nc)
    return form


def _detail_context(request: HttpRequest, nc: Nonconformity, **forms: Any) -> dict[str, Any]:
    user = current_user(request)
    acts = list(nc.actions.all())
    checks = list(nc.effectiveness_checks.all())
    steps = progress.steps(nc, acts, checks)
    is_open = nc.status != NonconformityStatus.CLOSED
    can_manage = is_open and queries.can(user, Perm.MANAGE_NONCONFORMITIES, nc)
    can_work = is_open and queries.can(user, Perm.WORK_OWN_NONCONFORMITIES, nc, nc.owner_id)
    can_trail = queries.can(user, Perm.VIEW_TRAIL, nc)
    systems: list[Any] = list(nc.management_systems.all()) or [None]
    today = queries.today()
    return {
        "nc": nc,
        "steps": steps,
        "next": progress.next_step(steps),
        "missing": progress.missing_for_closure(nc, acts, checks) if is_open else [],
        "current_check": progress.current_check(acts, checks),
        "actions": [
            {
                "a": a,
                "overdue": a.status == CorrectiveActionStatus.OPEN and a.due_on < today,
                "can_complete": is_open
                and a.status == CorrectiveActionStatus.OPEN
                and (
                    can_work
                    or all(
                        has_owner_perm(user, Perm.WORK_OWN_NONCONFORMITIES, ms, a.owner_id) for ms in systems
                    )
                ),
                "done_form": ActionDoneForm(auto_id=f"done-{a.ref_id}-%s", initial={"done_on": today}),
            }
            for a in acts
        ],
        "checks": checks,
        "candidates": queries.recurrence_candidates(nc, user) if is_open else [],
        "can_manage": can_manage,
        "can_work": can_work,
        "correction_form": forms.get("correction_form")
        or _versioned(CorrectionForm, nc, auto_id="correction-%s", initial={"correction": nc.correction}),
        "root_cause_form": forms.get("root_cause_form")
        or _versioned(
            RootCauseForm,
            nc,
            auto_id="root-cause-%s",
            initial={
                "method": nc.root_cause_method or "five_whys",
                "whys": "\n".join(nc.root_cause_whys or []),
                "conclusion": nc.root_cause,
            },
        ),
        "action_form": forms.get("action_form") or _versioned(ActionForm, nc, auto_id="action-%s"),
        "effectiveness_form": forms.get("effectiveness_form")
        or _versioned(EffectivenessForm, nc, auto_id="effectiveness-%s"),
        "close_form": forms.get("close_form") or _versioned(CloseForm, nc, auto_id="close-%s"),
        "can_trail": can_trail,
        "history": describe(queries.history(nc), user) if can_trail else [],
    }


@page(Perm.VIEW, perimeter=_perimeter(Perm.VIEW))
def nonconformity_detail(request: HttpRequest, ref: str) -> HttpResponse:
    nc = queries.nonconformity_for(current_user(request), ref)
    return render(request, "improvement/detail.html", _detail_context(request, nc))


@require_http_methods(["GET", "POST"])
@page(Perm.RAISE_NONCONFORMITIES, anywhere=True)
def nonconformity_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if request.method == "POST":
        form = NonconformityForm(request.POST, user=user)
        if form.is_valid():
            try:
                nc = services.raise_nonconformity(
                    Actor.from_request(request), organisation=None, **form.service_data()
                )
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"{nc.ref_id} is raised. Next: record the correction.")
                return redirect("nonconformity-detail", ref=nc.ref_id)
    else:
        initial = {
            k: request.GET[k][:200]
            for k in ("title", "source", "source_ref", "source_url")
            if k in request.GET
        }
        form = NonconformityForm(
            user=user, initial={"kind": "minor", "raised_on": queries.today(), **initial}
        )
    return render(request, "improvement/form.html", {"form": form}, status=INVALID if form.errors else 200)


@require_http_methods(["GET", "POST"])
@page(Perm.MANAGE_NONCONFORMITIES, perimeter=_perimeter(Perm.MANAGE_NONCONFORMITIES))
def nonconformity_edit(request: HttpRequest, ref: str) -> HttpResponse:
    user = current_user(request)
    nc = queries.nonconformity_for(user, ref)
    if request.method == "POST":
        form = NonconformityEditForm(request.POST, user=user, exclude=nc)
        if form.is_valid():
            try:
                nc = services.update_nonconformity(
                    Actor.from_request(request),
                    nc.pk,
                    expected_version=form.expected_version,
                    **form.service_data(),
                )
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"{nc.ref_id} is saved.")
                return redirect("nonconformity-detail", ref=nc.ref_id)
    else:
        form = NonconformityEditForm(user=user, exclude=nc, initial=NonconformityEditForm.initial_for(nc))
        form.bind_version(nc)
    return render(
        request, "improvement/edit.html", {"form": form, "nc": nc}, status=INVALID if form.errors else 200
    )


def _step(
    request: HttpRequest,
    ref: str,
    form_class: type[VersionedForm],
    name: str,
    act: Callable[[Actor, Nonconformity, VersionedForm], str],
) -> HttpResponse:
    """Run one step from its form: redirect with a message, or the page again with the errors."""
    user = current_user(request)
    nc = queries.nonconformity_for(user, ref)
    form = form_class(request.POST, auto_id=f"{name.replace('_form', '').replace('_', '-')}-%s")
    if form.is_valid():
        try:
            done = act(Actor.from_request(request), nc, form)
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("nonconformity-detail", ref=nc.ref_id)
    nc = queries.nonconformity_for(user, ref)
    return render(
        request, "improvement/detail.html", _detail_context(request, nc, **{name: form}), status=INVALID
    )


@require_POST
@page(Perm.WORK_OWN_NONCONFORMITIES, perimeter=_perimeter(Perm.WORK_OWN_NONCONFORMITIES), owner=_nc_owner)
def nonconformity_correction(request: HttpRequest, ref: str) -> HttpResponse:
    def act(actor: Actor, nc: Nonconformity, form: VersionedForm) -> str:
        services.record_correction(
            actor, nc.pk, expected_version=form.expected_version, **form.service_data()
        )
        return f"The correction of {nc.ref_id} is recorded. Next: the root cause."

    return _step(request, ref, CorrectionForm, "correction_form", act)


@require_POST
@page(Perm.WORK_OWN_NONCONFORMITIES, perimeter=_perimeter(Perm.WORK_OWN_NONCONFORMITIES), owner=_nc_owner)
def nonconformity_root_cause(request: HttpRequest, ref: str) -> HttpResponse:
    def act(actor: Actor, nc: Nonconformity, form: VersionedForm) -> str:
        services.record_root_cause(
            actor, nc.pk, expected_version=form.expected_version, **form.service_data()
        )
        return f"The root cause of {nc.ref_id} is recorded. Next: corrective actions."

    return _step(request, ref, RootCauseForm, "root_cause_form", act)


@require_POST
@page(Perm.WORK_OWN_NONCONFORMITIES, perimeter=_perimeter(Perm.WORK_OWN_NONCONFORMITIES), owner=_nc_owner)
def nonconformity_action_add(request: HttpRequest, ref: str) -> HttpResponse:
    def act(actor: Actor, nc: Nonconformity, form: VersionedForm) -> str:
        ca = actions.add_action(actor, nc.pk, expected_version=form.expected_version, **form.service_data())
        return f"{ca.ref_id} is added to {nc.ref_id}, due {ca.due_on.isoformat()}."

    return _step(request, ref, ActionForm, "action_form", act)


@require_POST
@page(Perm.MANAGE_NONCONFORMITIES, perimeter=_perimeter(Perm.MANAGE_NONCONFORMITIES))
def nonconformity_effectiveness(request: HttpRequest, ref: str) -> HttpResponse:
    def act(actor: Actor, nc: Nonconformity, form: VersionedForm) -> str:
        check = services.record_effectiveness(
            actor, nc.pk, expected_version=form.expected_version, **form.service_data()
        )
        if check.effective:
            return f"The actions of {nc.ref_id} are recorded as effective. Next: close it."
        return f"The actions of {nc.ref_id} were not effective: add new corrective actions."

    return _step(request, ref, EffectivenessForm, "effectiveness_form", act)


@require_POST
@page(Perm.MANAGE_NONCONFORMITIES, perimeter=_perimeter(Perm.MANAGE_NONCONFORMITIES))
def nonconformity_close(request: HttpRequest, ref: str) -> HttpResponse:
    def act(actor: Actor, nc: Nonconformity, form: VersionedForm) -> str:
        closed = services.close_nonconformity(
            actor, nc.pk, expected_version=form.expected_version, **form.service_data()
        )
        return f"{closed.ref_id} is closed."

    return _step(request, ref, CloseForm, "close_form", act)


# ---------------------------------------------------------------- corrective actions


@require_POST
@page(Perm.WORK_OWN_NONCONFORMITIES, perimeter=_action_perimeter, owner=_action_owner)
def corrective_action_done(request: HttpRequest, ref: str) -> HttpResponse:
    user = current_user(request)
    action = queries.action_for(user, ref)
    form = ActionDoneForm(request.POST, auto_id=f"done-{action.ref_id}-%s")
    if form.is_valid():
        try:
            actions.complete_action(
                Actor.from_request(request),
                action.pk,
                expected_version=form.expected_version,
                **form.service_data(),
            )
        except KeelError as exc:
            messages.error(request, f"{action.ref_id}: {exc.message}")
        else:
            messages.success(request, f"{action.ref_id} is done.")
    else:
        messages.error(request, f"{action.ref_id}: check the date and the evidence.")
    return redirect("nonconformity-detail", ref=action.nonconformity.ref_id)


@page(Perm.VIEW)
def corrective_action_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    params = request.GET.copy()
    params.pop("page", None)
    form = CorrectiveActionFilterForm(params or None, user=user)
    problem = form.problem()
    filters = form.filters()
    try:
        qs = queries.action_list(user, filters)
    except KeelError as exc:
        problem = f"{exc.message} Showing every corrective action."
        qs = queries.action_list(user)
    page_obj = page_of(qs, PAGE_SIZE, request.GET.get("page", 1))
    ctx = {
        "form": form,
        "problem": problem,
        "page_obj": page_obj,
        "items": list(page_obj.object_list),
        "today": queries.today(),
    }
    return render(request, "improvement/actions.html", ctx)
