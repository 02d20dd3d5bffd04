"""Pages of the certification cycle: the overview (cycles, deadlines, audits and findings, the
auditor's requests, the integration self-assessment), one certification audit, and the small
forms that post to the services. Thin: parse, call a service, redirect with a message."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from keel.platform.actor import Actor
from keel.platform.errors import KeelError
from keel.platform.pages import error_page, page
from keel.platform.permissions import Perm, has_perm
from keel.platform.views.common import current_user

from . import integration, queries, services
from .choices import CertificationAuditStatus
from .deadlines import deadlines
from .forms import AnswerForm, AuditRecordForm, FindingForm, LinkForm, RequestForm, RequestStatusForm
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
        "request_form": RequestForm() if can_edit else None,
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


@require_POST
@page(Perm.EDIT_CERTIFICATION)
def audit_record(request: HttpRequest, ref: str) -> HttpResponse:
    back = reverse("certification-audit", args=[ref])
    form = AuditRecordForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "The audit was not recorded: " + _errors(form),
        )
        return redirect(back)
    d = form.cleaned_data
    return _done(
        request,
        f"{ref} recorded.",
        back,
        lambda: services.record_audit(
            Actor.from_request(request),
            ref,
            status=d["status"],
            actual_start=d["actual_start"],
            actual_end=d["actual_end"],
            outcome=d["outcome"] or "",
            auditors=d["auditors"],
        ),
    )


@require_POST
@page(Perm.EDIT_CERTIFICATION)
def finding_add(request: HttpRequest, ref: str) -> HttpResponse:
    back = reverse("certification-audit", args=[ref])
    form = FindingForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "The finding was not recorded: " + _errors(form),
        )
        return redirect(back)
    d = form.cleaned_data
    reqs = [k.strip() for k in d["requirements"].split(",") if k.strip()]

    def call() -> None:
        f = services.add_finding(
            Actor.from_request(request),
            ref,
            grade=d["grade"],
            title=d["title"],
            description=d["description"],
            requirements=reqs,
            owner=d["owner"] or None,
        )
        if f.nonconformity_ref:
            messages.info(request, f"{f.nonconformity_ref} was raised in the nonconformity queue.")

    return _done(request, "Finding recorded.", back, call)


@require_POST
@page(Perm.EDIT_CERTIFICATION)
def request_add(request: HttpRequest, ref: str) -> HttpResponse:
    back = reverse("certification-cycle") + f"#{ref}"
    form = RequestForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "The request was not recorded: " + _errors(form),
        )
        return redirect(back)
    d = form.cleaned_data
    return _done(
        request,
        "Request recorded.",
        back,
        lambda: services.add_request(
            Actor.from_request(request),
            ref,
            text=d["text"],
            requested_by=d["requested_by"],
            due_on=d["due_on"],
            owner=d["owner"] or None,
        ),
    )


@require_POST
@page(Perm.EDIT_CERTIFICATION)
def request_link(request: HttpRequest, ref: str) -> HttpResponse:
    back = reverse("certification-cycle") + f"#{ref}"
    form = LinkForm(request.POST, user=current_user(request))
    if not form.is_valid():
        messages.error(request, "Choose a document, evidence or control that answers the request.")
        return redirect(back)
    kind, record = form.kind_and_ref()
    return _done(
        request,
        f"{record} now answers {ref}.",
        back,
        lambda: services.link_request(Actor.from_request(request), ref, kind=kind, ref=record),
    )


@require_POST
@page(Perm.EDIT_CERTIFICATION)
def request_status(request: HttpRequest, ref: str) -> HttpResponse:
    back = reverse("certification-cycle") + f"#{ref}"
    form = RequestStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a status.")
        return redirect(back)
    status = form.cleaned_data["status"]
    return _done(
        request,
        f"{ref} is now {status}.",
        back,
        lambda: services.set_request_status(Actor.from_request(request), ref, status=status),
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
