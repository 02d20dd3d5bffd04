"""Reminders, "my work" and ``keel jobs run`` (issue 15 item 6; done when: running the job twice
in a row sends each due notification once)."""

from __future__ import annotations

import datetime as dt
import io
import json
from contextlib import redirect_stderr, redirect_stdout
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.models import NO_EMAIL_DOMAIN, TrailEntry
from keel.site.cli import main
from keel.support.models import CompetenceRecord
from keel.support.tests import factories as sf
from keel.work import jobs, queries, reminders
from keel.work.models import Notification

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("test")


@pytest.fixture
def world(isms: Any, make_user: Any) -> dict[str, Any]:
    today = timezone.localdate()
    ann = make_user(Role.CONTRIBUTOR, isms, email="ann@example.com", full_name="Ann Archer")
    ben = make_user(email=f"ben-brook@{NO_EMAIL_DOMAIN}", full_name="Ben Brook")
    overdue = sf.competence_record(isms, ann, title="Lead auditor", expires_on=today - dt.timedelta(days=3))
    soon = sf.competence_record(
        isms,
        ann,
        title="Cloud security",
        achieved_on=today - dt.timedelta(days=400),
        expires_on=today + dt.timedelta(days=5),
    )
    sf.competence_record(isms, ann, title="Far away", expires_on=today + dt.timedelta(days=90))
    sf.competence_record(isms, ben, title="First aid", expires_on=today + dt.timedelta(days=2))
    return {"ann": ann, "ben": ben, "overdue": overdue, "soon": soon, "today": today}


def test_every_source_is_registered_by_its_owning_app() -> None:
    assert {
        "document_review",
        "acknowledgement",
        "evidence_expiry",
        "risk_review",
        "risk_action",
        "impact_reassessment",
        "competence_expiry",
        "objective_reading",
        "ai_act_obligation",
    } <= set(reminders.sources())


def test_my_work_lists_the_persons_items_overdue_first_and_nothing_beyond_the_horizon(world: Any) -> None:
    work = queries.my_work(world["ann"], world["ann"])
    assert [d.title for d in work.overdue] == ["Lead auditor"]
    assert [d.title for d in work.soon] == ["Cloud security"]
    kind, items = work.groups[0]
    assert kind == "Competence expiry" and items[0].title == "Lead auditor"
    assert work.sources[work.overdue[0].key] == "competence_expiry"


def test_a_renewed_competence_record_is_no_longer_due(world: Any, isms: Any) -> None:
    sf.competence_record(
        isms, world["ann"], title="Lead auditor", expires_on=world["today"] + dt.timedelta(days=700)
    )
    assert [d.title for d in queries.my_work(world["ann"]).overdue] == []


def test_jobs_run_twice_sends_each_due_notification_once(world: Any) -> None:
    first = jobs.run(SYSTEM)
    assert (first.people_notified, first.items_sent, first.skipped_no_email) == (1, 2, 1)
    assert first.summary() == "1 person notified, 2 items, 1 skipped: no email"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ann@example.com"]
    assert "(1 overdue)" in mail.outbox[0].subject and "Lead auditor" in mail.outbox[0].body
    assert Notification.objects.filter(person=world["ann"]).count() == 2
    assert TrailEntry.objects.filter(object_type="work.notification").count() == 1

    second = jobs.run(SYSTEM)
    assert (second.people_notified, second.items_sent, second.already_sent) == (0, 0, 2)
    assert len(mail.outbox) == 1 and Notification.objects.count() == 2


def test_a_moved_due_date_is_a_new_reminder(world: Any) -> None:
    jobs.run(SYSTEM)
    CompetenceRecord.objects.filter(pk=world["soon"].pk).update(
        expires_on=world["today"] + dt.timedelta(days=6)
    )
    again = jobs.run(SYSTEM)
    assert again.items_sent == 1 and len(mail.outbox) == 2
    assert Notification.objects.filter(person=world["ann"]).count() == 3


def test_a_dry_run_sends_and_records_nothing(world: Any) -> None:
    result = jobs.run(SYSTEM, dry_run=True)
    assert result.people_notified == 1 and result.items_sent == 2
    assert mail.outbox == [] and not Notification.objects.exists()
    assert result.summary().startswith("1 person would be notified")


