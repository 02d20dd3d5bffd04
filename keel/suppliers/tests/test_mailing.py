"""Emailing the supplier its questionnaire link: once on send, again on resend, never on rollback."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core import mail, signing
from django.db import transaction
from django.test import Client
from django.utils import timezone

from keel.platform.errors import Conflict, ValidationFailed
from keel.platform.models import TrailEntry

from .. import assessments, mailing, services
from ..models import SupplierAssessment
from ..questionnaire_content import AI_KEY
from . import factories as f

pytestmark = pytest.mark.django_db
BASE = "https://keel.example/"


@pytest.fixture
def supplier(isms: Any) -> Any:
    f.seeded()
    s = f.supplier(isms)
    services.add_contact(f.SYSTEM, s.pk, name="Ada Vendor", email="ada@vendor.example", role="Security")
    services.add_contact(f.SYSTEM, s.pk, name="Zed NoMail", email="", role="Sales")
    return s


def _contact(s: Any, name: str) -> str:
    return str(s.contacts.get(name=name).pk)


def test_send_emails_the_primary_contact_once_after_commit(
    supplier: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        a = mailing.send(f.SYSTEM, supplier.pk, AI_KEY, base_url=BASE)
    assert len(mail.outbox) == 1
    m = mail.outbox[0]
    assert m.to == ["ada@vendor.example"]
    assert a.recipient_name == "Ada Vendor"
    link = assessments.link_for(a, BASE)
    assert link.startswith("https://keel.example/supplier-answer/")
    assert link in m.body
    assert a.questionnaire.name in m.body
    assert f"{timezone.localtime(a.expires_at):%-d %B %Y}" in m.body
    assert a.ref_id in m.subject


def test_send_to_the_contact_picked(supplier: Any, django_capture_on_commit_callbacks: Any) -> None:
    services.add_contact(f.SYSTEM, supplier.pk, name="Bo Sec", email="bo@vendor.example")
    with django_capture_on_commit_callbacks(execute=True):
        mailing.send(f.SYSTEM, supplier.pk, AI_KEY, contact=_contact(supplier, "Bo Sec"))
    assert [m.to for m in mail.outbox] == [["bo@vendor.example"]]


def test_a_contact_without_email_is_refused_and_nothing_sent(
    supplier: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationFailed) as exc:
        mailing.send(f.SYSTEM, supplier.pk, AI_KEY, contact=_contact(supplier, "Zed NoMail"))
    assert "Zed NoMail has no email address" in exc.value.message
    assert "contact" in exc.value.fields
    assert mail.outbox == []
    assert not SupplierAssessment.objects.exists()


def test_no_contact_at_all_is_refused(isms: Any) -> None:
    f.seeded()
    s = f.supplier(isms, name="Lonely Ltd")
    with pytest.raises(ValidationFailed) as exc:
        mailing.send(f.SYSTEM, s.pk, AI_KEY)
    assert "has no contact" in exc.value.message
    assert not SupplierAssessment.objects.exists()


def test_no_email_on_rollback(supplier: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                mailing.send(f.SYSTEM, supplier.pk, AI_KEY)
                raise RuntimeError("boom")
        except RuntimeError:
            pass
    assert callbacks == []
    assert mail.outbox == []
    assert not SupplierAssessment.objects.exists()


def test_resend_emails_the_same_link_with_a_trail_entry(
    supplier: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        a = mailing.send(f.SYSTEM, supplier.pk, AI_KEY, base_url=BASE)
    with django_capture_on_commit_callbacks(execute=True):
        mailing.resend(f.SYSTEM, a.ref_id, BASE)
    assert len(mail.outbox) == 2
    link = assessments.link_for(a, BASE)
    assert link in mail.outbox[0].body and link in mail.outbox[1].body
    assert TrailEntry.objects.filter(object_repr__contains="link sent again").exists()


def test_resend_refused_when_expired_or_closed(supplier: Any) -> None:
    a = mailing.send(f.SYSTEM, supplier.pk, AI_KEY)
    SupplierAssessment.objects.filter(pk=a.pk).update(
        sent_at=timezone.now() - dt.timedelta(days=40), expires_at=timezone.now() - dt.timedelta(days=1)
    )
    with pytest.raises(Conflict, match="expired"):
        mailing.resend(f.SYSTEM, a.pk)
    assessments.withdraw(f.SYSTEM, a.pk)
    with pytest.raises(Conflict, match="withdrawn"):
        mailing.resend(f.SYSTEM, a.pk)


def test_api_send_and_resend(
    admin_client: Client, supplier: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        r = admin_client.post(
            "/api/v1/supplier-assessments",
            json.dumps({"supplier": supplier.ref_id, "questionnaire": AI_KEY}),
            content_type="application/json",
        )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["link"] in mail.outbox[0].body
    with django_capture_on_commit_callbacks(execute=True):
        r2 = admin_client.post(f"/api/v1/supplier-assessments/{body['ref_id']}/resend")
    assert r2.status_code == 200, r2.content
    assert r2.json()["link"] == body["link"]
    assert len(mail.outbox) == 2
    r3 = admin_client.post(
        "/api/v1/supplier-assessments",
        json.dumps(
            {
                "supplier": supplier.ref_id,
                "questionnaire": AI_KEY,
                "contact": _contact(supplier, "Zed NoMail"),
            }
        ),
        content_type="application/json",
    )
    assert r3.status_code == 422, r3.content
    assert "no email address" in r3.content.decode()
    assert len(mail.outbox) == 2


def test_page_resend(admin_client: Client, supplier: Any, django_capture_on_commit_callbacks: Any) -> None:
    a = mailing.send(f.SYSTEM, supplier.pk, AI_KEY)
    page = admin_client.get(f"/suppliers/assessments/{a.ref_id}/")
    assert b"Resend link" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        r = admin_client.post(f"/suppliers/assessments/{a.ref_id}/resend/")
    assert r.status_code == 302
    assert [m.to for m in mail.outbox] == [["ada@vendor.example"]]


def test_a_link_signed_before_the_stable_stamp_still_opens(supplier: Any) -> None:
    a = mailing.send(f.SYSTEM, supplier.pk, AI_KEY)
    old = signing.dumps(
        {"a": str(a.pk), "e": int(a.expires_at.timestamp())}, salt=assessments.SALT, compress=True
    )
    assert assessments.from_token(old).pk == a.pk
    assert assessments.token_for(a) == assessments.token_for(SupplierAssessment.objects.get(pk=a.pk))


def test_a_mail_failure_is_recorded_not_raised(
    supplier: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError("connection refused")

    monkeypatch.setattr(mailing, "send_mail", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        a = mailing.send(f.SYSTEM, supplier.pk, AI_KEY)
    assert SupplierAssessment.objects.filter(pk=a.pk).exists()
    assert TrailEntry.objects.filter(object_repr=f"{a.ref_id} link not sent to ada@vendor.example").exists()
