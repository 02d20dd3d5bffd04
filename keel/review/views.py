"""Pages of management review: the list, one review with its agenda (tags, figures, charts),
plan, edit, hold (freeze), approve the minutes, the minutes page and PDF, decisions, actions.

Thin views: a form parses input, ``@page`` checks the permission, a service or query does the
work. A review is read with ``view`` over one of its systems and changed with ``edit_reviews``
over every one; the services check again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from keel.organisation.views.trail import describe
from keel.platform.actor import Actor
from keel.platform.errors import KeelError
from keel.platform.forms import add_service_error
from keel.platform.pages import error_page, page
from keel.platform.paging import page_of
from keel.platform.pdf import render_pdf
from keel.platform.permissions import Perm, system_ids_with
from keel.platform.views.common import INVALID, current_user, is_partial

from . import minutes, queries, services
from .choices import ReviewStatus
from .forms import (
    ActionFilterForm,
    ActionForm,
    ActionStatusForm,
    DecisionForm,
    HoldForm,
    NotesForm,
    ReviewEditForm,
    ReviewFilterForm,
    ReviewForm,
)
from .models import ManagementReview, ReviewAction

PAGE_SIZE = 50


def _perimeter(perm: str, every: bool = False) -> Callable[..., Any]:
    def perimeter(request: HttpRequest, ref: str, **kwargs: Any) -> Any:
        review = services.get_review(ref)
        return queries.perimeter_of(review, request.user, perm, every)  # type: ignore[arg-type]

    return perimeter


def _action_perimeter(perm: str, every: bool = False) -> Callable[..., Any]:
    def perimeter(request: HttpRequest, ref: str, **kwargs: Any) -> Any:
        action = services.get_action(ref)
        return queries.perimeter_of(action.review, request.user, perm, every)  # type: ignore[arg-type]

    return perimeter


@page(Perm.VIEW)
def review_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    params = request.GET.copy()
    params.pop("page", None)
    form = ReviewFilterForm(params or None, user=user)
    problem = form.problem()
    filters = form.filters()
    try:
        qs = queries.review_list(user, filters)
    except KeelError as exc:
        problem = f"{exc.message} Showing every review."
        qs = queries.review_list(user)
    page_obj = page_of(qs, PAGE_SIZE, request.GET.get("page", 1))
    ctx = {
        "form": form,
        "problem": problem,
        "page_obj": page_obj,
        "items": list(page_obj.object_list),
        "can_add": system_ids_with(user, Perm.EDIT_REVIEWS) != set(),
    }
    return render(request, "review/_table.html" if is_partial(request) else "review/list.html", ctx)


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_REVIEWS, anywhere=True)
def review_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if request.method == "POST":
        form = ReviewForm(request.POST, user=user)
        if form.is_valid():
            try:
                review = services.create_review(Actor.from_request(request), **form.cleaned_data)
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request, f"{review.ref_id} is planned with its agenda of {review.items.count()} inputs."
                )
                return redirect("management-review-detail", ref=review.ref_id)
    else:
        form = ReviewForm(user=user, initial={"chair": user.email})
    return render(request, "review/form.html", {"form": form}, status=INVALID if form.errors else 200)


def _detail_context(request: HttpRequest, review: ManagementReview) -> dict[str, Any]:
    user = current_user(request)
    can_edit = queries.can(user, Perm.EDIT_REVIEWS, review)
    shown = minutes.agenda(review)
    notes_forms = {}
    if can_edit and review.status != ReviewStatus.APPROVED:
        for s in shown:
            f = NotesForm(initial={"notes": s.item.notes}, auto_id=f"item{s.item.position}-%s")
            f.bind_version(s.item)
            notes_forms[s.item.pk] = f
    return {
        "review": review,
        "agenda": [(s, notes_forms.get(s.item.pk)) for s in shown],
        "can_edit": can_edit,
        "hold_form": HoldForm(auto_id="hold-%s"),
        "decision_form": DecisionForm(review=review, auto_id="decision-%s"),
        "action_form": ActionForm(review=review, auto_id="action-%s"),
        "can_trail": queries.can_any(user, Perm.VIEW_TRAIL, review),
        "history": describe(queries.history(review), user)
        if queries.can_any(user, Perm.VIEW_TRAIL, review)
        else [],
    }


@page(Perm.VIEW, perimeter=_perimeter(Perm.VIEW))
def review_detail(request: HttpRequest, ref: str) -> HttpResponse:
    review = queries.review_for(current_user(request), ref)
    return render(request, "review/detail.html", _detail_context(request, review))


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_REVIEWS, perimeter=_perimeter(Perm.EDIT_REVIEWS, every=True))
def review_edit(request: HttpRequest, ref: str) -> HttpResponse:
    review = queries.review_for(current_user(request), ref)
    if request.method == "POST":
        form = ReviewEditForm(request.POST)
        if form.is_valid():
            try:
                services.update_review(
                    Actor.from_request(request),
                    review.pk,
                    expected_version=form.expected_version,
                    **form.service_data(),
                )
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"{review.ref_id} is saved.")
                return redirect("management-review-detail", ref=review.ref_id)
    else:
        form = ReviewEditForm(initial=ReviewEditForm.initial_for(review))
        form.bind_version(review)
    return render(
        request, "review/edit.html", {"form": form, "review": review}, status=INVALID if form.errors else 200
    )


def _act(request: HttpRequest, ref: str, act: Callable[[Actor, ManagementReview], str]) -> HttpResponse:
    review = queries.review_for(current_user(request), ref)
    try:
        done = act(Actor.from_request(request), review)
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("management-review-detail", ref=review.ref_id)


@require_POST
@page(Perm.EDIT_REVIEWS, perimeter=_perimeter(Perm.EDIT_REVIEWS, every=True))
def review_hold(request: HttpRequest, ref: str) -> HttpResponse:
    form = HoldForm(request.POST)
    held_on = form.cleaned_data.get("held_on") if form.is_valid() else request.POST.get("held_on")

    def act(actor: Actor, review: ManagementReview) -> str:
        services.hold_review(actor, review.pk, held_on=held_on)
        return f"{review.ref_id} is held: its inputs are frozen into the minutes."

    return _act(request, ref, act)


@require_POST
@page(Perm.EDIT_REVIEWS, perimeter=_perimeter(Perm.EDIT_REVIEWS, every=True))
def review_approve(request: HttpRequest, ref: str) -> HttpResponse:
    def act(actor: Actor, review: ManagementReview) -> str:
        services.approve_minutes(actor, review.pk)
        return f"The minutes of {review.ref_id} are approved."

    return _act(request, ref, act)


@require_POST
@page(Perm.EDIT_REVIEWS, perimeter=_perimeter(Perm.EDIT_REVIEWS, every=True))
def item_notes(request: HttpRequest, ref: str, position: int) -> HttpResponse:
    form = NotesForm(request.POST)

    def act(actor: Actor, review: ManagementReview) -> str:
        item = review.items.filter(position=position).first()
        if item is None:
            raise KeelError(f"{review.ref_id} has no agenda item {position}.")
        if not form.is_valid():
            raise KeelError("The notes could not be read; nothing was saved.")
        services.update_item(
            actor, item.pk, notes=form.cleaned_data["notes"], expected_version=form.expected_version
        )
        return f"The notes on item {position} are saved."

    return _act(request, ref, act)


@require_POST
@page(Perm.EDIT_REVIEWS, perimeter=_perimeter(Perm.EDIT_REVIEWS, every=True))
def decision_add(request: HttpRequest, ref: str) -> HttpResponse:
    def act(actor: Actor, review: ManagementReview) -> str:
        form = DecisionForm(request.POST, review=review)
        if not form.is_valid():
            raise KeelError("Write the decision; nothing was saved.")
        d = services.add_decision(
            actor, review.pk, text=form.cleaned_data["text"], item=form.cleaned_data["item"]
        )
        return f"Decision D{d.number} is recorded."

    return _act(request, ref, act)


@require_POST
@page(Perm.EDIT_REVIEWS, perimeter=_perimeter(Perm.EDIT_REVIEWS, every=True))
def action_add(request: HttpRequest, ref: str) -> HttpResponse:
    def act(actor: Actor, review: ManagementReview) -> str:
        form = ActionForm(request.POST, review=review)
        if not form.is_valid():
            problems = "; ".join(f"{k}: {' '.join(str(e) for e in v)}" for k, v in form.errors.items())
            raise KeelError(f"The action was not recorded ({problems}).")
        a = services.add_action(actor, review.pk, **form.cleaned_data)
        return f"{a.ref_id} is recorded for {a.owner.display_name}, due {a.due_on.isoformat()}."

    return _act(request, ref, act)


def _minutes_context(request: HttpRequest, ref: str) -> dict[str, Any]:
    review = queries.review_for(current_user(request), ref)
    return {"review": review, "agenda": minutes.agenda(review)}


@page(Perm.VIEW, perimeter=_perimeter(Perm.VIEW))
def review_minutes(request: HttpRequest, ref: str) -> HttpResponse:
    return render(request, "review/minutes.html", _minutes_context(request, ref))


@page(Perm.VIEW, perimeter=_perimeter(Perm.VIEW))
def review_pdf(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        ctx = _minutes_context(request, ref)
        pdf = render_pdf("review/pdf.html", ctx)
    except KeelError as exc:
        return error_page(request, exc)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{ctx["review"].ref_id}-minutes.pdf"'
    return response


# ---------------------------------------------------------------- actions


@page(Perm.VIEW)
def action_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    params = request.GET.copy()
    params.pop("page", None)
    form = ActionFilterForm(params or None, user=user)
    problem = form.problem()
    filters = form.filters()
    try:
        qs = queries.action_list(user, filters)
    except KeelError as exc:
        problem = f"{exc.message} Showing every action."
        qs = queries.action_list(user)
    page_obj = page_of(qs, PAGE_SIZE, request.GET.get("page", 1))
    ctx = {"form": form, "problem": problem, "page_obj": page_obj, "items": list(page_obj.object_list)}
    return render(request, "review/_actions.html" if is_partial(request) else "review/actions.html", ctx)


def _action_context(
    request: HttpRequest, action: ReviewAction, form: ActionStatusForm | None = None
) -> dict[str, Any]:
    user = current_user(request)
    can_edit = queries.can(user, Perm.EDIT_REVIEWS, action.review)
    if form is None and can_edit:
        form = ActionStatusForm(initial=ActionStatusForm.initial_for(action))
        form.bind_version(action)
    can_trail = queries.can_any(user, Perm.VIEW_TRAIL, action.review)
    return {
        "action": action,
        "form": form,
        "can_edit": can_edit,
        "can_trail": can_trail,
        "history": describe(queries.action_history(action), user) if can_trail else [],
    }


@require_http_methods(["GET", "POST"])
@page(Perm.VIEW, perimeter=_action_perimeter(Perm.VIEW))
def action_detail(request: HttpRequest, ref: str) -> HttpResponse:
    action = queries.action_for(current_user(request), ref)
    return render(request, "review/action.html", _action_context(request, action))


@require_POST
@page(Perm.EDIT_REVIEWS, perimeter=_action_perimeter(Perm.EDIT_REVIEWS, every=True))
def action_status(request: HttpRequest, ref: str) -> HttpResponse:
    action = queries.action_for(current_user(request), ref)
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        try:
            action = services.update_action(
                Actor.from_request(request),
                action.pk,
                expected_version=form.expected_version,
                **form.service_data(),
            )
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{action.ref_id} is {action.get_status_display().lower()}.")
            return redirect("review-action-detail", ref=action.ref_id)
    return render(request, "review/action.html", _action_context(request, action, form), status=INVALID)


@require_POST
@page(Perm.EDIT_REVIEWS, perimeter=_action_perimeter(Perm.EDIT_REVIEWS, every=True))
def action_nonconformity(request: HttpRequest, ref: str) -> HttpResponse:
    action = queries.action_for(current_user(request), ref)
    try:
        action = services.raise_nonconformity(Actor.from_request(request), action.pk)
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{action.nonconformity_ref} is raised from {action.ref_id}.")
    return redirect("review-action-detail", ref=action.ref_id)
