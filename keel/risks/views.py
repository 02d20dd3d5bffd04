"""Pages of risk management: the register (both registers, with filters and heat-map cell
filters), the heat maps, a risk with its plan, approvals and history, create/edit forms, the
approval / exception flows, the methodology and its versions, snapshots, and the XLSX export.

Thin views: parse input with a form, check the permission with ``@page``, call a service or a
query, render. The services check again (and the approval rule — owner or named delegate —
lives only there).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from keel.organisation.models import ManagementSystem
from keel.organisation.views.trail import describe
from keel.platform import tables
from keel.platform.actor import Actor
from keel.platform.errors import KeelError, NotFound
from keel.platform.forms import add_service_error
from keel.platform.pages import page
from keel.platform.paging import page_of
from keel.platform.permissions import Perm, has_perm, system_ids_with
from keel.platform.views.common import INVALID, current_user, is_partial

from . import exports, heatmap, policies, queries, services
from .choices import AcceptanceState, ActionStatus, Register
from .defaults import default_methodology
from .forms import (
    ActionForm,
    ActionStatusForm,
    ApproveExceptionForm,
    MethodologyForm,
    RiskFilterForm,
    RiskForm,
    SnapshotForm,
    StatusForm,
)
from .models import TreatmentAction

PAGE_SIZE = 50


DUE_SHOWN = 15  # assessments due listed on the register page (the API lists them all)


def _risk_perimeter(request: HttpRequest, ref: str, **kwargs: Any) -> ManagementSystem:
    return services.get_risk(ref).management_system


def _action_perimeter(request: HttpRequest, action_id: uuid.UUID, **kwargs: Any) -> ManagementSystem:
    action = TreatmentAction.objects.select_related("risk__management_system").filter(pk=action_id).first()
    if action is None:
        raise NotFound(f"No treatment action {action_id}; it may have been removed.")
    return action.risk.management_system


def _filters(request: HttpRequest) -> tuple[RiskFilterForm, queries.RiskFilters, str]:
    params = request.GET.copy()
    params.pop("page", None)
    form = RiskFilterForm(params or None, methodology=queries.latest_methodology())
    problem = form.problem()
    return form, queries.RiskFilters(**form.valid_filters()), problem


# ---------------------------------------------------------------- the register


LIST_COLUMNS = [
    tables.Column("Risk", "ref_id"),
    tables.Column("Register"),
    tables.Column("Owner"),
    tables.Column("Inherent", "-inherent"),
    tables.Column("Treatment"),
    tables.Column("Controls"),
    tables.Column("Residual", "-residual"),
    tables.Column("Acceptance"),
    tables.Column("Review", "review_date"),
]
CSV_COLUMNS: list[tuple[str, Callable[[Any], Any]]] = [
    ("Reference", lambda r: r.ref_id),
    ("Title", lambda r: r.title),
    ("Register", lambda r: r.get_register_display()),
    ("Management system", lambda r: r.management_system.short_name),
    ("Status", lambda r: r.get_status_display()),
    ("Owner", lambda r: r.owner.email),
    ("Asset or process", lambda r: r.asset.ref_id if r.asset_id else r.process),
    ("AI system", lambda r: r.ai_system.short_name if r.ai_system_id else ""),
    ("Inherent level", lambda r: r.inherent_label),
    ("Inherent L×I", lambda r: f"{r.inherent_likelihood}×{r.inherent_impact}"),
    ("Treatment", lambda r: r.get_treatment_option_display()),
    ("Controls", lambda r: [c.ref_id for c in r.controls.all()]),
    ("Residual level", lambda r: r.residual_label),
    (
        "Residual L×I",
        lambda r: f"{r.residual_likelihood}×{r.residual_impact}" if r.residual_likelihood else "",
    ),
    ("Acceptance", lambda r: AcceptanceState(r.current_acceptance).label),
    ("Review date", lambda r: r.review_date.isoformat() if r.review_date else ""),
]


@page(Perm.VIEW)
def risk_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form, f, problem = _filters(request)
    try:
        qs = queries.risks(user, f)
    except KeelError as exc:
        problem, qs = f"{exc.message} Showing all open risks.", queries.risks(user)
        f = queries.RiskFilters()
    if tables.wants_csv(request):
        return tables.csv_response("risks.csv", CSV_COLUMNS, qs)
    page_obj = page_of(qs, PAGE_SIZE, request.GET.get("page", 1))  # the rows and their count at once
    cell = None
    if f.map and f.likelihood and f.impact:
        cell = {"map": f.map, "likelihood": f.likelihood, "impact": f.impact, "version": f.version}
    ctx = {
        "form": form,
        "problem": problem,
        "page_obj": page_obj,
        "risks": list(page_obj.object_list),
        "cell": cell,
        "can_edit": system_ids_with(user, Perm.EDIT_RISKS) != set(),
        "filtered": bool(
            form.is_bound and any(v for k, v in request.GET.items() if k not in ("page", "order"))
        ),
        "methodology": queries.latest_methodology(),
        "headers": tables.headers(request, LIST_COLUMNS, f.order, queries.ORDERS, keep_filters=not problem),
        "csv_url": tables.csv_url(request, keep_filters=not problem),
    }
    if is_partial(request):
        return render(request, "risks/_table.html", ctx)
    due = queries.assessments_due(user)
    ctx |= {"due": due[:DUE_SHOWN], "due_count": len(due), "due_more": max(0, len(due) - DUE_SHOWN)}
    return render(request, "risks/list.html", ctx)


@page(Perm.VIEW)
def risk_heatmap(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    register = request.GET.get("register", "")
    register = register if register in Register.values else ""
    methodology = queries.latest_methodology()
    version = request.GET.get("version", "")
    problem = ""
    if version:
        chosen = queries.methodologies().filter(version=int(version)).first() if version.isdigit() else None
        if chosen is None:
            problem = f"There is no methodology version {version!r}; the current one is shown."
        else:
            methodology = chosen
    maps = []
    if methodology is not None:
        base = queries.risks(user, queries.RiskFilters(register=register))
        for kind in ("inherent", "residual"):
            hm = queries.heat_map(user, kind, methodology, base)
            maps.append({"map": hm, "svg": heatmap.svg(hm, register), "legend": heatmap.legend(hm)})
    return render(
        request,
        "risks/heatmap.html",
        {
            "maps": maps,
            "problem": problem,
            "methodology": methodology,
            "register": register,
            "registers": Register.choices,
            "versions": list(queries.methodologies().values_list("version", flat=True)),
        },
    )


@page(Perm.VIEW)
def risk_export(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    _form, f, problem = _filters(request)
    if problem:  # never export something other than what the filters ask for
        messages.error(request, f"{problem} Nothing was exported.")
        return redirect(f"{reverse('risk-list')}?{request.GET.urlencode()}")
    try:
        rows = queries.export_rows(queries.risks(user, f))
    except KeelError as exc:
        messages.error(request, exc.message)
        return redirect("risk-list")
    data = exports.to_xlsx(rows, f.register)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="risks-{f.register or "all"}.xlsx"'
    return response


# ---------------------------------------------------------------- one risk


def _detail_context(request: HttpRequest, risk: Any) -> dict[str, Any]:
    user = current_user(request)
    ms = risk.management_system
    approval = queries.current_approval(risk)
    can_trail = has_perm(user, Perm.VIEW_TRAIL, ms)
    m = risk.methodology
    return {
        "risk": risk,
        "m": m,
        "inherent_label": risk.inherent_label,
        "residual_label": risk.residual_label,
        "residual_acceptable": m.acceptable(risk.residual_level) if risk.residual_level else None,
        "approval": approval,
        "lapsed": risk.current_acceptance == AcceptanceState.LAPSED,
        "approvals": list(risk.approvals.all()),
        "can_edit": has_perm(user, Perm.EDIT_RISKS, ms),
        "can_accept": policies.may_accept(user, risk),
        "can_second": policies.may_second_approve(user, risk, approval),
        "exception_form": ApproveExceptionForm(auto_id="exc-%s"),
        "action_form": ActionForm(auto_id="action-%s"),
        "can_trail": can_trail,
        "history": describe(queries.history(risk), user) if can_trail else [],
        "latest": queries.latest_methodology(),
        "action_statuses": ActionStatus.choices,
        "assessment_due": risk.assessment_due,
    }


@page(Perm.VIEW, perimeter=_risk_perimeter)
def risk_detail(request: HttpRequest, ref: str) -> HttpResponse:
    risk = queries.risk_for(current_user(request), ref)
    return render(request, "risks/detail.html", _detail_context(request, risk))


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_RISKS, anywhere=True)
def risk_create(request: HttpRequest) -> HttpResponse:
    register = request.GET.get("register") or request.POST.get("register") or Register.IS
    if register not in Register.values:
        register = Register.IS
    methodology = queries.latest_methodology()
    if methodology is None:
        messages.error(request, "Create the risk methodology first: risks are assessed under it.")
        return redirect("risk-methodology")
    if request.method == "POST":
        form = RiskForm(request.POST, register=register, methodology=methodology)
        if form.is_valid():
            data, controls = form.data_and_controls()
            ms = data.pop("management_system")
            try:
                risk = services.create_risk(
                    Actor.from_request(request),
                    register=register,
                    management_system=ms,
                    controls=controls,
                    **data,
                )
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"Risk {risk.ref_id} is recorded.")
                return redirect("risk-detail", ref=risk.ref_id)
    else:
        user = current_user(request)
        initial = {"owner": user.email}
        if register == Register.AI and request.GET.get("ai_system"):
            initial["ai_system"] = request.GET["ai_system"]  # from "assessments due": a new AI system
        form = RiskForm(register=register, methodology=methodology, initial=initial)
    return render(
        request,
        "risks/form.html",
        {
            "form": form,
            "risk": None,
            "register": register,
            "register_label": Register(register).label,
            "m": methodology,
        },
        status=INVALID if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_RISKS, perimeter=_risk_perimeter)
def risk_edit(request: HttpRequest, ref: str) -> HttpResponse:
    risk = queries.risk_for(current_user(request), ref)
    m = risk.methodology
    if request.method == "POST":
        form = RiskForm(request.POST, register=risk.register, methodology=m, editing=True)
        if form.is_valid():
            data, controls = form.data_and_controls()
            try:
                risk = services.update_risk(
                    Actor.from_request(request),
                    risk.pk,
                    controls=controls,
                    expected_version=form.expected_version,
                    **data,
                )
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                note = " The acceptance was voided by this change." if risk.acceptance == "voided" else ""
                messages.success(request, f"Risk {risk.ref_id} is saved.{note}")
                return redirect("risk-detail", ref=risk.ref_id)
    else:
        form = RiskForm(
            register=risk.register, methodology=m, editing=True, initial=RiskForm.initial_for(risk)
        )
        form.bind_version(risk)
    return render(
        request,
        "risks/form.html",
        {
            "form": form,
            "risk": risk,
            "register": risk.register,
            "register_label": risk.get_register_display(),
            "m": m,
        },
        status=INVALID if form.errors else 200,
    )


def _outcome(request: HttpRequest, ref: str, done: str, call: Any) -> HttpResponse:
    try:
        call()
    except KeelError as exc:
        messages.error(request, f"{exc.message} Nothing was changed.")
    else:
        messages.success(request, done)
    return redirect("risk-detail", ref=services.get_risk(ref).ref_id)


@require_POST
@page(Perm.ACCEPT_RISKS, perimeter=_risk_perimeter)
def risk_approve(request: HttpRequest, ref: str) -> HttpResponse:
    return _outcome(
        request,
        ref,
        "The treatment plan is approved and the residual risk accepted.",
        lambda: services.approve_risk(Actor.from_request(request), ref),
    )


@require_POST
@page(Perm.ACCEPT_RISKS, perimeter=_risk_perimeter)
def risk_exception(request: HttpRequest, ref: str) -> HttpResponse:
    form = ApproveExceptionForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "An exception needs a reason and an expiry date: "
            + " ".join(" ".join(str(x) for x in e) for e in form.errors.values())
            + " Nothing was changed.",
        )
        return redirect("risk-detail", ref=services.get_risk(ref).ref_id)
    return _outcome(
        request,
        ref,
        "The exception is requested; it is in force once a second approver approves it.",
        lambda: services.request_exception(
            Actor.from_request(request),
            ref,
            reason=form.cleaned_data["reason"],
            expires=form.cleaned_data["expires"],
        ),
    )


@require_POST
@page(Perm.EDIT_RISKS, perimeter=_risk_perimeter)
def risk_exception_approve(request: HttpRequest, ref: str) -> HttpResponse:
    return _outcome(
        request,
        ref,
        "The exception is approved: the residual risk is accepted until its expiry date.",
        lambda: services.approve_exception(Actor.from_request(request), ref),
    )


@require_POST
@page(Perm.EDIT_RISKS, perimeter=_risk_perimeter)
def risk_status(request: HttpRequest, ref: str) -> HttpResponse:
    form = StatusForm(request.POST)
    valid = form.is_valid()
    status = form.cleaned_data["status"] if valid else ""
    reason = form.cleaned_data["reason"] if valid else ""
    return _outcome(
        request,
        ref,
        f"The risk is {status or 'unchanged'}.",
        lambda: services.set_status(Actor.from_request(request), ref, status, reason),
    )


@require_POST
@page(Perm.EDIT_RISKS, perimeter=_risk_perimeter)
def action_add(request: HttpRequest, ref: str) -> HttpResponse:
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The action needs a title. Nothing was changed.")
        return redirect("risk-detail", ref=services.get_risk(ref).ref_id)
    data = dict(form.cleaned_data)
    data["owner"] = data["owner"] or None
    return _outcome(
        request,
        ref,
        "Action added to the treatment plan (a new plan version).",
        lambda: services.add_action(Actor.from_request(request), ref, **data),
    )


@require_POST
@page(Perm.EDIT_RISKS, perimeter=_action_perimeter)
def action_status(request: HttpRequest, action_id: uuid.UUID) -> HttpResponse:
    action = TreatmentAction.objects.get(pk=action_id)
    form = ActionStatusForm(request.POST)
    status = form.cleaned_data["status"] if form.is_valid() else "?"
    return _outcome(
        request,
        str(action.risk_id),
        "The action's status is updated.",
        lambda: services.update_action(Actor.from_request(request), action_id, status=status),
    )


# ---------------------------------------------------------------- methodology


@page(Perm.VIEW)
def methodology_page(request: HttpRequest) -> HttpResponse:
    versions = list(queries.methodologies())
    wanted = request.GET.get("version", "")
    shown = next((m for m in versions if str(m.version) == wanted), versions[0] if versions else None)
    return render(
        request,
        "risks/methodology.html",
        {
            "versions": versions,
            "m": shown,
            "rows": [
                {
                    "likelihood": shown.likelihood[li],
                    "cells": [
                        {"impact": shown.impact[ii], "level": shown.level(shown.matrix[li][ii])}
                        for ii in range(len(shown.impact))
                    ],
                }
                for li in range(len(shown.likelihood) - 1, -1, -1)
            ]
            if shown
            else [],
            "can_edit": has_perm(current_user(request), Perm.EDIT_RISKS),
        },
    )


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_RISKS)
def methodology_new(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = MethodologyForm(request.POST)
        if form.is_valid():
            try:
                m = services.create_methodology(Actor.from_request(request), **form.service_data())
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request,
                    f"Version {m.version} of the methodology is in force. Risks assessed earlier keep their version until re-assessed.",
                )
                return redirect("risk-methodology")
    else:
        latest = queries.latest_methodology()
        initial = MethodologyForm.initial_for(latest if latest is not None else default_methodology())
        form = MethodologyForm(initial=initial)
    return render(
        request,
        "risks/methodology_form.html",
        {"form": form, "grid": form.grid()},
        status=INVALID if form.errors else 200,
    )


# ---------------------------------------------------------------- snapshots


@page(Perm.VIEW)
def snapshot_list(request: HttpRequest) -> HttpResponse:
    return _snapshots(request, SnapshotForm())


def _snapshots(request: HttpRequest, form: SnapshotForm, status: int = 200) -> HttpResponse:
    return render(
        request,
        "risks/snapshots.html",
        {
            "snapshots": list(queries.snapshots()),
            "form": form,
            "can_take": has_perm(current_user(request), Perm.EDIT_RISKS),
        },
        status=status,
    )


@require_POST
@page(Perm.EDIT_RISKS)
def snapshot_take(request: HttpRequest) -> HttpResponse:
    form = SnapshotForm(request.POST)
    if form.is_valid():
        try:
            snap = services.take_snapshot(
                Actor.from_request(request), form.cleaned_data["register"], form.cleaned_data["cycle"]
            )
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Snapshot {snap.cycle} is taken: {snap.risk_count} risks frozen.")
            return redirect("risk-snapshot", snapshot_id=snap.pk)
    return _snapshots(request, form, INVALID)


@page(Perm.VIEW)
def snapshot_detail(request: HttpRequest, snapshot_id: uuid.UUID) -> HttpResponse:
    snap = queries.get_snapshot(snapshot_id)
    rows = queries.visible_rows(current_user(request), snap.rows)
    return render(
        request, "risks/snapshot.html", {"snap": snap, "rows": rows, "hidden": len(snap.rows) - len(rows)}
    )
