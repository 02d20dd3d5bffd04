"""The demo's management review: held, every required input frozen with figures and tagged,
decisions, one action done and one open; its minutes export as PDF."""

from __future__ import annotations

import time

from django.test import Client
from django.urls import reverse

from keel.platform.models import User
from keel.platform.tests.shared_db import LoadedDemo
from keel.review import minutes
from keel.review.choices import ReviewActionStatus, ReviewStatus
from keel.review.inputs import INPUTS
from keel.review.models import ManagementReview
from keel.site.demo import DEMO_ADMIN_EMAIL


def test_the_demo_review_is_held_with_every_input_frozen_and_its_actions(demo: LoadedDemo) -> None:
    review = ManagementReview.objects.get()
    assert review.status == ReviewStatus.APPROVED and review.frozen
    assert {ms.short_name for ms in review.management_systems.all()} == {"integrated", "research-aims"}
    items = list(review.items.order_by("position"))
    assert [i.input for i in items] == [i.key for i in INPUTS]
    for item in items:
        assert item.figures is not None and item.figures["summary"], item.input
        assert item.tag in ("both", "27001", "42001")
    by = {i.input: i.figures for i in items}
    assert by["objectives"]["facts"][0][1] >= 3  # objectives with readings
    assert by["ai_performance"]["table"]["rows"]  # per AI system
    assert by["risks"]["chart"]["bars"]
    assert review.decisions.count() == 3
    assert sorted(a.status for a in review.actions.all()) == [
        ReviewActionStatus.DONE,
        ReviewActionStatus.OPEN,
    ]


def test_a_review_generated_for_the_demo_has_live_figures_and_its_minutes_export(demo: LoadedDemo) -> None:
    review = ManagementReview.objects.get()
    start = time.perf_counter()
    shown = minutes.agenda(review)
    assert all(s.frozen for s in shown)
    client = Client()
    client.force_login(User.objects.get(email=DEMO_ADMIN_EMAIL))
    pdf = client.get(reverse("management-review-pdf", args=[review.ref_id]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    r = client.post(
        "/api/v1/management-reviews",
        {
            "management_systems": ["integrated"],
            "held_on": review.held_on.isoformat(),
            "chair": DEMO_ADMIN_EMAIL,
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    agenda = r.json()["agenda"]
    assert len(agenda) == len(INPUTS) and all(a["figures"]["summary"] for a in agenda)
    assert time.perf_counter() - start < 30
