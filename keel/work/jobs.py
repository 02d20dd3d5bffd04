"""``keel jobs run``: email each person a digest of what is due that they have not been told
about yet, and record what was sent (docs/work.md).

Safe every few minutes from cron or a systemd timer:

- **idempotent** — an item is sent to a person once per key (a :class:`~keel.work.reminders.Due`
  key names the due date, so a moved date is sent again); a second run finds everything
  recorded and sends nothing;
- **concurrency-safe** — each person's digest is claimed, recorded and sent inside one
  transaction holding that person's row lock (``select_for_update``), and the keys already
  sent are read again under the lock; the unique constraint on (person, key) is the last guard:
  a run that loses a race rolls back and sends nothing for that person;
- a failed email rolls its records back, so the next run tries again;
- people whose address is a placeholder (``@no-email.invalid``) or who are deactivated are
  skipped and counted; items with nobody named are counted as unassigned.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from keel.organisation.models import Organisation
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.models import User

from .choices import NotificationChannel
from .models import Notification
from .reminders import Due, due_by_source

HORIZON = dt.timedelta(days=14)


@dataclass
class PersonDigest:
    person_id: str
    name: str
    email: str
    items: list[dict[str, Any]]


@dataclass
class RunResult:
    run: str
    dry_run: bool
    today: dt.date
    people_notified: int = 0
    items_sent: int = 0
    already_sent: int = 0
    skipped_no_email: int = 0
    skipped_no_email_items: int = 0
    skipped_inactive: int = 0
    unassigned_items: int = 0
    failed: int = 0
    digests: list[PersonDigest] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def summary(self) -> str:
        verb = "would be notified" if self.dry_run else "notified"
        people = "person" if self.people_notified == 1 else "people"
        text = f"{self.people_notified} {people} {verb}, {self.items_sent} items"
        skipped = []
        if self.skipped_no_email:
            skipped.append(f"{self.skipped_no_email} skipped: no email")
        if self.skipped_inactive:
            skipped.append(f"{self.skipped_inactive} skipped: deactivated")
        if self.unassigned_items:
            skipped.append(f"{self.unassigned_items} items with nobody named")
        if self.failed:
            skipped.append(f"{self.failed} failed (retried next run)")
        return text + (", " + ", ".join(skipped) if skipped else "")

    def as_dict(self) -> dict[str, Any]:
        return {
            "run": self.run,
            "dry_run": self.dry_run,
            "today": self.today.isoformat(),
            "people_notified": self.people_notified,
            "items_sent": self.items_sent,
            "already_sent": self.already_sent,
            "skipped": {
                "no_email": self.skipped_no_email,
                "no_email_items": self.skipped_no_email_items,
                "deactivated": self.skipped_inactive,
                "unassigned_items": self.unassigned_items,
            },
            "failed": self.failed,
            "errors": self.errors,
            "people": [
                {"person": d.person_id, "name": d.name, "email": d.email, "items": d.items}
                for d in self.digests
            ],
        }


def _item(source: str, d: Due, today: dt.date) -> dict[str, Any]:
    return {
        "key": d.key,
        "source": source,
        "kind": d.kind,
        "title": d.title,
        "due": d.due.isoformat(),
        "overdue": d.overdue(today),
        "url": d.url,
    }


def digest_text(person: User, items: list[tuple[str, Due]], today: dt.date, base_url: str) -> tuple[str, str]:
    """The subject and body of one person's digest: overdue first, grouped by kind."""
    overdue = sum(1 for _, d in items if d.overdue(today))
    subject = f"Keel: {len(items)} item{'s' if len(items) != 1 else ''} due" + (
        f" ({overdue} overdue)" if overdue else ""
    )
    groups: dict[str, list[Due]] = defaultdict(list)
    for _, d in sorted(items, key=lambda p: (not p[1].overdue(today), p[1].due, p[1].kind)):
        groups[d.kind].append(d)
    lines = [f"Hello {person.display_name},", "", "These are due soon or overdue in Keel:", ""]
    for kind, dues in groups.items():
        lines.append(kind)
        for d in dues:
            when = f"OVERDUE since {d.due.isoformat()}" if d.overdue(today) else f"due {d.due.isoformat()}"
            lines.append(f"  - {d.title} — {when}" + (f" ({d.detail})" if d.detail else ""))
            lines.append(f"    {base_url}{d.url}")
        lines.append("")
    lines.append(f"Everything on your list: {base_url}/my-work/")
    lines.append("You get each item once; a new due date is a new reminder.")
    return subject, "\n".join(lines) + "\n"


