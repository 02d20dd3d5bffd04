"""Read side of keel.work: a person's due items ("my work") and the notifications sent, shared
by the pages, the API and the CLI."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from keel.organisation import resolvers
from keel.organisation.models import Organisation
from keel.platform import filters
from keel.platform.errors import NotFound, PermissionDenied
from keel.platform.models import User
from keel.platform.permissions import Perm, has_perm

from .models import Notification
from .reminders import Due, due_by_source

HORIZON = dt.timedelta(days=14)


@dataclass
class NotificationFilters:
    """The filters of the notification list (page and API)."""

    person: str = filters.reference(label="Person", help="The person's email or id.", max_length=254)
    kind: str = filters.text(
        label="Kind",
        help="The reminder source (document_review) or its heading (Document review).",
        max_length=100,
    )
    since: dt.date | None = filters.date(label="Sent since", help="Sent on or after this day (YYYY-MM-DD).")


@dataclass
class MyWork:
    person: User
    today: dt.date
    horizon_days: int
    overdue: list[Due] = field(default_factory=list)
    soon: list[Due] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # key -> source name

    @property
    def groups(self) -> list[tuple[str, list[Due]]]:
        """(kind, items) with overdue items first in each kind; kinds with overdue items first."""
        by_kind: dict[str, list[Due]] = defaultdict(list)
        for d in self.overdue + self.soon:
            by_kind[d.kind].append(d)
        return sorted(by_kind.items(), key=lambda kv: (not kv[1][0].overdue(self.today), kv[1][0].due, kv[0]))

    @property
    def count(self) -> int:
        return len(self.overdue) + len(self.soon)


def may_see_others(viewer: User | None) -> bool:
    return has_perm(viewer, Perm.VIEW_OTHERS_WORK)


def person_for(viewer: User, ref: str | None) -> User:
    """The person whose work is shown: the viewer, or (for those allowed) the one named by
    email or id."""
    if not ref or ref in (str(viewer.pk), viewer.email):
        return viewer
    if not may_see_others(viewer):
        raise PermissionDenied("Your roles do not let you see what is due for other people.")
    person = resolvers.user_by_email(ref, "person")
    if person is None:  # pragma: no cover - a non-empty reference resolves or raises
        raise NotFound("No such person.")
    return person


def my_work(
    person: User, viewer: User | None = None, today: dt.date | None = None, horizon: dt.timedelta = HORIZON
) -> MyWork:
    """What ``person`` has due by ``today + horizon`` (overdue included), within the systems
    ``viewer`` may see (``None``: all)."""
    today = today or timezone.localdate()
    visible = resolvers.visible_system_ids(viewer) if viewer is not None else None
    out = MyWork(person=person, today=today, horizon_days=horizon.days)
    for org in Organisation.objects.order_by("pk"):
        for source, d in due_by_source(org, today, horizon):
            if d.person_id != person.pk:
                continue
            if (
                visible is not None
                and d.management_system_id is not None
                and d.management_system_id not in visible
            ):
                continue
            out.sources[d.key] = source
            (out.overdue if d.overdue(today) else out.soon).append(d)
    return out


def counts(person: User, today: dt.date | None = None) -> tuple[int, int]:
    """(overdue, due soon) for the dashboard card."""
    w = my_work(person, person, today)
    return len(w.overdue), len(w.soon)


def notifications(viewer: User | None, f: NotificationFilters | None = None) -> QuerySet[Notification]:
    """The notifications sent: all for those who may see other people's work, else one's own."""
    f = f or NotificationFilters()
    qs = Notification.objects.select_related("person").order_by("-sent_at", "due_on", "key")
    if viewer is not None and not may_see_others(viewer):
        qs = qs.filter(person=viewer)
    if f.person:
        person = resolvers.user_by_email(f.person, "person")
        qs = qs.filter(person=person)
    if f.kind:
        qs = qs.filter(Q(source=f.kind) | Q(kind__iexact=f.kind))
    if f.since:
        start = timezone.make_aware(dt.datetime.combine(f.since, dt.time.min))
        qs = qs.filter(sent_at__gte=start)
    return qs
