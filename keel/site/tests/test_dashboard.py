"""The readiness dashboard: its counts agree with the pages they summarise (SoA, gap analysis,
risk register), the first-run checklist ticks itself, "due for me" lists what waits on the
person looking, and the query count stays fixed as management systems and records are added."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from keel.gap import queries as gap_queries
from keel.organisation.models import ManagementSystem, Organisation
from keel.organisation.tests.factories import ManagementSystemFactory
from keel.platform.choices import Role
from keel.platform.models import User
from keel.platform.tests.query_counts import queries_of
from keel.platform.tests.shared_db import LoadedDemo
from keel.risks import queries as risks_queries
from keel.risks.choices import RiskStatus
from keel.risks.models import Risk
from keel.site import readiness
from keel.site.demo import DEMO_ADMIN_EMAIL
from keel.soa import queries as soa_queries
from keel.soa.choices import SoAStatus
from keel.soa.models import StatementOfApplicability


def _demo_client() -> tuple[Client, User]:
    user = User.objects.get(email=DEMO_ADMIN_EMAIL)
    client = Client()
    client.force_login(user)
    return client, user


def test_soa_readiness_counts_are_the_status_counts_of_each_soa(demo: LoadedDemo) -> None:
    # Given the demo's SoAs, when their readiness is counted in one go
    soas = list(StatementOfApplicability.objects.all())
    assert len(soas) >= 2
    counts = soa_queries.readiness_counts(soas)
    # Then each equals the counts the SoA page shows (rows() then status_counts())
    for soa in soas:
        assert counts[soa.pk] == soa_queries.status_counts(soa_queries.rows(soa))


def test_gap_status_counts_are_the_counts_of_each_gap_report(demo: LoadedDemo) -> None:
    pairs = [(ms, std) for ms in ManagementSystem.objects.all() for std in ms.standards.all()]
    counts = gap_queries.status_counts(pairs)
    for ms, std in pairs:
        assert counts[(ms.pk, std.pk)] == gap_queries.report(std, ms).counts()


def test_risks_above_appetite_count_the_open_risks_at_an_unacceptable_current_level(demo: LoadedDemo) -> None:
    # Given the demo's registers, counted by hand: open risks whose residual (else inherent)
    # level is not acceptable in their methodology
    expected: dict[tuple[object, str], int] = {}
    for r in Risk.objects.filter(status=RiskStatus.OPEN).select_related("methodology"):
        if not r.methodology.acceptable(r.residual_level or r.inherent_level):
            key = (r.management_system_id, r.register)
            expected[key] = expected.get(key, 0) + 1
    assert expected, "the demo has risks above appetite"
    # When the dashboard counts them for the administrator, then the figures agree
    got = risks_queries.above_appetite(_demo_client()[1])
    flat = {(ms, reg): n for ms, regs in got.items() for reg, n in regs.items() if n}
    assert flat == expected


def test_demo_dashboard_shows_a_readiness_figure_per_standard_with_charts(demo: LoadedDemo) -> None:
    client, user = _demo_client()
    html = client.get(reverse("dashboard")).content.decode()
    items = readiness.systems_readiness(user)
    integrated = next(i for i in items if i.system.short_name == "integrated")
    for row in integrated.standards:
        assert row.soa is not None and row.readiness is not None
        counts = soa_queries.status_counts(soa_queries.rows(row.soa))
        applicable = sum(counts.values()) - counts[SoAStatus.NOT_APPLICABLE]
        assert row.readiness == round(100 * counts[SoAStatus.IMPLEMENTED] / applicable)
        # the ring says the figure, the bar's legend the counts
        assert f'aria-label="Readiness of {row.standard.name}: {row.readiness} %"' in html
        assert (
            f"Implemented without evidence <strong>{counts[SoAStatus.IMPLEMENTED_NO_EVIDENCE]}</strong>"
            in html
        )
    assert html.count('class="ring"') == sum(len(i.standards) for i in items)
    assert "Risks above appetite" in html
    assert re.search(r"<svg class=\"bar\"", html)
    # the demo is past its first steps: no checklist
    assert "First steps" not in html


def test_due_for_me_lists_my_risk_reviews_and_nothing_of_others(demo: LoadedDemo) -> None:
    client, user = _demo_client()
    risk = Risk.objects.filter(status=RiskStatus.OPEN).exclude(owner=user).first()
    assert risk is not None
    mine = Risk.objects.filter(status=RiskStatus.OPEN).exclude(pk=risk.pk).first()
    assert mine is not None
    Risk.objects.filter(pk=risk.pk).update(review_date=timezone.localdate() - dt.timedelta(days=3))
    Risk.objects.filter(pk=mine.pk).update(
        owner=user, review_date=timezone.localdate() + dt.timedelta(days=5)
    )
    html = client.get(reverse("dashboard")).content.decode()
    section = html.split('id="due-h"', 1)[1].split("</section>", 1)[0]
    assert mine.ref_id in section and "Risk review" in section
    assert f">{risk.ref_id}<" not in section


def test_empty_install_shows_the_checklist_and_ticks_each_step_as_it_is_done(
    admin_client: Client, admin: User, org: Organisation
) -> None:
    # Given an install with an organisation and an administrator and nothing else
    html = admin_client.get(reverse("dashboard")).content.decode()
    assert "First steps" in html and "0 of 5 done" in html
    assert 'id="step-system" class' not in html  # the id comes after the class
    assert re.search(r'class="step-todo" id="step-system"', html)
    # When a management system is created, then that step is ticked and the others wait
    ManagementSystemFactory.create(
        organisation=org, name="ISMS", short_name="isms", standards=["iso27001:2022"]
    )
    html = admin_client.get(reverse("dashboard")).content.decode()
    assert re.search(r'class="step-done" id="step-system"', html)
    assert re.search(r'class="step-todo" id="step-controls"', html)
    assert "1 of 5 done" in html
    # and the readiness section shows the system with no SoA yet
    assert "No SoA for this standard yet" in html


def test_a_viewer_of_one_system_sees_only_its_readiness(
    make_user: Callable[..., User],
    login_client: Callable[[User], Client],
    isms: ManagementSystem,
    aims: ManagementSystem,
) -> None:
    viewer = make_user(Role.VIEWER, management_system=aims)
    html = login_client(viewer).get(reverse("dashboard")).content.decode()
    section = html.split('id="ready-h"', 1)[1].split('id="due-h"', 1)[0]
    assert aims.name in section and isms.name not in section


@pytest.mark.parametrize("extra_systems", [3])
def test_dashboard_queries_do_not_grow_with_systems_and_soas(
    admin_client: Client, org: Organisation, isms: ManagementSystem, extra_systems: int
) -> None:
    first = queries_of(admin_client, reverse("dashboard"))
    for n in range(extra_systems):
        ManagementSystemFactory.create(
            organisation=org,
            name=f"MS {n}",
            short_name=f"ms-r{n}",
            standards=["iso27001:2022", "iso42001:2023"],
        )
    assert queries_of(admin_client, reverse("dashboard")) == first


def test_the_checklist_is_for_those_who_set_the_instance_up(
    make_user: Callable[..., User], login_client: Callable[[User], Client], org: Organisation
) -> None:
    viewer = make_user(Role.VIEWER)
    assert "First steps" not in login_client(viewer).get(reverse("dashboard")).content.decode()
