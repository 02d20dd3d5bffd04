"""Pages of the certification cycle: the overview (cycles, deadlines, audits and findings, the
auditor's requests, the integration self-assessment), one certification audit, and the small
forms that post to the services. Thin: parse, call a service, redirect with a message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from keel.platform.actor import Actor
from keel.platform.errors import KeelError
from keel.platform.forms import add_service_error
from keel.platform.pages import error_page, page
from keel.platform.permissions import Perm, has_perm
from keel.platform.views.common import INVALID, current_user

from . import integration, queries, services
from .choices import CertificationAuditStatus
from .deadlines import deadlines
from .forms import (
    AnswerForm,
    AuditPlanForm,
    AuditRecordForm,
    CycleForm,
    FindingForm,
    LinkForm,
    RequestForm,
    RequestStatusForm,
)
from .questions import QUESTIONS


@page(Perm.VIEW)
def overview(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    today = timezone.localdate()
    audits = list(queries.audits())
    requests = list(queries.requests())
    cycles = []
    for c in queries.cycles():
        own = [a for a in audits if a.cycle_id == c.pk]
        cycles.append(
            {
                "cycle": c,
                "deadlines": deadlines(c, today, own),
                "audits": own,
                "requests": [r for r in requests if r.cycle_id == c.pk],
            }
        )
    can_edit = has_perm(user, Perm.EDIT_CERTIFICATION)
    assessment = integration.assess()
    answers = {m.question: m for a in assessment.aspects for m in a.measures if m.question}
    ctx: dict[str, Any] = {
        "cycles": cycles,
        "today": today,
        "can_edit": can_edit,
        "assessment": assessment,
        "questions": [(q, answers.get(q.key)) for q in QUESTIONS.values()],
        "link_form": LinkForm(user=user) if can_edit else None,
        "status_form": RequestStatusForm() if can_edit else None,
        "answer_form": AnswerForm() if can_edit else None,
        **nonconformity_links(),
    }
    return render(request, "certification/overview.html", ctx)


@page(Perm.VIEW)
def audit_detail(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        a = queries.audits().get(pk=services.audit(ref).pk)
    except KeelError as exc:
        return error_page(request, exc)
    can_edit = has_perm(current_user(request), Perm.EDIT_CERTIFICATION)
    initial = {
        "status": a.status,
        "actual_start": a.actual_start,
        "actual_end": a.actual_end,
        "outcome": a.outcome,
        "auditors": ", ".join(a.auditors),
    }
    ctx = {
        "audit": a,
        "cycle": a.cycle,
        "findings": list(a.findings.all()),
        "requests": list(queries.requests().filter(audit=a)),
        "can_edit": can_edit,
        "record_form": AuditRecordForm(initial=initial) if can_edit else None,
        "finding_form": FindingForm() if can_edit else None,
        "done": a.status == CertificationAuditStatus.DONE,
        **nonconformity_links(),
    }
    return render(request, "certification/audit.html", ctx)


def nonconformity_links() -> dict[str, str]:
    """Where the nonconformity queue and a nonconformity's page are (keel.improvement's pages),
    or empty strings while they are not there: the page then shows the references unlinked."""
    try:
        return {
            "nc_list": reverse("nonconformity-list"),
            "nc_prefix": reverse("nonconformity-detail", args=["NC-000"]).removesuffix("NC-000/"),
        }
    except NoReverseMatch:
        return {"nc_list": "", "nc_prefix": ""}


def _errors(form: Any) -> str:
    return "; ".join(f"{name}: {' '.join(str(m) for m in errs)}" for name, errs in form.errors.items())


def _done(request: HttpRequest, ok: str, back: str, call: Any) -> HttpResponse:
    try:
        call()
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ok)
    return redirect(back)


def _form_page(
    request: HttpRequest,
    form: Any,
    *,
    title: str,
    back: str,
    save: Callable[[dict[str, Any]], str],
    lede: str = "",
    button: str = "Save",
) -> HttpResponse:
    """One form page: GET shows ``form``; a valid POST calls ``save`` (a service call that returns
    where to go next) and redirects; invalid input or a service error is shown on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            target = save(form.cleaned_data)
        except KeelError as exc:
            add_service_error(form, exc)
            if exc.message not in form.non_field_errors():
                # the services' field messages are terse ("Before the start."): say it in full too
                form.add_error(None, exc.message)
        else:
            return redirect(target)
    ctx = {"form": form, "title": title, "back": back, "lede": lede, "button": button}
    return render(request, "certification/form.html", ctx, status=INVALID if form.errors else 200)


