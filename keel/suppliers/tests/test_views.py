"""Supplier pages, and the supplier answering an AI-component questionnaire through its link
without an account (the done-when of issue 16): an expired or altered link is refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from keel.platform.choices import Role
from keel.suppliers import assessments
from keel.suppliers.choices import SupplierAssessmentStatus
from keel.suppliers.models import Supplier, SupplierAnswer

from . import factories as f

pytestmark = pytest.mark.django_db


def test_the_list_the_page_and_the_request_form(admin_client: Client, isms: Any) -> None:
    s = f.supplier(isms)
    r = admin_client.get("/suppliers/?criticality=high")
    assert r.status_code == 200 and s.name in r.content.decode()
    r = admin_client.get("/suppliers/?status=nonsense")
    assert r.status_code == 200
    r = admin_client.get(f"/suppliers/{s.ref_id}/")
    assert r.status_code == 200 and "What depends on it" in r.content.decode()
    r = admin_client.post(
        "/suppliers/new/",
        {
            "management_system": "isms",
            "name": "Payroll Cloud",
            "kind": "cloud_saas",
            "criticality": "medium",
            "review_months": 12,
        },
    )
    assert r.status_code == 302 and Supplier.objects.filter(name="Payroll Cloud").exists()
    r = admin_client.post(
        "/suppliers/new/",
        {"management_system": "isms", "name": "", "kind": "cloud_saas", "review_months": 12},
    )
    assert r.status_code == 422


def test_onboarding_from_the_page(admin_client: Client, isms: Any) -> None:
    s = f.supplier(isms)
    r = admin_client.post(f"/suppliers/{s.ref_id}/move/", {"to": "due_diligence"})
    assert r.status_code == 302
    s.refresh_from_db()
    assert s.status == "due_diligence"
    r = admin_client.post(f"/suppliers/{s.ref_id}/move/", {"to": "rejected", "reason": ""}, follow=True)
    assert "reason" in r.content.decode()
    s.refresh_from_db()
    assert s.status == "due_diligence"


def test_the_questionnaire_editor_drafts_a_new_version_of_a_published_one(
    admin_client: Client, admin: Any
) -> None:
    _, ai = f.seeded()
    assert admin_client.get("/suppliers/questionnaires/").status_code == 200
    assert admin_client.get(f"/suppliers/questionnaires/{ai.pk}/").status_code == 200
    r = admin_client.post(
        f"/suppliers/questionnaires/{ai.pk}/questions/",
        {
            "text": "Do you publish a model card?",
            "answer_type": "yes_no",
            "required": "on",
            "weight": 2,
            "options": "",
        },
    )
    assert r.status_code == 302
    draft = ai.__class__.objects.get(key=ai.key, version=2)
    assert r["Location"].endswith(f"/suppliers/questionnaires/{draft.pk}/")
    assert draft.questions.count() == ai.questions.count() + 1
    r = admin_client.post(f"/suppliers/questionnaires/{draft.pk}/publish/")
    draft.refresh_from_db()
    assert draft.published


def test_a_supplier_answers_an_ai_questionnaire_through_the_link_without_an_account(
    isms: Any, admin: Any, make_user: Any
) -> None:
    s = f.supplier(isms, name="Foundry Models", kind="model_api")
    a = f.sent(s)
    link = f"/supplier-answer/{assessments.token_for(a)}/"
    browser = Client()  # nobody logged in
    r = browser.get(link)
    assert r.status_code == 200 and "AI-component due diligence" in r.content.decode()
    assert r["Cache-Control"] == "no-store"
    questions = list(a.questionnaire.questions.order_by("position"))
    answers = f.full_answers(a)
    post: dict[str, Any] = {"answered_by": "Ada Vendor"}
    for q in questions:
        key = str(q.pk)
        if key in answers:
            post[key] = answers[key]
            if q.answer_type == "multiple":
                post[f"{key}-present"] = "1"
    # a draft first, half the answers
    half = {k: v for i, (k, v) in enumerate(post.items()) if i < 4}
    r = browser.post(link, {**half, "action": "draft"})
    assert r.status_code == 200 and "saved as a draft" in r.content.decode()
    a.refresh_from_db()
    assert a.status == SupplierAssessmentStatus.SENT and a.draft_saved_at is not None
    # submitting with a required answer missing: refused, the answers kept
    r = browser.post(link, {"answered_by": "Ada Vendor", "action": "submit"})
    assert r.status_code == 422 and "required" in r.content.decode()
    file_q = next(q for q in questions if q.answer_type == "file")
    from django.core.files.uploadedfile import SimpleUploadedFile

    post[str(file_q.pk)] = SimpleUploadedFile(
        "model-card.pdf", b"%PDF-1.7 model card", content_type="application/pdf"
    )
    r = browser.post(link, {**post, "action": "submit"})
    assert r.status_code == 200 and "your answers were submitted" in r.content.decode()
    a.refresh_from_db()
    assert (
        a.status == SupplierAssessmentStatus.ANSWERED
        and a.score is not None
        and a.submitted_by_name == "Ada Vendor"
    )
    assert SupplierAnswer.objects.get(assessment=a, question=file_q).sha256
    # after submission, the link says so and changes nothing
    r = browser.get(link)
    assert "already submitted" in r.content.decode()
    r = browser.post(link, {**{k: v for k, v in post.items() if k != str(file_q.pk)}, "action": "submit"})
    assert "already submitted" in r.content.decode()
    # an altered link is refused
    token = assessments.token_for(a)
    altered = token[:-3] + ("x" if token[-3] != "x" else "y") + token[-2:]
    r = browser.get(f"/supplier-answer/{altered}/")
    assert r.status_code == 404 and "not valid" in r.content.decode()
    # the reviewer sees the answers and the score
    reviewer = Client()
    reviewer.force_login(admin)
    r = reviewer.get(f"/suppliers/assessments/{a.ref_id}/")
    assert r.status_code == 200 and "model-card.pdf" in r.content.decode()


def test_an_expired_link_is_refused_with_a_clear_page(isms: Any) -> None:
    a = f.sent(f.supplier(isms), days=1)
    token = assessments.token_for(a)
    a.expires_at = timezone.now() - dt.timedelta(minutes=1)
    a.sent_at = a.expires_at - dt.timedelta(days=1)
    a.save()
    r = Client().get(f"/supplier-answer/{token}/")
    assert r.status_code == 403 and "expired" in r.content.decode()
    r = Client().post(f"/supplier-answer/{token}/", {"action": "draft"})
    assert r.status_code == 403


def test_a_viewer_cannot_reach_the_edit_pages(isms: Any, make_user: Any, login_client: Any) -> None:
    s = f.supplier(isms)
    viewer = login_client(make_user(Role.VIEWER, isms))
    assert viewer.get(f"/suppliers/{s.ref_id}/").status_code == 200
    assert viewer.get(f"/suppliers/{s.ref_id}/edit/").status_code == 403
    assert viewer.get("/suppliers/questionnaires/new/").status_code == 403