def test_a_failed_email_records_nothing_and_is_retried(world: Any, monkeypatch: Any) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("SMTP server unreachable")

    monkeypatch.setattr(jobs, "send_mail", broken)
    result = jobs.run(SYSTEM)
    assert result.failed == 1 and "SMTP server unreachable" in result.errors[0]
    assert not Notification.objects.exists()
    monkeypatch.undo()
    assert jobs.run(SYSTEM).items_sent == 2


def test_cli_jobs_run_prints_progress_and_the_summary_and_json(world: Any) -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    with redirect_stdout(stdout), redirect_stderr(stderr):
        assert main(["jobs", "run", "--dry-run"]) == 0
    assert stdout.getvalue().strip() == "dry run: 1 person would be notified, 2 items, 1 skipped: no email"
    assert "skipped Ben Brook: no email address" in stderr.getvalue()
    stdout = io.StringIO()
    with redirect_stdout(stdout), redirect_stderr(io.StringIO()):
        assert main(["jobs", "run", "--json"]) == 0
    data = json.loads(stdout.getvalue())
    assert data["people_notified"] == 1 and data["items_sent"] == 2 and data["skipped"]["no_email"] == 1
    assert {i["source"] for i in data["people"][0]["items"]} == {"competence_expiry"}
    stdout = io.StringIO()
    with redirect_stdout(stdout), redirect_stderr(io.StringIO()):
        assert main(["jobs", "run"]) == 0
    assert stdout.getvalue().strip() == "0 people notified, 0 items, 1 skipped: no email"
    with redirect_stderr(io.StringIO()) as err:
        assert main(["jobs", "run", "--today", "tomorrow"]) == 2
    assert "not a date" in err.getvalue()


def test_my_work_page_shows_ones_own_and_refuses_someone_elses_to_a_contributor(
    world: Any, login_client: Any, make_user: Any, isms: Any
) -> None:
    client = login_client(world["ann"])
    page = client.get("/my-work/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Lead auditor" in text and "Overdue" in text and "Far away" not in text
    assert client.get("/my-work/?person=ben-brook@" + NO_EMAIL_DOMAIN).status_code == 403
    manager = make_user(Role.COMPLIANCE_MANAGER, email="mia@example.com")
    other = login_client(manager).get("/my-work/?person=ann@example.com")
    assert other.status_code == 200 and "Work of Ann Archer" in other.content.decode()


def test_the_person_page_shows_a_due_group(world: Any, admin_client: Any) -> None:
    page = admin_client.get(f"/people/{world['ann'].pk}/")
    assert page.status_code == 200 and "Due soon or overdue" in page.content.decode()


def test_api_my_work_and_notifications(world: Any, login_client: Any, make_user: Any) -> None:
    client = login_client(world["ann"])
    body = client.get("/api/v1/my-work").json()
    assert body["person"] == "ann@example.com" and body["overdue"] == 1 and body["due_soon"] == 1
    assert body["items"][0]["source"] == "competence_expiry" and body["items"][0]["overdue"] is True
    refused = client.get("/api/v1/my-work?person=someone@example.com")
    assert refused.status_code == 403 and refused.json()["error"]["code"]
    jobs.run(SYSTEM)
    mine = client.get("/api/v1/notifications").json()
    assert mine["count"] == 2 and mine["items"][0]["person"] == "ann@example.com"
    manager = login_client(make_user(Role.COMPLIANCE_MANAGER, email="mia@example.com"))
    listed = manager.get("/api/v1/notifications?kind=competence_expiry&person=ann@example.com").json()
    assert listed["count"] == 2
    assert manager.get("/api/v1/notifications?kind=document_review").json()["count"] == 0
    assert manager.get("/api/v1/notifications?kind=Competence expiry").json()["count"] == 2
    later = (world["today"] + dt.timedelta(days=1)).isoformat()
    assert manager.get(f"/api/v1/notifications?since={later}").json()["count"] == 0


def test_cli_json_stays_parseable_with_the_console_email_backend(world: Any, settings: Any) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    stdout, stderr = io.StringIO(), io.StringIO()
    with redirect_stdout(stdout), redirect_stderr(stderr):
        assert main(["jobs", "run", "--json"]) == 0
    assert json.loads(stdout.getvalue())["items_sent"] == 2
    assert "Subject: Keel: 2 items due (1 overdue)" in stderr.getvalue()
