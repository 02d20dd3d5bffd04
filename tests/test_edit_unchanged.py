"""Saving an edit page unchanged changes nothing (issue 9, "Done when"): over the demo, every
edit form of the controls, SoA, evidence, organisation, context, people and crosswalk pages
is opened and posted back with its own initial values; no trail entry is written and the
record keeps its version."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import models
from django.test import Client
from django.urls import reverse

from keel.controls.models import Control, ControlLink
from keel.evidence.choices import EvidenceStatus
from keel.evidence.models import Evidence
from keel.mapping.models import CrosswalkRelation
from keel.organisation.models import ContextIssue, InterestedParty, ManagementSystem, Organisation
from keel.platform.concurrency import version_of
from keel.platform.models import TrailEntry, User
from keel.platform.tests.shared_db import LoadedDemo
from keel.site.demo import DEMO_ADMIN_EMAIL
from keel.soa.models import SoARow
from tests.formdata import initial_post_data

# (what, records, edit url, form's name in the page context)
Case = tuple[str, Callable[[], list[models.Model]], Callable[[Any], str], str]


def _state(obj: models.Model) -> tuple[Any, ...]:
    """The version, the many-to-many values (not part of a version) and ``updated_at`` (lists
    sort by "recently changed"): all must stay as they were."""
    m2m = {f.name: sorted(str(v.pk) for v in getattr(obj, f.name).all()) for f in obj._meta.many_to_many}
    return version_of(obj), m2m, getattr(obj, "updated_at", None)


CASES: list[Case] = [
    (
        "control",
        lambda: list(Control.objects.all()),
        lambda o: reverse("control-edit", args=[o.ref_id]),
        "form",
    ),
    (
        "control link",
        lambda: list(ControlLink.objects.order_by("pk")[:25]),
        lambda o: reverse("control-link-edit", args=[o.pk]),
        "form",
    ),
    (
        "SoA row",
        lambda: list(SoARow.objects.order_by("soa_id", "sort_order")[:60]),
        lambda o: reverse("soa-row-edit", args=[o.pk]),
        "form",
    ),
    (
        "evidence",
        lambda: list(Evidence.objects.filter(status=EvidenceStatus.CURRENT)),
        lambda o: reverse("evidence-edit", args=[o.ref_id]),
        "form",
    ),
    (
        "management system",
        lambda: list(ManagementSystem.objects.all()),
        lambda o: reverse("system-edit", args=[o.short_name]),
        "form",
    ),
    (
        "interested party",
        lambda: list(InterestedParty.objects.all()),
        lambda o: reverse("party-edit", args=[o.pk]),
        "form",
    ),
    (
        "context issue",
        lambda: list(ContextIssue.objects.all()),
        lambda o: reverse("issue-edit", args=[o.pk]),
        "form",
    ),
    (
        "crosswalk relation",
        lambda: list(CrosswalkRelation.objects.filter(withdrawn_at__isnull=True).order_by("pk")[:25]),
        lambda o: reverse("crosswalk-relation-edit", args=[o.pk]),
        "form",
    ),
    (
        "person",
        lambda: list(User.objects.all()),
        lambda o: reverse("person-edit", args=[o.pk]),
        "details_form",
    ),
]


def test_given_the_demo_when_every_edit_page_is_saved_unchanged_then_nothing_changes(
    demo: LoadedDemo,
) -> None:
    # Given the demo organisation (loaded once per run, conftest.py) and its administrator
    client = Client()
    client.force_login(User.objects.get(email=DEMO_ADMIN_EMAIL))
    problems: list[str] = []
    seen: dict[str, int] = {}

    for what, records, url_of, form_name in CASES:
        for obj in records():
            url = url_of(obj)
            page = client.get(url)
            assert page.status_code == 200, f"{what} {url}: {page.status_code}"
            data = initial_post_data(page.context[form_name])
            before_trail = TrailEntry.objects.count()
            before = _state(obj)

            # When it is saved as it was opened
            response = client.post(url, data)

            # Then it is accepted, nothing is written to the trail and the record is the same
            obj.refresh_from_db()
            if response.status_code not in (200, 302) or (
                response.status_code == 200 and response.context and response.context[form_name].errors
            ):
                problems.append(f"{what} {url}: refused ({response.status_code})")
            if TrailEntry.objects.count() != before_trail:
                entry = TrailEntry.objects.order_by("-seq").first()
                problems.append(f"{what} {url}: trail entry written: {entry.payload if entry else ''}")
            if _state(obj) != before:
                problems.append(f"{what} {url}: record changed")
            seen[what] = seen.get(what, 0) + 1

    # (the organisation profile is a form on the organisation page, posted to its own address)
    org = Organisation.objects.get()
    data = initial_post_data(client.get(reverse("organisation")).context["form"])
    before_trail, before_state = TrailEntry.objects.count(), _state(org)
    response = client.post(reverse("organisation-edit"), data)
    org.refresh_from_db()
    if (
        response.status_code != 302
        or TrailEntry.objects.count() != before_trail
        or _state(org) != before_state
    ):
        problems.append(f"organisation profile: {response.status_code}, trail or record changed")

    assert all(seen.get(what, 0) > 0 for what, *_ in CASES), f"the demo lacks some records: {seen}"
    assert problems == [], "\n".join(problems)
