"""The questionnaire pages: the list, a new questionnaire, and the editor (add, edit, reorder and
remove questions; publish). Editing a published version drafts the next one, which the editor
then shows. Questionnaires are organisation-level: editing needs ``edit_suppliers`` there."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from keel.organisation import resolvers
from keel.platform.actor import Actor
from keel.platform.errors import KeelError, NotFound
from keel.platform.forms import add_service_error
from keel.platform.pages import page
from keel.platform.permissions import Perm, has_perm
from keel.platform.views.common import INVALID, current_user

from . import queries, questionnaires
from .forms import QuestionForm, QuestionnaireForm
from .models import Question, Questionnaire


@page(Perm.VIEW)
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    return render(
        request,
        "suppliers/questionnaires.html",
        {
            "questionnaires": list(queries.questionnaire_list()),
            "can_edit": has_perm(user, Perm.EDIT_SUPPLIERS),
            "missing_seeded": not Questionnaire.objects.exists(),
        },
    )


@require_POST
@page(Perm.EDIT_SUPPLIERS)
def questionnaire_seed(request: HttpRequest) -> HttpResponse:
    try:
        created = questionnaires.seed(Actor.from_request(request))
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{len(created)} questionnaire(s) added.")
    return redirect("questionnaire-list")


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_SUPPLIERS)
def questionnaire_create(request: HttpRequest) -> HttpResponse:
    form = QuestionnaireForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            q = questionnaires.create_questionnaire(Actor.from_request(request), **form.cleaned_data)
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{q.name} is drafted: add its questions.")
            return redirect("questionnaire-detail", ref=str(q.pk))
    return render(
        request, "suppliers/questionnaire_form.html", {"form": form}, status=INVALID if form.errors else 200
    )


@page(Perm.VIEW)
def questionnaire_detail(request: HttpRequest, ref: str) -> HttpResponse:
    user = current_user(request)
    q = questionnaires.get_questionnaire(ref)
    editing = request.GET.get("edit", "")[:40]
    questions = list(q.questions.order_by("position"))
    return render(
        request,
        "suppliers/questionnaire.html",
        {
            "q": q,
            "questions": questions,
            "versions": list(queries.versions_of(q)),
            "can_edit": has_perm(user, Perm.EDIT_SUPPLIERS),
            "editing": editing,
            "edit_forms": {
                str(x.pk): QuestionForm(
                    auto_id=f"q{x.position}-%s",
                    initial={
                        "text": x.text,
                        "help": x.help,
                        "answer_type": x.answer_type,
                        "required": x.required,
                        "options": QuestionForm.options_text(x.options),
                        "weight": x.weight,
                        "reference": x.reference,
                    },
                )
                for x in questions
                if str(x.pk) == editing
            },
            "add_form": QuestionForm(auto_id="new-%s"),
        },
    )


def _after(request: HttpRequest, q: Questionnaire, was: Any, message: str) -> HttpResponse:
    if q.pk != was:
        message += f" Version {q.version} is a draft: publish it when it is ready."
    messages.success(request, message)
    return redirect("questionnaire-detail", ref=str(q.pk))


def _question_data(form: QuestionForm) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items()}


@require_POST
@page(Perm.EDIT_SUPPLIERS)
def question_add(request: HttpRequest, ref: str) -> HttpResponse:
    q = questionnaires.get_questionnaire(ref)
    form = QuestionForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "The question was not added: " + " ".join(str(e) for e in form.errors.values())
        )
        return redirect("questionnaire-detail", ref=str(q.pk))
    try:
        question = questionnaires.add_question(Actor.from_request(request), q.pk, **_question_data(form))
    except KeelError as exc:
        messages.error(request, exc.message)
        return redirect("questionnaire-detail", ref=str(q.pk))
    return _after(request, question.questionnaire, q.pk, "The question is added.")


def _question(question: str) -> Question:
    pk = resolvers.as_uuid(question)
    found = Question.objects.select_related("questionnaire").filter(pk=pk).first() if pk else None
    if found is None:
        raise NotFound("No such question.")
    return found


@require_POST
@page(Perm.EDIT_SUPPLIERS)
def question_edit(request: HttpRequest, ref: str, question: str) -> HttpResponse:
    old = _question(question)
    form = QuestionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Nothing was saved: " + " ".join(str(e) for e in form.errors.values()))
        return redirect("questionnaire-detail", ref=str(old.questionnaire_id))
    try:
        new = questionnaires.update_question(Actor.from_request(request), old.pk, _question_data(form))
    except KeelError as exc:
        messages.error(request, exc.message)
        return redirect("questionnaire-detail", ref=str(old.questionnaire_id))
    return _after(request, new.questionnaire, old.questionnaire_id, "The question is saved.")


@require_POST
@page(Perm.EDIT_SUPPLIERS)
def question_move(request: HttpRequest, ref: str, question: str) -> HttpResponse:
    old = _question(question)
    try:
        new = questionnaires.move_question(
            Actor.from_request(request), old.pk, request.POST.get("direction", "")[:10]
        )
    except KeelError as exc:
        messages.error(request, exc.message)
        return redirect("questionnaire-detail", ref=str(old.questionnaire_id))
    return _after(request, new.questionnaire, old.questionnaire_id, "The question is moved.")


@require_POST
@page(Perm.EDIT_SUPPLIERS)
def question_remove(request: HttpRequest, ref: str, question: str) -> HttpResponse:
    old = _question(question)
    try:
        q = questionnaires.remove_question(Actor.from_request(request), old.pk)
    except KeelError as exc:
        messages.error(request, exc.message)
        return redirect("questionnaire-detail", ref=str(old.questionnaire_id))
    return _after(request, q, old.questionnaire_id, "The question is removed.")


@require_POST
@page(Perm.EDIT_SUPPLIERS)
def questionnaire_publish(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        q = questionnaires.publish(Actor.from_request(request), ref)
    except KeelError as exc:
        messages.error(request, exc.message)
        return redirect("questionnaire-detail", ref=ref)
    messages.success(request, f"{q.name} version {q.version} is published: it can be sent, and is frozen.")
    return redirect("questionnaire-detail", ref=str(q.pk))
