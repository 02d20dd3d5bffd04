"""The public answer page: a supplier answers a questionnaire through the signed, expiring link
they were sent, without an account (mounted at ``/supplier-answer/``, outside the login wall,
like policy acknowledgement links). An altered, expired or withdrawn link is refused with a page
that says which; "Save draft" keeps the answers, "Submit" sends them once; after that the link
shows "already submitted"."""

from __future__ import annotations

from typing import Any

from django.core.files import File
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from keel.platform.actor import client_ip
from keel.platform.errors import KeelError, ValidationFailed
from keel.platform.pages import PUBLIC, error_page, page

from . import assessments
from .choices import QuestionType, SupplierAssessmentStatus
from .models import SupplierAssessment


def _rows(
    a: SupplierAssessment, posted: Any = None, errors: dict[str, list[str]] | None = None
) -> list[dict[str, Any]]:
    rows = []
    for q, answer in assessments.answers_of(a):
        key = str(q.pk)
        if posted is not None and q.answer_type != QuestionType.FILE:
            value: Any = (
                posted.getlist(key) if q.answer_type == QuestionType.MULTIPLE else posted.get(key, "")
            )
        else:
            value = answer.value if answer is not None else None
        rows.append(
            {
                "q": q,
                "key": key,
                "value": value,
                "chosen": value if isinstance(value, list) else [value],
                "answer": answer,
                "errors": (errors or {}).get(key, []),
            }
        )
    return rows


@require_http_methods(["GET", "POST"])
@page(PUBLIC)
def answer_link(request: HttpRequest, token: str) -> HttpResponse:
    try:
        a = assessments.from_token(token)
    except KeelError as exc:
        return error_page(request, exc)
    errors: dict[str, list[str]] = {}
    problem = ""
    saved = ""
    posted: Any = None
    if request.method == "POST" and a.status == SupplierAssessmentStatus.SENT:
        answers: dict[str, Any] = {}
        for q in a.questionnaire.questions.all():
            key = str(q.pk)
            if q.answer_type == QuestionType.MULTIPLE:
                if f"{key}-present" in request.POST:
                    answers[key] = request.POST.getlist(key)
            elif key in request.POST:
                answers[key] = request.POST.get(key, "")
        submit = request.POST.get("action") == "submit"
        try:
            a = assessments.answer_by_link(
                token,
                answers,
                {k: v for k, v in request.FILES.items() if isinstance(v, File)},
                submit=submit,
                answered_by=request.POST.get("answered_by", "")[:200],
                ip=client_ip(request),
            )
        except ValidationFailed as exc:
            problem, errors, posted = exc.message, exc.fields or {}, request.POST
        except KeelError as exc:
            return error_page(request, exc)
        else:
            saved = "submitted" if submit else "draft"
    response = render(
        request,
        "suppliers/answer.html",
        {
            "a": a,
            "rows": _rows(a, posted, {k.removeprefix("q_"): v for k, v in errors.items()}),
            "problem": problem,
            "saved": saved,
            "answered_by": (posted or {}).get("answered_by", a.submitted_by_name)
            if posted
            else a.submitted_by_name,
            "done": a.status != SupplierAssessmentStatus.SENT,
        },
        status=422 if problem else 200,
    )
    response["Cache-Control"] = "no-store"  # the link is the credential; the page holds the answers
    return response
