"""Pages of the gap analysis: the analysis (pick a target and a management system; figures,
requirements with status badges, status filter), the drill-down of one requirement (chains
drawn step by step, extension notes, templates to close a gap, the confirm/correct form via
htmx), exports and the draft SoA. Thin: queries and services do the work."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from keel.organisation import resolvers as organisation_resolvers
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.errors import KeelError
from keel.platform.models import TrailEntry
from keel.platform.pages import page
from keel.platform.permissions import Perm, has_perm, system_ids_with
from keel.platform.views.common import current_user, is_partial

from . import exports, queries, services
from .choices import CoverageStatus
from .models import ScopeConfirmation

STATUS_LABELS = dict(CoverageStatus.choices)
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "json": "application/json",
}
FIGURE_HELP = {
    "covered": "Requirements with at least one full chain, or confirmed covered by a person.",
    "partial": "Requirements reached only by partial chains (or confirmed partly covered).",
    "gap": "Requirements no chain reaches (or confirmed as gaps).",
    "not_applicable": "Excluded in the SoA, or confirmed not applicable by a person.",
    "coverage_ratio": "covered ÷ applicable (applicable = all requirements − not applicable).",
    "partial_ratio": "partial ÷ applicable.",
    "backbone_reuse": "Applicable clauses 4–10 covered through the same harmonised-structure clause of "
    "another standard ÷ applicable clauses 4–10.",
}


def _ms(request: HttpRequest, ms_id: uuid.UUID, **_: Any) -> ManagementSystem:
    ms = ManagementSystem.objects.filter(pk=ms_id).first()
    if ms is None:
        raise Http404(f"No management system {ms_id}.")
    return ms


def _choices(request: HttpRequest) -> tuple[list[ManagementSystem], list[Any]]:
    visible = system_ids_with(current_user(request), Perm.VIEW)
    qs = ManagementSystem.objects.prefetch_related("standards").order_by("name")
    if visible is not None:
        qs = qs.filter(pk__in=visible)
    systems = list(qs)
    standards = sorted({s for ms in systems for s in ms.standards.all()}, key=lambda s: s.key)
    return systems, standards


def _report(target: str, ms: ManagementSystem) -> queries.GapReport:
    standard, ms = queries.resolve(target, str(ms.pk))
    return queries.report(standard, ms)


def _history(ms: ManagementSystem, key: str) -> list[dict[str, Any]]:
    """The decisions taken on one requirement, newest first, from the audit trail."""
    out = []
    for e in TrailEntry.objects.filter(
        management_system_id=ms.pk, object_repr=f"Gap decision {key}"[:255]
    ).order_by("-seq")[:20]:
        changes = json.loads(e.payload).get("changes", {})
        status = changes.get("confirmed_status")
        out.append(
            {
                "at": e.at,
                "who": e.actor_label,
                "action": e.action,
                "status": status[1] if isinstance(status, list) else None,
                "reason": (changes.get("reason") or [None, None])[1]
                if isinstance(changes.get("reason"), list)
                else None,
            }
        )
    return out


def _detail_context(request: HttpRequest, rep: queries.GapReport, key: str) -> dict[str, Any]:
    r = rep.result(key)
    return {
        "history": _history(rep.management_system, key),
        "rep": rep,
        "r": r,
        "ms": rep.management_system,
        "status_labels": STATUS_LABELS,
        "chains": [queries.chain_view(c, rep.nodes) for c in r.inference.chains],
        "pending": [queries.chain_view(c, rep.nodes) for c in r.inference.pending],
        "stopped": [queries.chain_view(c, rep.nodes) for c in r.inference.stopped],
        "confirmations": list(
            ScopeConfirmation.objects.filter(
                management_system=rep.management_system, requirement_id=r.node.id
            )
            .select_related("control", "confirmed_by")
            .order_by("control__ref_id")
        ),
        "system_label": queries.system_label(rep.target),
        "size_meaning": queries.SIZE_MEANING,
        "can_decide": has_perm(current_user(request), Perm.EDIT_SOA, rep.management_system),
        "statuses": CoverageStatus.choices,
    }


@page(Perm.VIEW, anywhere=True)
def gap_analysis(request: HttpRequest) -> HttpResponse:
    systems, standards = _choices(request)
    user = current_user(request)
    target = request.GET.get("target", "").strip()
    ms_ref = request.GET.get("management_system", "").strip()
    if not target and any(s.key == "iso42001:2023" for s in standards):
        target = "iso42001:2023"
    ms = next((m for m in systems if str(m.pk) == ms_ref or m.short_name == ms_ref), None)
    if ms is None and not ms_ref and target:
        covering = [m for m in systems if any(s.key == target for s in m.standards.all())]
        ms = covering[0] if covering else None  # the first by name; the form switches
    ctx: dict[str, Any] = {
        "systems": systems,
        "standards": standards,
        "target": target,
        "ms": ms,
        "status_labels": STATUS_LABELS,
        "statuses": CoverageStatus.choices,
        "status_filter": request.GET.get("status", ""),
        "problem": "",
    }
    if ms is not None and target:
        try:
            rep = _report(target, ms)
        except KeelError as exc:
            ctx["problem"] = exc.message
        else:
            summary = rep.summary()
            ctx.update(
                rep=rep,
                summary=summary,
                details=rep.details(),
                figures=[
                    (
                        k,
                        summary[k],
                        FIGURE_HELP[k],
                        queries.FIGURE_LABELS[k],
                        queries.figure_text(k, summary[k]),
                    )
                    for k in FIGURE_HELP
                ],
                results=[
                    r for r in rep.results if not ctx["status_filter"] or r.status == ctx["status_filter"]
                ],
                can_draft=has_perm(user, Perm.EDIT_SOA, ms) and has_perm(user, Perm.EDIT_CONTROLS, ms),
            )
    elif ms_ref and ms is None:  # unknown, or outside the viewer's perimeter: the same answer
        ctx["problem"] = f"{organisation_resolvers.UNKNOWN_SYSTEM} Choose one of the systems listed."
    if is_partial(request) and "rep" in ctx:
        return render(request, "gap/_table.html", ctx)
    return render(request, "gap/analysis.html", ctx, status=422 if ctx["problem"] else 200)


@page(Perm.VIEW, perimeter=_ms)
def gap_requirement(request: HttpRequest, ms_id: uuid.UUID, key: str) -> HttpResponse:
    ms = _ms(request, ms_id)
    standard = next((s for s in ms.standards.all() if key.startswith(s.key + ":")), None)
    if standard is None:
        raise Http404(f"{key} is not in a standard of {ms.name}.")
    try:
        ctx = _detail_context(request, queries.report(standard, ms), key)
    except KeelError as exc:
        raise Http404(exc.message) from None
    template = "gap/_detail.html" if is_partial(request) else "gap/requirement.html"
    return render(request, template, ctx)


@require_POST
@page(Perm.EDIT_SOA, perimeter=_ms)
def gap_decide(request: HttpRequest, ms_id: uuid.UUID, key: str) -> HttpResponse:
    ms = _ms(request, ms_id)
    who = Actor.from_request(request)
    error = ""
    try:
        if request.POST.get("clear"):
            services.clear_decision(who, ms, key)
        else:
            services.decide(who, ms, key, request.POST.get("status", ""), request.POST.get("reason", ""))
    except KeelError as exc:
        error = exc.message
    if not is_partial(request):
        if error:
            messages.error(request, error)
        else:
            messages.success(request, f"The decision on {key} is saved.")
        return redirect(reverse("gap-requirement", args=[ms.pk, key]))
    standard = next((s for s in ms.standards.all() if key.startswith(s.key + ":")), None)
    if standard is None:
        raise Http404(f"{key} is not in a standard of {ms.name}.")
    try:
        ctx = _detail_context(request, queries.report(standard, ms), key)
    except KeelError as exc:
        raise Http404(exc.message) from None
    ctx.update(error=error, just_saved=not error, reason=request.POST.get("reason", "") if error else "")
    return render(request, "gap/_detail.html", ctx)


@require_POST
@page(Perm.EDIT_SOA, perimeter=_ms)
def gap_scope(request: HttpRequest, ms_id: uuid.UUID, key: str) -> HttpResponse:
    """Confirm (or, with ``withdraw``, remove) that a control's scope includes the target's
    management system for this harmonised clause."""
    ms = _ms(request, ms_id)
    who = Actor.from_request(request)
    control = request.POST.get("control", "")
    error = ""
    try:
        if request.POST.get("withdraw"):
            services.withdraw_scope(who, ms, control, key)
        else:
            services.confirm_scope(who, ms, control, key, request.POST.get("note", ""))
    except KeelError as exc:
        error = exc.message
    if not is_partial(request):
        if error:
            messages.error(request, error)
        else:
            messages.success(request, f"The scope confirmation of {control} for {key} is saved.")
        return redirect(reverse("gap-requirement", args=[ms.pk, key]))
    standard = next((s for s in ms.standards.all() if key.startswith(s.key + ":")), None)
    if standard is None:
        raise Http404(f"{key} is not in a standard of {ms.name}.")
    try:
        ctx = _detail_context(request, queries.report(standard, ms), key)
    except KeelError as exc:
        raise Http404(exc.message) from None
    ctx.update(error=error, just_saved=not error)
    return render(request, "gap/_detail.html", ctx)


@page(Perm.VIEW, perimeter=_ms)
def gap_export(request: HttpRequest, ms_id: uuid.UUID) -> HttpResponse:
    ms = _ms(request, ms_id)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in CONTENT_TYPES:
        return render(
            request,
            "platform/error.html",
            {"status": 400, "title": "Unknown format", "message": "Export as xlsx, pdf or json."},
            status=400,
        )
    try:
        rep = _report(request.GET.get("target", ""), ms)
        data = exports.export(rep, fmt)
    except KeelError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("gap-analysis") + f"?management_system={ms.pk}")
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    name = f"gap-{ms.short_name}-{rep.target.key.replace(':', '-')}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_POST
@page(Perm.EDIT_SOA, perimeter=_ms)
def gap_draft_soa(request: HttpRequest, ms_id: uuid.UUID) -> HttpResponse:
    ms = _ms(request, ms_id)
    target = request.POST.get("target", "")
    try:
        result = services.draft_soa(Actor.from_request(request), ms, target)
    except KeelError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("gap-analysis") + f"?management_system={ms.pk}&target={target}")
    messages.success(
        request,
        f"Draft SoA written: {len(result['rows_written'])} rows with machine-written reasons to review, "
        f"{len(result['links_added'])} control links added, {len(result['rows_kept'])} rows a person had "
        "written left as they were. Review each flagged row before approving.",
    )
    return redirect("soa-detail", result["soa_id"])
