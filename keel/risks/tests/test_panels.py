"""Issue 13 item 4, on the demo: the AI system page lists its AI risks (with the one raised from
its impact assessment) and the impacts of its assessment; the control page lists the risks the
control treats, the SoA rows citing it and its evidence; the demo shows the risk rules of issue 12 item 4."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from keel.controls.models import Control
from keel.platform.models import User
from keel.platform.tests.shared_db import LoadedDemo
from keel.risks import queries
from keel.risks.models import Risk
from keel.soa.models import SoARow


def _admin() -> Client:
    client = Client()
    client.force_login(User.objects.get(email__startswith="admin@"))
    return client


def test_the_ai_system_page_shows_its_risks_and_impacts(demo: LoadedDemo) -> None:
    raised = Risk.objects.select_related("impact").get(
        ai_system__short_name="credit-scoring", impact__isnull=False
    )
    other = Risk.objects.filter(ai_system__short_name="credit-scoring", impact__isnull=True).first()
    assert other is not None
    page = _admin().get(reverse("ai-system-detail", args=["credit-scoring"])).content.decode()
    assert 'id="aisystem-risks"' in page and raised.ref_id in page and other.ref_id in page
    assert 'id="aisystem-impacts"' in page and raised.impact.title in page  # type: ignore[union-attr]
    # the raised risk carries the impact's measures and residual
    assert raised.treatment_plan and raised.residual_level


def test_the_control_page_shows_the_risks_it_treats_the_soa_rows_and_its_evidence(demo: LoadedDemo) -> None:
    # a control of the demo that treats an open risk, is cited by an SoA row and has evidence
    control = (
        Control.objects.filter(
            risks__status="open",
            links__requirement__soa_rows__isnull=False,
            evidence_links__isnull=False,
        )
        .order_by("ref_id")
        .distinct()
        .first()
    )
    assert control is not None
    risk = control.risks.filter(status="open").order_by("ref_id").first()
    row = (
        SoARow.objects.filter(requirement__control_links__control=control)
        .select_related("requirement")
        .first()
    )
    evidence = control.evidence.order_by("ref_id").first()
    assert risk is not None and row is not None and evidence is not None
    page = _admin().get(reverse("control-detail", args=[control.ref_id])).content.decode()
    assert 'id="control-risks"' in page and risk.ref_id in page
    assert 'id="control-soa-rows"' in page and reverse("soa-row", args=[row.pk]) in page
    assert 'id="record-ev-h"' in page and reverse("evidence-detail", args=[evidence.ref_id]) in page


def test_the_demo_shows_the_risk_rules(demo: LoadedDemo) -> None:
    closed = Risk.objects.get(status="closed")
    assert closed.close_reason and closed.closed_at
    handed = Risk.objects.get(title="Leaver keeps access to production")
    assert (
        handed.acceptance == "voided" and "owner changed" in handed.approvals.get(state="voided").void_reason
    )
    due = {d.trigger for d in queries.assessments_due(None)}
    assert {"interval", "event", "new_ai_system"} <= due
    assert all(
        r.delegate is not None
        for r in Risk.objects.filter(owner__email__startswith="priya.raman", register="ai")
    )