def _posted(request: HttpRequest) -> Any:
    """The posted data (even empty: an empty post is invalid input), or None to show the form."""
    return request.POST if request.method == "POST" else None


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request)


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_CERTIFICATION)
def cycle_new(request: HttpRequest) -> HttpResponse:
    form = CycleForm(_posted(request), user=current_user(request))

    def save(d: dict[str, Any]) -> str:
        c = services.create_cycle(_actor(request), **d)
        messages.success(request, f"{c.ref_id} recorded.")
        return reverse("certification-cycle") + f"#{c.ref_id}"

    return _form_page(
        request,
        form,
        title="New certification cycle",
        back=reverse("certification-cycle"),
        save=save,
        button="Create",
    )


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_CERTIFICATION)
def audit_new(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        c = services.cycle(ref)
    except KeelError as exc:
        return error_page(request, exc)
    form = AuditPlanForm(_posted(request))

    def save(d: dict[str, Any]) -> str:
        a = services.add_audit(_actor(request), c.pk, **d)
        messages.success(request, f"{a.ref_id} planned.")
        return reverse("certification-audit", args=[a.ref_id])

    return _form_page(
        request,
        form,
        title=f"Plan a certification audit in {c.ref_id}",
        lede=f"{c.title} · {c.certification_body}",
        back=reverse("certification-cycle") + f"#{c.ref_id}",
        save=save,
        button="Plan",
    )


def _audit_or_error(request: HttpRequest, ref: str) -> Any:
    try:
        return services.audit(ref)
    except KeelError as exc:
        return error_page(request, exc)


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_CERTIFICATION)
def audit_record(request: HttpRequest, ref: str) -> HttpResponse:
    a = _audit_or_error(request, ref)
    if isinstance(a, HttpResponse):
        return a
    initial = {
        "status": a.status,
        "actual_start": a.actual_start,
        "actual_end": a.actual_end,
        "outcome": a.outcome,
        "auditors": ", ".join(a.auditors),
    }
    form = AuditRecordForm(_posted(request), initial=initial)

    def save(d: dict[str, Any]) -> str:
        services.record_audit(
            _actor(request),
            a.pk,
            status=d["status"],
            actual_start=d["actual_start"],
            actual_end=d["actual_end"],
            outcome=d["outcome"] or "",
            auditors=d["auditors"],
        )
        messages.success(request, f"{a.ref_id} recorded.")
        return reverse("certification-audit", args=[a.ref_id])

    return _form_page(
        request,
        form,
        title=f"Record {a.ref_id} {a.get_kind_display()}",
        back=reverse("certification-audit", args=[a.ref_id]),
        save=save,
        button="Record",
    )


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_CERTIFICATION)
def finding_add(request: HttpRequest, ref: str) -> HttpResponse:
    a = _audit_or_error(request, ref)
    if isinstance(a, HttpResponse):
        return a
    form = FindingForm(_posted(request))

    def save(d: dict[str, Any]) -> str:
        f = services.add_finding(
            _actor(request),
            a.pk,
            grade=d["grade"],
            title=d["title"],
            description=d["description"],
            requirements=[k.strip() for k in d["requirements"].split(",") if k.strip()],
            owner=d["owner"] or None,
        )
        messages.success(request, "Finding recorded.")
        if f.nonconformity_ref:
            messages.info(request, f"{f.nonconformity_ref} was raised in the nonconformity queue.")
        return reverse("certification-audit", args=[a.ref_id])

    return _form_page(
        request,
        form,
        title=f"Record a finding at {a.ref_id}",
        lede="A major or minor nonconformity is raised in the nonconformity queue at once.",
        back=reverse("certification-audit", args=[a.ref_id]),
        save=save,
        button="Record the finding",
    )


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_CERTIFICATION)
def request_add(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        c = services.cycle(ref)
    except KeelError as exc:
        return error_page(request, exc)
    audits = [(a.ref_id, f"{a.ref_id} {a.get_kind_display()}") for a in c.audits.order_by("ref_id")]
    form = RequestForm(_posted(request), audits=audits)

    def save(d: dict[str, Any]) -> str:
        r = services.add_request(
            _actor(request),
            c.pk,
            text=d["text"],
            requested_by=d["requested_by"],
            due_on=d["due_on"],
            audit_ref=d["audit"] or None,
            owner=d["owner"] or None,
        )
        messages.success(request, f"{r.ref_id} recorded.")
        return reverse("certification-cycle") + f"#{r.ref_id}"

    return _form_page(
        request,
        form,
        title=f"New auditor request in {c.ref_id}",
        lede=f"{c.title} · {c.certification_body}",
        back=reverse("certification-cycle") + f"#{c.ref_id}",
        save=save,
        button="Record the request",
    )


def _request_or_error(request: HttpRequest, ref: str) -> Any:
    try:
        return services.request(ref)
    except KeelError as exc:
        return error_page(request, exc)


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_CERTIFICATION)
def request_link(request: HttpRequest, ref: str) -> HttpResponse:
    r = _request_or_error(request, ref)
    if isinstance(r, HttpResponse):
        return r
    form = LinkForm(_posted(request), user=current_user(request))

    def save(d: dict[str, Any]) -> str:
        kind, record = form.kind_and_ref()
        services.link_request(_actor(request), r.pk, kind=kind, ref=record)
        messages.success(request, f"{record} now answers {r.ref_id}.")
        return reverse("certification-cycle") + f"#{r.ref_id}"

    return _form_page(
        request,
        form,
        title=f"Answer {r.ref_id} with a record",
        lede=r.text,
        back=reverse("certification-cycle") + f"#{r.ref_id}",
        save=save,
        button="Link",
    )


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_CERTIFICATION)
def request_status(request: HttpRequest, ref: str) -> HttpResponse:
    r = _request_or_error(request, ref)
    if isinstance(r, HttpResponse):
        return r
    form = RequestStatusForm(_posted(request), initial={"status": r.status})

    def save(d: dict[str, Any]) -> str:
        services.set_request_status(_actor(request), r.pk, status=d["status"], answer=d["answer"] or None)
        messages.success(request, f"{r.ref_id} is now {d['status']}.")
        return reverse("certification-cycle") + f"#{r.ref_id}"

    return _form_page(
        request,
        form,
        title=f"Status of {r.ref_id}",
        lede=r.text,
        back=reverse("certification-cycle") + f"#{r.ref_id}",
        save=save,
        button="Set status",
    )


@require_POST
@page(Perm.EDIT_CERTIFICATION)
def integration_answer(request: HttpRequest) -> HttpResponse:
    back = reverse("certification-cycle") + "#integration"
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose an answer: yes, partly or no.")
        return redirect(back)
    d = form.cleaned_data
    return _done(
        request,
        "Answer recorded.",
        back,
        lambda: services.answer_question(
            Actor.from_request(request), question=d["question"], answer=d["answer"], note=d["note"]
        ),
    )