def run(
    actor: Actor,
    *,
    today: dt.date | None = None,
    horizon: dt.timedelta = HORIZON,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
) -> RunResult:
    """Send every person the due items not yet sent to them (one digest each), record them."""
    today = today or timezone.localdate()
    say = progress or (lambda line: None)
    result = RunResult(run=str(uuid.uuid4()), dry_run=dry_run, today=today)
    base_url = str(getattr(settings, "KEEL_BASE_URL", "") or "http://localhost:8000").rstrip("/")
    by_person: dict[uuid.UUID, dict[str, tuple[str, Due]]] = defaultdict(dict)
    for org in Organisation.objects.order_by("pk"):
        pairs = due_by_source(org, today, horizon)
        say(f"{org}: {len(pairs)} items due by {(today + horizon).isoformat()}")
        for source, d in pairs:
            if d.person_id is None:
                result.unassigned_items += 1
                continue
            by_person[d.person_id].setdefault(d.key, (source, d))
    if not by_person:
        return result
    sent: dict[uuid.UUID, set[str]] = defaultdict(set)
    for pid, key in Notification.objects.filter(person_id__in=list(by_person)).values_list(
        "person_id", "key"
    ):
        sent[pid].add(key)
    people = User.objects.in_bulk(list(by_person))
    for pid in sorted(by_person, key=lambda p: people[p].email if p in people else ""):
        person = people.get(pid)
        pending = {k: v for k, v in by_person[pid].items() if k not in sent[pid]}
        result.already_sent += len(by_person[pid]) - len(pending)
        if person is None or not pending:
            continue
        if not person.has_email:
            result.skipped_no_email += 1
            result.skipped_no_email_items += len(pending)
            say(f"skipped {person.display_name}: no email address ({len(pending)} items)")
            continue
        if not person.is_active:
            result.skipped_inactive += 1
            say(f"skipped {person.display_name}: deactivated ({len(pending)} items)")
            continue
        if dry_run:
            _count(result, person, list(pending.values()), today)
            say(f"would send {person.email} {len(pending)} items")
            continue
        try:
            items = _send_one(actor, person, pending, today, base_url, result.run)
        except IntegrityError:
            say(f"{person.email}: another run sent these at the same time; nothing sent")
            continue
        except Exception as exc:  # an SMTP failure: the records roll back, retried next run
            result.failed += 1
            result.errors.append(f"{person.email}: {exc}")
            say(f"failed {person.email}: {exc}")
            continue
        if items:
            _count(result, person, items, today)
            say(f"sent {person.email} {len(items)} items")
    return result


def _count(result: RunResult, person: User, items: list[tuple[str, Due]], today: dt.date) -> None:
    result.people_notified += 1
    result.items_sent += len(items)
    result.digests.append(
        PersonDigest(
            str(person.pk), person.display_name, person.email, [_item(s, d, today) for s, d in items]
        )
    )


def _send_one(
    actor: Actor,
    person: User,
    pending: dict[str, tuple[str, Due]],
    today: dt.date,
    base_url: str,
    run_id: str,
) -> list[tuple[str, Due]]:
    with transaction.atomic():
        User.objects.select_for_update().only("pk").get(pk=person.pk)
        already = set(
            Notification.objects.filter(person=person, key__in=list(pending)).values_list("key", flat=True)
        )
        items = [v for k, v in pending.items() if k not in already]
        if not items:
            return []
        now = timezone.now()
        Notification.objects.bulk_create(
            [
                Notification(
                    person=person,
                    key=d.key,
                    source=source,
                    kind=d.kind,
                    title=d.title[:300],
                    url=d.url[:500],
                    due_on=d.due,
                    management_system_id=d.management_system_id,
                    channel=NotificationChannel.EMAIL,
                    address=person.email,
                    sent_at=now,
                    run=uuid.UUID(run_id),
                )
                for source, d in items
            ]
        )
        trail.record(
            actor,
            TrailAction.CREATE,
            object_type="work.notification",
            object_id=str(person.pk),
            object_repr=f"Reminders emailed to {person.display_name}",
            changes={"items": [d.key for _, d in items], "address": person.email},
        )
        subject, body = digest_text(person, items, today, base_url)
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[person.email])
    return items
