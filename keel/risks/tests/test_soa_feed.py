"""The SoA's "risks treated" column comes from the risk register, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from keel.controls import services as controls
from keel.organisation.models import ManagementSystem
from keel.platform.models import User
from keel.risks import services
from keel.soa import exports, queries
from keel.soa.tests.factories import soa_for

from . import factories as f

pytestmark = pytest.mark.django_db


def _row(rows: list[dict], ref: str) -> dict:
    return next(r for r in rows if r["ref_id"] == ref)


def test_rows_list_the_open_risks_their_controls_treat(
    isms: ManagementSystem, aims: ManagementSystem, admin: User
) -> None:
    # given a control implementing A.8.24 and risks of this system (one closed) and of another treated by it
    soa = soa_for(isms)
    c = controls.create_control(
        f.SYSTEM,
        management_systems=[isms.pk],
        title="Disk encryption",
        type="technical",
        frequency="continuous",
    )
    controls.link_requirement(f.SYSTEM, c.pk, "iso27001:2022:A.8.24", "full")
    treated = f.is_risk(isms, admin, controls=[c.ref_id])
    closed = f.is_risk(isms, admin, controls=[c.ref_id], title="Old risk")
    services.set_status(f.SYSTEM, closed.pk, "closed", "The vendor was replaced.")
    f.is_risk(aims, admin, controls=[c.ref_id], title="Risk of another system")
    # when the rows are read
    rows = queries.rows(soa)
    # then the row of A.8.24 names the open risk of this system, ref and title
    assert _row(rows, "A.8.24")["risks"] == [{"ref_id": treated.ref_id, "title": treated.title}]
    assert _row(rows, "A.5.1")["risks"] == []
    # and the exports write them
    cells = exports.cells(_row(rows, "A.8.24"))
    assert f"{treated.ref_id} {treated.title}" in cells


@pytest.mark.parametrize("n", [1, 8])
def test_rows_query_count_does_not_grow_with_risks(
    isms: ManagementSystem, admin: User, django_assert_num_queries: Callable[..., object], n: int
) -> None:
    soa = soa_for(isms)
    for i in range(3):
        c = controls.create_control(
            f.SYSTEM, management_systems=[isms.pk], title=f"C{i}", type="policy", frequency="annually"
        )
        controls.link_requirement(f.SYSTEM, c.pk, f"iso27001:2022:A.5.{i + 1}", "partial")
        for _ in range(n):
            f.is_risk(isms, admin, controls=[c.ref_id])
    with django_assert_num_queries(7):  # type: ignore[operator]  # rows, AI systems, links, evidence ×2, risks, legal requirements
        rows = queries.rows(soa)
    assert len(_row(rows, "A.5.1")["risks"]) == n
