"""On the demo organisation the gap page and ``keel gap`` agree, every ISO 42001 requirement
has a status with its reason, and the numbers add up."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from keel.controls.models import ControlLink
from keel.gap import queries
from keel.organisation.models import ManagementSystem
from keel.platform.models import User
from keel.platform.tests.shared_db import LoadedDemo
from keel.site.cli import main
from keel.site.demo import DEMO_ADMIN_EMAIL
from keel.standards.models import Standard


def test_demo_page_and_cli_agree_and_the_numbers_add_up(
    demo: LoadedDemo, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the demo (loaded once: the demo fixture)
    ms = ManagementSystem.objects.get(short_name="integrated")
    # When the CLI runs
    capsys.readouterr()
    assert (
        main(["gap", "--target", "iso42001:2023", "--management-system", "integrated", "--format", "json"])
        == 0
    )
    doc = json.loads(capsys.readouterr().out)
    # and the page is opened
    client = Client()
    client.force_login(User.objects.get(email=DEMO_ADMIN_EMAIL))
    html = client.get(f"/gap/?target=iso42001:2023&management_system={ms.pk}").content.decode()
    # Then the page shows the same figures
    shown = dict(re.findall(r'data-figure="(\w+)" data-value="([\d.]+)"', html))
    assert {k: float(v) for k, v in shown.items()} == {k: float(v) for k, v in doc["summary"].items()}
    # and the same statuses, requirement by requirement
    page_statuses = re.findall(r'data-status="(\w+)"', html)
    assert page_statuses == [r["status"] for r in doc["requirements"]]
    # and the numbers add up: every leaf clause and Annex A control of 42001, once
    reqs = doc["requirements"]
    s = doc["summary"]
    assert s["covered"] + s["partial"] + s["gap"] + s["not_applicable"] == len(reqs)
    std = Standard.objects.get(key="iso42001:2023")
    expected = queries.target_requirements(
        list(std.requirements.filter(withdrawn_at__isnull=True).values("id", "kind", "parent_id"))
    )
    assert len(reqs) == len(expected) == 38 + 32
    applicable = len(reqs) - s["not_applicable"]
    assert s["coverage_ratio"] == round(s["covered"] / applicable, 4)
    assert s["partial_ratio"] == round(s["partial"] / applicable, 4)
    # and every status has its reason
    for r in reqs:
        if r["status"] in ("covered", "partial") and r["confirmed_status"] is None:
            assert r["via"], f"{r['ref_id']} is {r['status']} without a chain"
        if r["status"] == "partial" and r["confirmed_status"] is None:
            assert r["extension"], f"{r['ref_id']} is partial without an extension note"
        if r["status"] == "gap" and r["confirmed_status"] is None:
            assert not r["via"]
    # and the older ISMS controls carry over to 42001 through the shipped crosswalk
    a84 = next(r for r in reqs if r["ref_id"] == "A.8.4")
    assert any(len(c) == 3 and c[1]["key"] == "iso27001:2022:A.5.24" for c in a84["via"])
    # and the person's decisions are shown beside the inference
    r53 = next(r for r in reqs if r["ref_id"] == "5.3")
    assert (r53["status"], r53["inferred_status"], r53["confirmed_status"]) == ("partial", "gap", "partial")

    # and the older ISMS processes count for the AIMS only where a person confirmed their scope:
    # the audit programme's chain into 9.2.2 is full, into 9.2.1 partial ("extend to the AIMS")
    audit = ControlLink.objects.get(
        requirement__key="iso27001:2022:9.2.2", note="Run for the ISMS before the AIMS began."
    ).control.ref_id
    rep = queries.report(std, ms)

    def chain_of(key: str) -> Any:
        return next(c for c in rep.result(key).inference.chains if c.link.control_ref == audit and c.steps)

    assert (chain_of("iso42001:2023:9.2.2").scope, chain_of("iso42001:2023:9.2.2").strength) == (
        "confirmed",
        "full",
    )
    assert (chain_of("iso42001:2023:9.2.1").scope, chain_of("iso42001:2023:9.2.1").strength) == (
        "unconfirmed",
        "partial",
    )
    assert "extend to the AIMS" in " ".join(chain_of("iso42001:2023:9.2.1").extension_notes(rep.nodes))
