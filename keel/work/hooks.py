"""What keel.work registers at start-up (WorkConfig.ready): on the person page, a "Due" group
with what the person has due soon or overdue (the same list as their "my work" page)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode

from keel.platform import hooks
from keel.platform.models import User

from . import queries

DUE_KIND = "Due soon or overdue"


def owned(person: User, viewer: User | None) -> list[hooks.Owned]:
    if viewer is not None and viewer.pk != person.pk and not queries.may_see_others(viewer):
        return []
    work = queries.my_work(person, viewer)
    link = reverse("my-work") + "?" + urlencode({"person": person.email})
    out = [
        hooks.Owned(
            DUE_KIND,
            "",
            d.title,
            d.url,
            f"{d.kind}: {'overdue since' if d.overdue(work.today) else 'due'} {d.due.isoformat()}",
        )
        for d in work.overdue + work.soon
    ]
    if out:
        out.append(hooks.Owned(DUE_KIND, "", "All of it on the work page", link, ""))
    return out


def register() -> None:
    hooks.register("person.owned", owned)
