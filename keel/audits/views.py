"""Pages of the internal audit programme: the audit list, a programme with its audits and its
coverage matrix, one audit with its checklist and findings, a checklist item with its sample,
the forms, status moves and the report PDF. Thin: parse, check, call a service, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from keel.organisation.views.trail import describe
from keel.platform.actor import Actor
from keel.platform.errors import KeelError, NotFound
from keel.platform.forms import add_service_error
from keel.platform.models import TrailEntry
from keel.platform.pages import error_page, page
from keel.platform.pdf import render_pdf
from keel.platform.permissions import Perm, has_perm
from keel.platform.views.common import INVALID, current_user, is_partial

from . import coverage as coverage_of
from . import queries, results, services
from .choices import AUDIT_TRANSITIONS, NONCONFORMING_GRADES, AuditStatus
from .forms import (
    AuditFilterForm,
    AuditForm,
    FindingForm,
    ItemResultForm,
    ProgrammeForm,
    RaiseForm,
    SampleDrawForm,
    SampleResultForm,
    split_keys,
)
from .models import Audit, AuditItem
from .report import report_context

PAGE_SIZE = 50
MOVE_LABELS: dict[str, str] = {
    AuditStatus.IN_PROGRESS: "Start the audit",
    AuditStatus.REPORTED: "Report the audit",
    AuditStatus.CLOSED: "Close the audit",
}


def _history(obj: Any, user: Any) -> list[Any]:
    entries = TrailEntry.objects.filter(
        Q(object_id=str(obj.pk))
        | Q(
            object_type__in=["audits.audititem", "audits.finding", "audits.auditsample"],
            object_repr__startswith=f"{obj.ref_id} ",
        )
    ).order_by("-seq")[:200]
    return describe(list(entries), user)


# ---------------------------------------------------------------- lists and programmes


@page(Perm.VIEW)
def audit_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    params = request.GET.copy()
    params.pop("page", None)
    form = AuditFilterForm(params or None, user=user)
    problem = form.problem()
    try:
        qs = queries.audits(user, form.filters())
    except KeelError as exc:
        problem, qs = f"{exc.message} Showing every audit.", queries.audits(user)
    page_obj = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page", 1))
    ctx = {
        "form": form,
        "problem": problem,
        "page_obj": page_obj,
        "items": list(page_obj.object_list),
        "programmes": list(queries.programmes(user)),
        "can_plan": has_perm(user, Perm.EDIT_AUDITS),
    }
    return render(request, "audits/_table.html" if is_partial(request) else "audits/list.html", ctx)


@page(Perm.VIEW)
def programme_detail(request: HttpRequest, ref: str) -> HttpResponse:
    user = current_user(request)
    prog = queries.programme_for(ref)
    cov = coverage_of.coverage(prog)
    ctx = {
        "programme": prog,
        "audits": list(queries.audits(user).filter(programme=prog)),
        "coverage": cov,
        "can_plan": has_perm(user, Perm.EDIT_AUDITS),
        "can_trail": has_perm(user, Perm.VIEW_TRAIL),
        "history": describe(
            list(TrailEntry.objects.filter(object_id=str(prog.pk)).order_by("-seq")[:100]), user
        ),
    }
    return render(request, "audits/programme.html", ctx)


@page(Perm.VIEW)
def programme_coverage(request: HttpRequest, ref: str) -> HttpResponse:
    prog = queries.programme_for(ref)
    cov = coverage_of.coverage(prog)
    only_gaps = request.GET.get("gaps") == "1"
    rows = [(r, r.cells(cov.years)) for r in (cov.gaps if only_gaps else cov.rows)]
    return render(
        request,
        "audits/coverage.html",
        {"programme": prog, "coverage": cov, "rows": rows, "only_gaps": only_gaps},
    )


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_AUDITS)
def programme_create(request: HttpRequest) -> HttpResponse:
    year = dt.date.today().year
    form = ProgrammeForm(
        request.POST or None,
        initial={"first_year": year, "last_year": year + 2, "standards": ["iso27001:2022", "iso42001:2023"]},
    )
    if request.method == "POST" and form.is_valid():
        try:
            prog = services.create_programme(Actor.from_request(request), **form.service_data())
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{prog.ref_id} is planned.")
            return redirect("audit-programme-detail", ref=prog.ref_id)
    return render(
        request,
        "audits/form.html",
        {"form": form, "heading": "New audit programme"},
        status=INVALID if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_AUDITS)
def programme_edit(request: HttpRequest, ref: str) -> HttpResponse:
    prog = queries.programme_for(ref)
    if request.method == "POST":
        form = ProgrammeForm(request.POST)
        if form.is_valid():
            try:
                services.update_programme(
                    Actor.from_request(request), prog.pk, version=form.expected_version, **form.service_data()
                )
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"{prog.ref_id} is saved.")
                return redirect("audit-programme-detail", ref=prog.ref_id)
    else:
        form = ProgrammeForm(initial=ProgrammeForm.initial_for(prog))
        form.bind_version(prog)
    return render(
        request,
        "audits/form.html",
        {"form": form, "heading": f"Edit {prog.ref_id}", "back": prog},
        status=INVALID if form.errors else 200,
    )


# ---------------------------------------------------------------- audits


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_AUDITS)
def audit_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = AuditForm(request.POST)
        if form.is_valid():
            data = form.service_data()
            try:
                a = services.plan_audit(
                    Actor.from_request(request), programme_ref=data.pop("programme"), **data
                )
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"{a.ref_id} is planned, with {a.items.count()} checklist items.")
                return redirect("audit-detail", ref=a.ref_id)
    else:
        form = AuditForm(initial={"programme": request.GET.get("programme", "")})
    return render(
        request,
        "audits/form.html",
        {"form": form, "heading": "Plan an audit"},
        status=INVALID if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_AUDITS)
def audit_edit(request: HttpRequest, ref: str) -> HttpResponse:
    a = queries.audit_for(current_user(request), ref)
    if request.method == "POST":
        form = AuditForm(request.POST, editing=True)
        if form.is_valid():
            try:
                services.update_audit(
                    Actor.from_request(request), a.pk, version=form.expected_version, **form.service_data()
                )
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"{a.ref_id} is saved.")
                return redirect("audit-detail", ref=a.ref_id)
    else:
        form = AuditForm(initial=AuditForm.initial_for(a), editing=True)
        form.bind_version(a)
    return render(
        request,
        "audits/form.html",
        {"form": form, "heading": f"Edit {a.ref_id}", "audit": a},
        status=INVALID if form.errors else 200,
    )


def _audit_context(request: HttpRequest, a: Audit, **extra: Any) -> dict[str, Any]:
    user = current_user(request)
    items = list(
        a.items.select_related("requirement__standard", "control")
        .prefetch_related("evidence")
        .order_by("position")
    )
    findings = list(
        a.findings.select_related("nonconformity")
        .prefetch_related("requirements__standard", "controls")
        .order_by("number")
    )
    return {
        "audit": a,
        "items": items,
        "findings": findings,
        "moves": [(to, MOVE_LABELS.get(to, "Back to in progress")) for to in AUDIT_TRANSITIONS[a.status]],
        "problems": services.report_problems(a) if a.status == AuditStatus.IN_PROGRESS else [],
        "close_problems": services.close_problems(a) if a.status == AuditStatus.REPORTED else [],
        "can_plan": has_perm(user, Perm.EDIT_AUDITS) and a.status != AuditStatus.CLOSED,
        "can_record": has_perm(user, Perm.RECORD_AUDIT_RESULTS)
        and a.status in (AuditStatus.IN_PROGRESS, AuditStatus.REPORTED),
        "finding_form": extra.get("finding_form") or FindingForm(auto_id="finding-%s"),
        "nonconforming": NONCONFORMING_GRADES,
        "raise_form": RaiseForm(auto_id=False),
        "can_trail": has_perm(user, Perm.VIEW_TRAIL),
        "history": _history(a, user) if has_perm(user, Perm.VIEW_TRAIL) else [],
    }


@page(Perm.VIEW)
def audit_detail(request: HttpRequest, ref: str) -> HttpResponse:
    a = queries.audit_for(current_user(request), ref)
    return render(request, "audits/detail.html", _audit_context(request, a))


@require_POST
@page(Perm.EDIT_AUDITS)
def audit_move(request: HttpRequest, ref: str) -> HttpResponse:
    a = queries.audit_for(current_user(request), ref)
    try:
        a = services.move_audit(Actor.from_request(request), a.pk, request.POST.get("to", ""))
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{a.ref_id} is {a.get_status_display().lower()}.")
    return redirect("audit-detail", ref=a.ref_id)


@page(Perm.VIEW)
def audit_report(request: HttpRequest, ref: str) -> HttpResponse:
    a = queries.audit_for(current_user(request), ref)
    try:
        pdf = render_pdf("audits/report.html", report_context(a))
    except KeelError as exc:
        return error_page(request, exc)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{a.ref_id}-report.pdf"'
    return response


# ---------------------------------------------------------------- checklist items and samples


def _item(request: HttpRequest, ref: str, item_id: str) -> AuditItem:
    a = queries.audit_for(current_user(request), ref)
    it = results.item(item_id)
    if it.audit_id != a.pk:
        raise NotFound(f"No such checklist item in {a.ref_id}.")
    return it


def _item_page(request: HttpRequest, it: AuditItem, status: int = 200, **forms: Any) -> HttpResponse:
    user = current_user(request)
    a = it.audit
    result_form = forms.get("result_form")
    if result_form is None:
        result_form = ItemResultForm(
            initial={
                "result": it.result,
                "notes": it.notes,
                "evidence": ", ".join(e.ref_id for e in it.evidence.all()),
            }
        )
        result_form.bind_version(it)
    today = dt.date.today()
    draw_form = forms.get("draw_form") or SampleDrawForm(
        initial={
            "period_start": it.sample_from or a.planned_start - dt.timedelta(days=90),
            "period_end": it.sample_to or a.planned_start - dt.timedelta(days=1),
            "seed": it.sample_seed if it.sample_seed is not None else int(today.strftime("%Y%m%d")),
        }
    )
    samples = list(it.samples.select_related("evidence", "tested_by").order_by("period_start"))
    sample_forms = []
    for s in samples:
        f = SampleResultForm(
            auto_id=f"sample-{s.pk}-%s",
            initial={
                "result": s.result,
                "note": s.note,
                "evidence_ref": s.evidence.ref_id if s.evidence else "",
            },
        )
        f.bind_version(s)
        sample_forms.append((s, f))
    ctx = {
        "audit": a,
        "item": it,
        "result_form": result_form,
        "draw_form": draw_form,
        "samples": sample_forms,
        "can_record": has_perm(user, Perm.RECORD_AUDIT_RESULTS)
        and a.status in (AuditStatus.IN_PROGRESS, AuditStatus.REPORTED),
    }
    return render(request, "audits/item.html", ctx, status=status)


@page(Perm.VIEW)
def item_detail(request: HttpRequest, ref: str, item_id: str) -> HttpResponse:
    return _item_page(request, _item(request, ref, item_id))


@require_POST
@page(Perm.RECORD_AUDIT_RESULTS)
def item_result(request: HttpRequest, ref: str, item_id: str) -> HttpResponse:
    it = _item(request, ref, item_id)
    form = ItemResultForm(request.POST)
    if form.is_valid():
        data = form.service_data()
        try:
            results.record_item(
                Actor.from_request(request),
                it.pk,
                result=data["result"],
                notes=data["notes"],
                evidence=split_keys(data["evidence"]),
                version=form.expected_version,
            )
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"The result of {it.subject_ref} is recorded.")
            return redirect("audit-detail", ref=it.audit.ref_id)
    return _item_page(request, it, INVALID, result_form=form)


@require_POST
@page(Perm.RECORD_AUDIT_RESULTS)
def sample_draw(request: HttpRequest, ref: str, item_id: str) -> HttpResponse:
    it = _item(request, ref, item_id)
    form = SampleDrawForm(request.POST)
    if form.is_valid():
        try:
            drawn = results.draw_sample(Actor.from_request(request), it.pk, **form.cleaned_data)
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            population = results.item(it.pk).sample_population or 0
            messages.success(request, f"{len(drawn)} of {population} occurrences drawn.")
            return redirect("audit-item", ref=it.audit.ref_id, item_id=it.pk)
    return _item_page(request, it, INVALID, draw_form=form)


@require_POST
@page(Perm.RECORD_AUDIT_RESULTS)
def sample_record(request: HttpRequest, ref: str, item_id: str, sample_id: str) -> HttpResponse:
    it = _item(request, ref, item_id)
    form = SampleResultForm(request.POST)
    if form.is_valid():
        data = form.service_data()
        try:
            s = results.sample(sample_id)
            if s.item_id != it.pk:
                raise NotFound("No such sample on this checklist item.")
            results.record_sample(
                Actor.from_request(request),
                s.pk,
                result=data["result"],
                note=data["note"],
                evidence=data["evidence_ref"] or None,
                version=form.expected_version,
            )
        except KeelError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"The sample {s.label} is recorded.")
    else:
        messages.error(request, "Choose a result for the sample.")
    return redirect("audit-item", ref=it.audit.ref_id, item_id=it.pk)


# ---------------------------------------------------------------- findings


@require_POST
@page(Perm.RECORD_AUDIT_RESULTS)
def finding_create(request: HttpRequest, ref: str) -> HttpResponse:
    a = queries.audit_for(current_user(request), ref)
    form = FindingForm(request.POST, auto_id="finding-%s")
    if form.is_valid():
        data = form.service_data()
        try:
            f = results.add_finding(Actor.from_request(request), a.pk, **data)
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{f.ref} is recorded on {a.ref_id}.")
            return redirect("audit-detail", ref=a.ref_id)
    return render(
        request, "audits/detail.html", _audit_context(request, a, finding_form=form), status=INVALID
    )


@require_POST
@page(Perm.RECORD_AUDIT_RESULTS)
def finding_raise(request: HttpRequest, ref: str, number: int) -> HttpResponse:
    a = queries.audit_for(current_user(request), ref)
    form = RaiseForm(request.POST)
    owner = form.cleaned_data["owner"] if form.is_valid() else None
    try:
        f = results.raise_finding(Actor.from_request(request), a.pk, f"F-{number}", owner=owner or None)
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{f.ref} is raised as nonconformity {f.nonconformity_ref}.")
    return redirect("audit-detail", ref=a.ref_id)
