"""The JSON API of keel.suppliers: ``/suppliers`` (with onboarding moves, contacts, contracts and
periodic reviews), ``/questionnaires`` (with their questions) and ``/supplier-assessments``
(send, read, review, withdraw, renew the link). Thin handlers: check the permission, read with
:mod:`keel.suppliers.queries` (restricted to the caller's management systems) or call a service.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from keel.organisation.resolvers import as_uuid
from keel.platform.api import (
    Page,
    actor,
    expected_version,
    paginate,
    payload_data,
    permission,
    responses,
    with_etag,
)
from keel.platform.errors import NotFound
from keel.platform.filters import parse as filters_of
from keel.platform.permissions import Perm, check

from . import assessments, mailing, queries, questionnaires, services
from .models import Questionnaire, Supplier, SupplierAssessment, SupplierContract, SupplierReview
from .schemas import (
    QuestionIn,
    QuestionMoveIn,
    QuestionnaireIn,
    QuestionnaireListFilters,
    QuestionnaireOut,
    QuestionnairePatch,
    QuestionPatch,
    SupplierAssessmentExtendIn,
    SupplierAssessmentFilters,
    SupplierAssessmentIn,
    SupplierAssessmentOut,
    SupplierAssessmentReviewIn,
    SupplierAssessmentSentOut,
    SupplierContactIn,
    SupplierContactOut,
    SupplierContractIn,
    SupplierContractOut,
    SupplierContractPatch,
    SupplierIn,
    SupplierListFilters,
    SupplierMoveIn,
    SupplierOut,
    SupplierPatch,
    SupplierQuestionOut,
    SupplierReviewIn,
    SupplierReviewOut,
)

router = Router(tags=["suppliers"])
CONTRACTS = Prefetch("contracts", SupplierContract.objects.select_related("document", "evidence"))


def _supplier(request: HttpRequest, ref: Any) -> Supplier:
    user = actor(request).user
    found = queries.get_supplier(user, ref)
    return queries.supplier_list(user).prefetch_related("contacts", CONTRACTS).get(pk=found.pk)


def _assessment(request: HttpRequest, ref: Any) -> SupplierAssessment:
    found = assessments.get_assessment(actor(request), ref)
    return assessments.assessment_qs().prefetch_related("answers__question").get(pk=found.pk)


def _questionnaire(ref: Any) -> Questionnaire:
    found = questionnaires.get_questionnaire(ref)
    return Questionnaire.objects.prefetch_related("questions").get(pk=found.pk)


# ---------------------------------------------------------------- suppliers


@router.get(
    "/suppliers",
    response=responses(Page[SupplierOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List suppliers (of the systems the caller may read)",
)
def list_suppliers(request: HttpRequest, filters: Query[SupplierListFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    f = filters_of(queries.SupplierFilters, filters)
    qs = queries.supplier_list(who.user, f).prefetch_related(
        "contacts", "contracts__document", "contracts__evidence"
    )
    return paginate(qs, filters.limit, filters.offset)


@router.post(
    "/suppliers",
    response=responses(SupplierOut, 201),
    openapi_extra=permission(Perm.EDIT_SUPPLIERS),
    summary="Request a supplier (the caller is the requester)",
)
def create_supplier(request: HttpRequest, payload: SupplierIn) -> Status[Supplier]:
    data = payload_data(payload)
    contacts = data.pop("contacts", [])
    s = services.request_supplier(actor(request), contacts=contacts, **data)
    return Status(201, _supplier(request, s.pk))


@router.get(
    "/suppliers/{ref}",
    response=responses(SupplierOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One supplier",
)
def get_supplier(request: HttpRequest, ref: str, response: HttpResponse) -> Supplier:
    check(actor(request), Perm.VIEW)
    return with_etag(response, _supplier(request, ref))


@router.patch(
    "/suppliers/{ref}",
    response=responses(SupplierOut),
    openapi_extra=permission(Perm.EDIT_SUPPLIERS),
    summary="Change a supplier's details (If-Match or version: refused if it changed since)",
)
def update_supplier(
    request: HttpRequest, ref: str, payload: SupplierPatch, response: HttpResponse
) -> Supplier:
    data = payload_data(payload, exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    s = services.update_supplier(actor(request), _supplier(request, ref).pk, data, version=version)
    return with_etag(response, _supplier(request, s.pk))


@router.post(
    "/suppliers/{ref}/move",
    response=responses(SupplierOut),
    openapi_extra=permission(Perm.EDIT_SUPPLIERS),
    summary="An onboarding step: due diligence, approve or reject (approve_suppliers, not the requester), "
    "under contract, ended",
)
def move_supplier(request: HttpRequest, ref: str, payload: SupplierMoveIn) -> Supplier:
    s = services.move(actor(request), _supplier(request, ref).pk, payload.status, reason=payload.reason)
    return _supplier(request, s.pk)


@router.post(
    "/suppliers/{ref}/contacts",
    response=responses(SupplierContactOut, 201),
    openapi_extra=permission(Perm.EDIT_SUPPLIERS),
    summary="Add a contact at the supplier (not a Keel user)",
)
def add_contact(request: HttpRequest, ref: str, payload: SupplierContactIn) -> Status[Any]:
    return Status(
        201, services.add_contact(actor(request), _supplier(request, ref).pk, **payload_data(payload))
    )


@router.delete(
    "/suppliers/{ref}/contacts/{contact_id}",
    response=responses(None, 204),
    openapi_extra=permission(Perm.EDIT_SUPPLIERS),
    summary="Remove a contact",
)
def remove_contact(request: HttpRequest, ref: str, contact_id: str) -> Status[None]:
    services.remove_contact(actor(request), _supplier(request, ref).pk, contact_id)
    return Status(204, None)


@router.post(
    "/suppliers/{ref}/contracts",
    response=responses(SupplierContractOut, 201),
    openapi_extra=permission(Perm.EDIT_SUPPLIERS),
    summary="Record a contract (renewal date, notice period, signed copy)",
)
def add_contract(request: HttpRequest, ref: str, payload: SupplierContractIn) -> Status[SupplierContract]:
    data = {k: v for k, v in payload_data(payload).items() if v is not None}
    return Status(201, services.add_contract(actor(request), _supplier(request, ref).pk, **data))


@router.patch(
    "/suppliers/{ref}/contracts/{contract_id}",
    response=responses(SupplierContractOut),
    openapi_extra=permission(Perm.EDIT_SUPPLIERS),
    summary="Change a contract (If-Match or version: refused if it changed since)",
)
def update_contract(
    request: HttpRequest, ref: str, contract_id: str, payload: SupplierContractPatch, response: HttpResponse
) -> SupplierContract:
    s = _supplier(request, ref)
    data = payload_data(payload, exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    pk = as_uuid(contract_id)
    if pk is None or not s.contracts.filter(pk=pk).exists():
        raise NotFound(f"{s.ref_id} has no such contract.")
    return with_etag(response, services.update_contract(actor(request), contract_id, data, version=version))


@router.post(
    "/suppliers/{ref}/reviews",
    response=responses(SupplierReviewOut, 201),
    openapi_extra=permission(Perm.EDIT_SUPPLIERS),
    summary="Record a periodic review of a supplier under contract (sets the next review date)",
)
def add_review(request: HttpRequest, ref: str, payload: SupplierReviewIn) -> Status[SupplierReview]:
    review = services.record_review(
        actor(request),
        _supplier(request, ref).pk,
        outcome=payload.outcome,
        notes=payload.notes,
        reviewed_on=payload.reviewed_on,
    )
    return Status(201, review)


# ---------------------------------------------------------------- questionnaires


@router.get(
    "/questionnaires",
    response=responses(Page[QuestionnaireOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List questionnaires (the latest version of each, or every version)",
)
def list_questionnaires(request: HttpRequest, filters: Query[QuestionnaireListFilters]) -> dict[str, Any]:
    check(actor(request), Perm.VIEW)
    f = filters_of(queries.QuestionnaireFilters, filters)
    return paginate(
        queries.questionnaire_list(f).prefetch_related("questions"), filters.limit, filters.offset
    )


@router.post(
    "/questionnaires",
    response=responses(QuestionnaireOut, 201),
    openapi_extra=permission(Perm.EDIT_SUPPLIERS),
    summary="Draft a new questionnaire (version 1)",
)
def create_questionnaire(request: HttpRequest, payload: QuestionnaireIn) -> Status[Questionnaire]:
    q = questionnaires.create_questionnaire(actor(request), **payload_data(payload))
    return Status(201, _questionnaire(q.pk))


@router.get(
    "/questionnaires/{ref}",
    response=responses(QuestionnaireOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One questionnaire version (by id) or the latest version of a key",
)
def get_questionnaire(request: HttpRequest, ref: str) -> Questionnaire:
    check(actor(request), Perm.VIEW)
    return _questionnaire(ref)


@router.patch(
    "/questionnaires/{ref}",
    response=responses(QuestionnaireOut),
    openapi_extra=permission(Perm.EDIT_SUPPLIERS),
    summary="Change a questionnaire; a published version is frozen, so this drafts the next version",
)
def update_questionnaire(request: HttpRequest, ref: str, payload: QuestionnairePatch) -> Questionnaire:
    q = questionnaires.update_questionnaire(actor(request), ref, payload_data(payload, exclude_unset=True))
    return _questionnaire(q.pk)


@router.post(
    "/questionnaires/{ref}/publish",
    response=responses(QuestionnaireOut),
    openapi_extra=permission(Perm.EDIT_SUPPLIERS),
    summary="Publish a draft version (it can then be sent; it is never edited again)",
)
def publish_questionnaire(request: HttpRequest, ref: str) -> Questionnaire:
    return _questionnaire(questionnaires.publish(actor(request), ref).pk)


@router.post(
    "/questionnaires/{ref}/questions",
    response=responses(SupplierQuestionOut, 201),
    openapi_extra=permission(Perm.EDIT_SUPPLIERS),
    summary="Add a question at the end (of the next draft version when this one is published)",
)
def add_question(request: HttpRequest, ref: str, payload: QuestionIn) -> Status[Any]:
    return Status(201, questionnaires.add_question(actor(request), ref, **payload_data(payload)))


def _own_question(ref: str, question_id: str) -> None:
    q = questionnaires.get_questionnaire(ref)
    pk = as_uuid(question_id)
    if pk is None or not q.questions.filter(pk=pk).exists():
        raise NotFound(f"{q.name} version {q.version} has no such question.")


@router.patch(
    "/questionnaires/{ref}/questions/{question_id}",
    response=responses(SupplierQuestionOut),
    openapi_extra=permission(Perm.EDIT_SUPPLIERS),
    summary="Change a question (of the next draft version when this one is published)",
)
def update_question(request: HttpRequest, ref: str, question_id: str, payload: QuestionPatch) -> Any:
    _own_question(ref, question_id)
    return questionnaires.update_question(
        actor(request), question_id, payload_data(payload, exclude_unset=True)
    )


@router.post(
    "/questionnaires/{ref}/questions/{question_id}/move",
    response=responses(SupplierQuestionOut),
    openapi_extra=permission(Perm.EDIT_SUPPLIERS),
    summary="Move a question one place up or down",
)
def move_question(request: HttpRequest, ref: str, question_id: str, payload: QuestionMoveIn) -> Any:
    _own_question(ref, question_id)
    return questionnaires.move_question(actor(request), question_id, payload.direction)


@router.delete(
    "/questionnaires/{ref}/questions/{question_id}",
    response=responses(None, 204),
    openapi_extra=permission(Perm.EDIT_SUPPLIERS),
    summary="Remove a question (from the next draft version when this one is published)",
)
def remove_question(request: HttpRequest, ref: str, question_id: str) -> Status[None]:
    _own_question(ref, question_id)
    questionnaires.remove_question(actor(request), question_id)
    return Status(204, None)


# ---------------------------------------------------------------- assessments


@router.get(
    "/supplier-assessments",
    response=responses(Page[SupplierAssessmentOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List supplier assessments (of the systems the caller may read)",
)
def list_assessments(request: HttpRequest, filters: Query[SupplierAssessmentFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    f = filters_of(queries.AssessmentFilters, filters)
    qs = queries.assessment_list(who.user, f).prefetch_related("answers__question")
    return paginate(qs, filters.limit, filters.offset)


@router.post(
    "/supplier-assessments",
    response=responses(SupplierAssessmentSentOut, 201),
    openapi_extra=permission(Perm.EDIT_SUPPLIERS),
    summary="Send a published questionnaire to a supplier; the answer gives the signed link to pass on",
)
def send_assessment(request: HttpRequest, payload: SupplierAssessmentIn) -> Status[Any]:
    a = mailing.send(
        actor(request),
        _supplier(request, payload.supplier).pk,
        payload.questionnaire,
        contact=payload.contact,
        recipient_name=payload.recipient_name,
        recipient_email=payload.recipient_email,
        days=payload.days,
        base_url=request.build_absolute_uri("/"),
    )
    a = _assessment(request, a.pk)
    a.link = assessments.link_for(a, request.build_absolute_uri("/"))  # type: ignore[attr-defined]
    return Status(201, a)


@router.get(
    "/supplier-assessments/{ref}",
    response=responses(SupplierAssessmentOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One supplier assessment with its answers and score",
)
def get_assessment(request: HttpRequest, ref: str) -> SupplierAssessment:
    check(actor(request), Perm.VIEW)
    return _assessment(request, ref)


@router.post(
    "/supplier-assessments/{ref}/review",
    response=responses(SupplierAssessmentOut),
    openapi_extra=permission(Perm.APPROVE_SUPPLIERS),
    summary="Review answered assessment: a decision and notes (not by the one who sent it)",
)
def review_assessment(
    request: HttpRequest, ref: str, payload: SupplierAssessmentReviewIn
) -> SupplierAssessment:
    a = assessments.review(
        actor(request), _assessment(request, ref).pk, decision=payload.decision, notes=payload.notes
    )
    return _assessment(request, a.pk)


@router.post(
    "/supplier-assessments/{ref}/withdraw",
    response=responses(SupplierAssessmentOut),
    openapi_extra=permission(Perm.EDIT_SUPPLIERS),
    summary="Withdraw an unanswered assessment (its link answers nothing any more)",
)
def withdraw_assessment(request: HttpRequest, ref: str) -> SupplierAssessment:
    return _assessment(request, assessments.withdraw(actor(request), _assessment(request, ref).pk).pk)


@router.post(
    "/supplier-assessments/{ref}/extend",
    response=responses(SupplierAssessmentSentOut),
    openapi_extra=permission(Perm.EDIT_SUPPLIERS),
    summary="Give an unanswered assessment a new expiry; the answer gives the new link",
)
def extend_assessment(request: HttpRequest, ref: str, payload: SupplierAssessmentExtendIn) -> Any:
    a = assessments.extend(actor(request), _assessment(request, ref).pk, payload.days)
    a = _assessment(request, a.pk)
    a.link = assessments.link_for(a, request.build_absolute_uri("/"))  # type: ignore[attr-defined]
    return a


@router.post(
    "/supplier-assessments/{ref}/resend",
    response=responses(SupplierAssessmentSentOut),
    openapi_extra=permission(Perm.EDIT_SUPPLIERS),
    summary="Email the same link again to the recipient while it is unexpired",
)
def resend_assessment(request: HttpRequest, ref: str) -> Any:
    a = mailing.resend(actor(request), _assessment(request, ref).pk, request.build_absolute_uri("/"))
    a = _assessment(request, a.pk)
    a.link = assessments.link_for(a, request.build_absolute_uri("/"))  # type: ignore[attr-defined]
    return a
