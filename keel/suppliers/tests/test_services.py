"""Services of the supplier register: onboarding, contracts, reviews, questionnaires and
assessments — happy paths and every refusal (nothing changes on a refusal)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from keel.platform.choices import Role
from keel.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from keel.platform.models import TrailEntry
from keel.suppliers import assessments, questionnaires, services
from keel.suppliers.choices import SupplierAssessmentStatus, SupplierStatus
from keel.suppliers.models import Question, Questionnaire, SupplierAnswer

from . import factories as f

pytestmark = pytest.mark.django_db


def test_a_request_gets_a_reference_a_requester_and_a_trail_entry(isms: Any, make_user: Any) -> None:
    editor = make_user(Role.COMPLIANCE_MANAGER, isms)
    s = f.supplier(
        isms,
        actor=f.as_(editor),
        contacts=[{"name": "Bo Sales", "email": "bo@cumulus.example", "role": "Account manager"}],
    )
    assert s.ref_id == "SUP-001" and s.status == SupplierStatus.REQUESTED and s.requested_by == editor
    assert [c.name for c in s.contacts.all()] == ["Bo Sales"]
    assert TrailEntry.objects.filter(object_id=str(s.pk)).count() == 1
    with pytest.raises(ValidationFailed, match="kind"):
        services.request_supplier(f.SYSTEM, management_system=isms, name="No kind")
    with pytest.raises(ValidationFailed):
        f.supplier(isms, name="Bad", kind="spaceship")
    viewer = make_user(Role.VIEWER, isms)
    with pytest.raises(PermissionDenied):
        f.supplier(isms, name="Nope", actor=f.as_(viewer))


def test_the_requester_cannot_decide_a_rejection_needs_a_reason_and_a_contract_comes_before_active(
    isms: Any, make_user: Any
) -> None:
    requester = make_user(Role.COMPLIANCE_MANAGER, isms)
    approver = make_user(Role.COMPLIANCE_MANAGER, isms)
    s = f.supplier(isms, actor=f.as_(requester))
    with pytest.raises(Conflict, match="can move to due diligence"):
        services.move(f.as_(approver), s.ref_id, "approved")
    services.move(f.as_(requester), s.ref_id, "due_diligence")
    with pytest.raises(Conflict, match="cannot also decide"):
        services.move(f.as_(requester), s.ref_id, "approved")
    with pytest.raises(ValidationFailed, match="reason"):
        services.move(f.as_(approver), s.ref_id, "rejected")
    contributor = make_user(Role.CONTRIBUTOR, isms)
    with pytest.raises(PermissionDenied):
        services.move(f.as_(contributor), s.ref_id, "approved")
    s = services.move(f.as_(approver), s.ref_id, "approved", reason="Answers acceptable")
    assert s.decided_by == approver and s.decided_on == timezone.localdate()
    with pytest.raises(Conflict, match="contract"):
        services.move(f.as_(requester), s.ref_id, "active")
    f.contract(s, renewal_on=dt.date(2027, 1, 1), notice_days=90)
    s = services.move(f.as_(requester), s.ref_id, "active")
    assert s.status == SupplierStatus.ACTIVE and s.next_review_on == services.add_months(
        timezone.localdate(), 12
    )


def test_a_periodic_review_sets_the_next_one_or_ends_the_relationship(isms: Any, make_user: Any) -> None:
    user = make_user(Role.COMPLIANCE_MANAGER, isms)
    s = f.supplier(isms)
    with pytest.raises(Conflict, match="only a supplier under contract"):
        services.record_review(f.as_(user), s.ref_id, outcome="continue")
    services.move(f.SYSTEM, s.pk, "due_diligence")
    services.move(f.SYSTEM, s.pk, "approved")
    f.contract(s)
    services.move(f.SYSTEM, s.pk, "active")
    services.record_review(f.as_(user), s.ref_id, outcome="continue", reviewed_on=dt.date(2026, 3, 31))
    s.refresh_from_db()
    assert s.last_reviewed_on == dt.date(2026, 3, 31) and s.next_review_on == dt.date(2027, 3, 31)
    services.record_review(f.as_(user), s.ref_id, outcome="end", notes="Replaced")
    s.refresh_from_db()
    assert s.status == SupplierStatus.ENDED and s.next_review_on is None


def test_a_contract_refuses_dates_in_the_wrong_order_and_unknown_documents(isms: Any) -> None:
    s = f.supplier(isms)
    with pytest.raises(ValidationFailed, match="before it starts"):
        f.contract(s, ends_on=dt.date(2025, 1, 1))
    with pytest.raises(ValidationFailed, match="Unknown document"):
        f.contract(s, document="DOC-999")
    assert not s.contracts.exists()


def test_the_seeded_questionnaires_are_published_and_editing_one_drafts_the_next_version(
    org: Any, make_user: Any, isms: Any
) -> None:
    security, ai = f.seeded()
    assert security.published and ai.published and ai.questions.count() >= 10
    assert questionnaires.seed(f.SYSTEM) == []  # twice is once
    first = ai.questions.order_by("position").first()
    assert first is not None
    edited = questionnaires.update_question(f.SYSTEM, first.pk, {"text": "Which model, which version?"})
    assert edited.questionnaire.version == 2 and not edited.questionnaire.published
    first.refresh_from_db()
    assert first.text != "Which model, which version?"  # version 1 is frozen
    q2 = questionnaires.add_question(
        f.SYSTEM, ai.pk, text="Red-team results?", answer_type="yes_no", weight=2
    )
    assert q2.questionnaire_id == edited.questionnaire_id  # the same draft, not a third version
    questionnaires.move_question(f.SYSTEM, q2.pk, "up")
    q2.refresh_from_db()
    assert q2.position == q2.questionnaire.questions.count() - 1
    with pytest.raises(ValidationFailed, match="at least two"):
        questionnaires.add_question(
            f.SYSTEM, ai.pk, text="Pick", answer_type="single", options=[{"label": "A", "score": 1}]
        )
    with pytest.raises(ValidationFailed, match="no options"):
        questionnaires.add_question(
            f.SYSTEM, ai.pk, text="Free", answer_type="text", options=[{"label": "A"}]
        )
    manager_of_one_system = make_user(Role.COMPLIANCE_MANAGER, isms)
    with pytest.raises(PermissionDenied):
        questionnaires.publish(f.as_(manager_of_one_system), edited.questionnaire_id)
    published = questionnaires.publish(f.SYSTEM, edited.questionnaire_id)
    assert published.version == 2 and published.published
    with pytest.raises(Conflict, match="already published"):
        questionnaires.publish(f.SYSTEM, published.pk)


def test_a_draft_is_not_sent_and_sending_moves_a_requested_supplier_to_due_diligence(isms: Any) -> None:
    s = f.supplier(isms)
    draft = questionnaires.create_questionnaire(f.SYSTEM, key="privacy", name="Privacy", kind="other")
    with pytest.raises(Conflict, match="publish it"):
        assessments.send(f.SYSTEM, s.pk, draft.pk)
    a = f.sent(s)
    s.refresh_from_db()
    assert (
        a.ref_id == "SA-001"
        and a.status == SupplierAssessmentStatus.SENT
        and s.status == SupplierStatus.DUE_DILIGENCE
    )
    assert a.expires_at - a.sent_at == dt.timedelta(days=30)


def test_a_supplier_saves_a_draft_then_submits_once_and_the_score_is_computed(isms: Any) -> None:
    a = f.sent(f.supplier(isms, kind="model_api"))
    token = assessments.token_for(a)
    answers = f.full_answers(a)
    first_text = next(q for q in a.questionnaire.questions.all() if q.answer_type == "text")
    assessments.answer_by_link(token, {str(first_text.pk): "Draft answer"})
    a.refresh_from_db()
    assert a.status == SupplierAssessmentStatus.SENT and a.draft_saved_at is not None
    assert SupplierAnswer.objects.get(assessment=a, question=first_text).value == "Draft answer"
    with pytest.raises(ValidationFailed, match="required"):
        assessments.answer_by_link(token, {}, submit=True, answered_by="Ada")
    a.refresh_from_db()
    assert a.status == SupplierAssessmentStatus.SENT  # nothing changed
    a = assessments.answer_by_link(token, answers, submit=True, answered_by="Ada Vendor")
    assert a.status == SupplierAssessmentStatus.ANSWERED and a.score == Decimal("100.0")
    with pytest.raises(Conflict, match="already submitted"):
        assessments.answer_by_link(token, answers, submit=True, answered_by="Ada Vendor")


def test_the_score_weighs_each_answer_by_its_option(isms: Any) -> None:
    a = f.sent(f.supplier(isms))
    answers = f.full_answers(a)
    for q in a.questionnaire.questions.all():
        if q.answer_type in ("single", "yes_no"):
            answers[str(q.pk)] = min(q.options, key=lambda o: o["score"])["label"]
        if q.answer_type == "multiple":
            answers[str(q.pk)] = []
    with pytest.raises(ValidationFailed):  # the multiple-choice question is required
        assessments.answer_by_link(assessments.token_for(a), answers, submit=True, answered_by="X")
    multiple = next(q for q in a.questionnaire.questions.all() if q.answer_type == "multiple")
    answers[str(multiple.pk)] = [multiple.options[0]["label"]]  # 2 of 6
    a = assessments.answer_by_link(assessments.token_for(a), answers, submit=True, answered_by="X")
    total = sum(
        q.weight for q in a.questionnaire.questions.all() if q.answer_type in ("single", "yes_no", "multiple")
    )
    assert a.score == (Decimal(100) * multiple.weight * 2 / 6 / total).quantize(Decimal("0.1"))


def test_an_altered_or_expired_or_withdrawn_link_is_refused(isms: Any) -> None:
    a = f.sent(f.supplier(isms))
    token = assessments.token_for(a)
    with pytest.raises(NotFound, match="not valid"):
        assessments.from_token(token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1])
    a.expires_at = timezone.now() - dt.timedelta(seconds=1)
    a.sent_at = a.expires_at - dt.timedelta(days=30)
    a.save()
    with pytest.raises(PermissionDenied, match="expired"):
        assessments.from_token(assessments.token_for(a))
    with pytest.raises(PermissionDenied, match="expired"):
        assessments.answer_by_link(token, {})
    b = f.sent(f.supplier(isms, name="Other"))
    assessments.withdraw(f.SYSTEM, b.ref_id)
    with pytest.raises(PermissionDenied, match="withdrawn"):
        assessments.from_token(assessments.token_for(b))


def test_uploads_are_checked_like_evidence(isms: Any, settings: Any) -> None:
    a = f.sent(f.supplier(isms))
    file_q = next(q for q in a.questionnaire.questions.all() if q.answer_type == "file")
    token = assessments.token_for(a)
    fake = SimpleUploadedFile("card.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
    with pytest.raises(ValidationFailed, match="does not look like a PDF"):
        assessments.answer_by_link(token, {}, {str(file_q.pk): fake})
    exe = SimpleUploadedFile("card.exe", b"MZ....", content_type="application/octet-stream")
    with pytest.raises(ValidationFailed, match="upload a PDF"):
        assessments.answer_by_link(token, {}, {str(file_q.pk): exe})
    settings.KEEL_EVIDENCE_MAX_BYTES = 10
    big = SimpleUploadedFile("card.pdf", b"%PDF-1.7 " + b"x" * 100, content_type="application/pdf")
    with pytest.raises(ValidationFailed, match="limit"):
        assessments.answer_by_link(token, {}, {str(file_q.pk): big})
    settings.KEEL_EVIDENCE_MAX_BYTES = 10_000
    good = SimpleUploadedFile("card.pdf", b"%PDF-1.7 model card", content_type="application/pdf")
    assessments.answer_by_link(token, {}, {str(file_q.pk): good})
    row = SupplierAnswer.objects.get(assessment=a, question=file_q)
    assert row.filename == "card.pdf" and len(row.sha256) == 64 and row.size == len(b"%PDF-1.7 model card")


def test_review_needs_an_answered_assessment_and_not_the_sender(isms: Any, make_user: Any) -> None:
    sender = make_user(Role.COMPLIANCE_MANAGER, isms)
    reviewer = make_user(Role.COMPLIANCE_MANAGER, isms)
    a = f.sent(f.supplier(isms), actor=f.as_(sender))
    with pytest.raises(Conflict, match="only an answered"):
        assessments.review(f.as_(reviewer), a.ref_id, decision="acceptable")
    assessments.answer_by_link(assessments.token_for(a), f.full_answers(a), submit=True, answered_by="Ada")
    with pytest.raises(Conflict, match="cannot also review"):
        assessments.review(f.as_(sender), a.ref_id, decision="acceptable")
    with pytest.raises(ValidationFailed, match="conditions"):
        assessments.review(f.as_(reviewer), a.ref_id, decision="conditions")
    a = assessments.review(
        f.as_(reviewer), a.ref_id, decision="conditions", notes="Opt out of training by June"
    )
    assert a.status == SupplierAssessmentStatus.REVIEWED and a.reviewer == reviewer


def test_questions_and_answers_stay_with_their_version(isms: Any) -> None:
    a = f.sent(f.supplier(isms))
    assessments.answer_by_link(assessments.token_for(a), f.full_answers(a), submit=True, answered_by="Ada")
    q = a.questionnaire.questions.order_by("position").first()
    assert q is not None
    questionnaires.update_question(f.SYSTEM, q.pk, {"text": "Changed"})
    assert Questionnaire.objects.filter(key=a.questionnaire.key).count() == 2
    assert [x.question.questionnaire_id for x in SupplierAnswer.objects.filter(assessment=a)] == [
        a.questionnaire_id
    ] * SupplierAnswer.objects.filter(assessment=a).count()
    assert Question.objects.get(pk=q.pk).text != "Changed"
