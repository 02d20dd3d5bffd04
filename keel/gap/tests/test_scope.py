"""Scope confirmations (issue 11 item 4): a process of another standard counts as covering a
harmonised clause of the target only once a person confirms that its scope includes the target's
management system — through the service, the page, the API and the CLI; re-runs keep it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from keel.gap import queries, services
from keel.gap.models import ScopeConfirmation
from keel.gap.tests import factories as f
from keel.platform.actor import Actor
from keel.platform.errors import NotFound, ValidationFailed
from keel.platform.models import TrailEntry
from keel.site.cli import main

SYSTEM = Actor.system("gap-tests")
API = "/api/v1"
CLAUSE = "t:2024:4.1"


@pytest.fixture
def isms_process(world: dict[str, Any]) -> Any:
    """KC-8: a process of S1 serving S1's clause 4.1, which the crosswalk says equals T's 4.1."""
    return f.control(world["ms"], "KC-8", [(f.req(world["s1"], "4.1"), "full")])


def status(world: dict[str, Any]) -> str:
    return queries.report(world["t"], world["ms"]).result(CLAUSE).status


def test_without_a_confirmation_the_harmonised_clause_is_partial_and_says_extend(
    world: dict[str, Any], isms_process: Any
) -> None:
    r = queries.report(world["t"], world["ms"]).result(CLAUSE)
    assert r.status == "partial"
    assert "extend to the management system of" in (r.extension or "")
    assert "nobody has confirmed that the scope of KC-8 includes" in r.why


def test_a_confirmation_covers_survives_reruns_and_is_in_the_trail(
    world: dict[str, Any], isms_process: Any
) -> None:
    services.confirm_scope(SYSTEM, world["ms"], "KC-8", CLAUSE, "The programme names both systems.")
    assert status(world) == "covered" and status(world) == "covered"  # a re-run keeps it
    entry = TrailEntry.objects.order_by("-seq").first()
    assert entry is not None and entry.object_repr.startswith(
        "Scope of KC-8 includes the system for t:2024:4.1"
    )
    # confirming again with the same note writes nothing more
    head = TrailEntry.objects.count()
    services.confirm_scope(SYSTEM, world["ms"], "KC-8", CLAUSE, "The programme names both systems.")
    assert TrailEntry.objects.count() == head
    services.withdraw_scope(SYSTEM, world["ms"], "KC-8", CLAUSE)
    assert status(world) == "partial" and not ScopeConfirmation.objects.exists()
    with pytest.raises(NotFound):
        services.withdraw_scope(SYSTEM, world["ms"], "KC-8", CLAUSE)


def test_bad_confirmations_change_nothing(world: dict[str, Any], isms_process: Any) -> None:
    with pytest.raises(ValidationFailed, match="needs a note"):
        services.confirm_scope(SYSTEM, world["ms"], "KC-8", CLAUSE, "  ")
    with pytest.raises(ValidationFailed, match="not a clause of the shared harmonised structure"):
        services.confirm_scope(SYSTEM, world["ms"], "KC-8", "t:2024:4.2", "x")
    with pytest.raises(ValidationFailed, match="Unknown control"):
        services.confirm_scope(SYSTEM, world["ms"], "KC-99", CLAUSE, "x")
    with pytest.raises(ValidationFailed, match="nothing to confirm"):
        services.confirm_scope(SYSTEM, world["ms"], "KC-1", None, "x", target="t:2024")
    assert not ScopeConfirmation.objects.exists()


def test_without_a_clause_every_waiting_clause_of_the_control_is_confirmed(
    world: dict[str, Any], isms_process: Any
) -> None:
    rows = services.confirm_scope(SYSTEM, world["ms"], "kc-8", None, "Integrated scope.", target="t:2024")
    assert [r.requirement.key for r in rows] == [CLAUSE]
    assert status(world) == "covered"


def test_the_api_confirms_and_removes(world: dict[str, Any], isms_process: Any, admin_client: Client) -> None:
    body = {
        "management_system": "ims",
        "control": "KC-8",
        "requirement": CLAUSE,
        "note": "Named in the scope.",
    }
    response = admin_client.put(
        f"{API}/gap-analyses/scope-confirmations", json.dumps(body), "application/json"
    )
    assert response.status_code == 200, response.content
    (item,) = response.json()
    assert (
        item["control"] == "KC-8" and item["requirement"] == CLAUSE and item["note"] == "Named in the scope."
    )
    doc = admin_client.get(f"{API}/gap-analyses?target=t:2024&management_system=ims").json()
    assert next(r for r in doc["requirements"] if r["key"] == CLAUSE)["status"] == "covered"
    bad = admin_client.put(
        f"{API}/gap-analyses/scope-confirmations", json.dumps(body | {"note": ""}), "application/json"
    )
    assert bad.status_code == 422 and "note" in bad.json()["error"]["fields"]
    gone = admin_client.delete(
        f"{API}/gap-analyses/scope-confirmations?management_system=ims&control=KC-8&requirement={CLAUSE}"
    )
    assert gone.status_code == 204 and status(world) == "partial"


def test_the_cli_flag_confirms_before_the_analysis(
    world: dict[str, Any], isms_process: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["gap", "--target", "t:2024", "--confirm-scope", "KC-8:4.1"]) == 2  # no note
    assert "--scope-note" in capsys.readouterr().err
    code = main(
        ["gap", "--target", "t:2024", "--confirm-scope", "KC-8:4.1", "--scope-note", "Integrated scope."]
    )
    out, err = capsys.readouterr()
    assert code == 0 and "Confirmed: the scope of KC-8 includes the management system for 4.1." in err
    assert next(r for r in json.loads(out)["requirements"] if r["key"] == CLAUSE)["status"] == "covered"
    assert main(["gap", "--target", "t:2024", "--withdraw-scope", "KC-8:4.1"]) == 0
    out, _ = capsys.readouterr()
    assert next(r for r in json.loads(out)["requirements"] if r["key"] == CLAUSE)["status"] == "partial"


def test_the_page_offers_the_confirmation_and_saves_it(
    world: dict[str, Any], isms_process: Any, admin_client: Client
) -> None:
    ms = world["ms"]
    page = admin_client.get(reverse("gap-requirement", args=[ms.pk, CLAUSE])).content.decode()
    assert "Confirm the scope includes the management system of" in page and "Why:" in page
    url = reverse("gap-scope", args=[ms.pk, CLAUSE])
    refused = admin_client.post(url, {"control": "KC-8", "note": ""}, headers={"HX-Request": "true"})
    assert "needs a note" in refused.content.decode() and status(world) == "partial"
    saved = admin_client.post(
        url, {"control": "KC-8", "note": "Integrated scope."}, headers={"HX-Request": "true"}
    )
    html = saved.content.decode()
    assert "Saved." in html and "Withdraw the confirmation" in html and status(world) == "covered"
    assert admin_client.post(url, {"control": "KC-8", "withdraw": "1"}).status_code == 302
    assert status(world) == "partial"
