"""Mapping suggestions through the API and the page: the contract, fixed query counts, and
decisions with htmx."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from keel.controls.models import Control, ControlLink
from keel.mapping.models import SuggestionDecision
from keel.mapping.suggest import semantic
from keel.organisation.models import ManagementSystem
from keel.platform.models import User

pytestmark = pytest.mark.django_db
AIMS = "iso42001:2023"
LOGS = f"{AIMS}:A.6.2.8"
URL = "/api/v1/mapping-suggestions"


def controls(ms: ManagementSystem, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        c = Control.objects.create(ref_id=f"KC-{i:03d}", title=f"Event logging {i}",
                                   description="AI systems record event logs.", type="technical",
                                   frequency="continuous")  # fmt: skip
        c.management_systems.add(ms)


def test_api_lists_the_contract_with_a_fixed_number_of_queries(
    admin_client: Client, isms: ManagementSystem, django_assert_max_num_queries: Any
) -> None:
    controls(isms, 2)
    query = f"{URL}?source=org&target={AIMS}&top=2"
    admin_client.get(query)  # warm the session and caches
    with django_assert_max_num_queries(20) as few:
        small = admin_client.get(query)
    controls(isms, 10, start=2)
    with django_assert_max_num_queries(20) as many:
        large = admin_client.get(query)
    assert small.status_code == large.status_code == 200
    assert len(few.captured_queries) == len(many.captured_queries)
    body = large.json()
    assert len(body) == 24 and set(body[0]) == {"source", "target", "rank", "score", "method", "explanation",
                                                "matched", "nearest"}  # fmt: skip
    assert body[0]["matched"] and {"term", "fields"} == set(body[0]["matched"][0])
    assert body[0]["target"] == LOGS


def test_api_decision_accepts_into_a_link(admin_client: Client, isms: ManagementSystem) -> None:
    controls(isms, 1)
    r = admin_client.post(f"{URL}/decisions", {"source": "KC-000", "target": LOGS, "decision": "accepted",
                                               "score": 0.3}, content_type="application/json")  # fmt: skip
    assert r.status_code == 422 and "relation" in r.json()["error"]["message"]
    r = admin_client.post(f"{URL}/decisions", {"source": "KC-000", "target": LOGS, "decision": "accepted",
                                               "score": 0.3, "relation": "intersects"},
                          content_type="application/json")  # fmt: skip
    assert r.status_code == 201, r.content
    assert r.json()["decision"] == "accepted" and r.json()["relation"] == "intersects"
    assert ControlLink.objects.filter(
        control__ref_id="KC-000", requirement__key=LOGS, coverage="partial"
    ).exists()


def test_api_unknown_target_is_a_404_with_the_error_shape(admin_client: Client) -> None:
    r = admin_client.get(f"{URL}?source=org&target=nope")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_api_semantic_without_the_extra_says_how_to_install(
    admin_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(semantic, "available", lambda: False)  # as on a default install
    r = admin_client.get(f"{URL}?source=org&target={AIMS}&method=semantic")
    assert r.status_code == 422 and "keel[semantic]" in r.json()["error"]["message"]


def test_page_shows_suggestions_and_htmx_reject_replaces_the_row(
    admin_client: Client, admin: User, isms: ManagementSystem
) -> None:
    controls(isms, 1)
    page = admin_client.get(reverse("mapping-suggestions"), {"source": "org", "target": AIMS})
    html = page.content.decode()
    assert page.status_code == 200 and "KC-000" in html and "A.6.2.8" in html and "Relation…" in html
    assert "<strong>logs</strong>" in html.lower() and "in title" in html  # why: the word and where
    r = admin_client.post(
        reverse("mapping-suggestion-decide"),
        {"source": "KC-000", "target": LOGS, "decision": "accept", "method": "lexical", "score": "0.2"},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 200 and "needs the relation" in r.content.decode()
    assert not SuggestionDecision.objects.exists()
    r = admin_client.post(
        reverse("mapping-suggestion-decide"),
        {"source": "KC-000", "target": LOGS, "decision": "reject", "method": "lexical", "score": "0.2"},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 200 and "Rejected" in r.content.decode()
    assert SuggestionDecision.objects.get(source_control__ref_id="KC-000").decided_by == admin
    again = admin_client.get(reverse("mapping-suggestions"), {"source": "org", "target": AIMS, "top": "50"})
    assert f'name="target" value="{LOGS}"' not in again.content.decode()


def test_page_shows_decision_buttons_only_to_those_who_may_decide(
    login_client: Any, make_user: Any, isms: ManagementSystem
) -> None:
    controls(isms, 1)
    viewer = login_client(make_user("viewer", isms)).get(reverse("mapping-suggestions"))
    manager = login_client(make_user("compliance_manager", isms)).get(reverse("mapping-suggestions"))
    assert "KC-000" in viewer.content.decode() and 'value="reject"' not in viewer.content.decode()
    assert 'value="reject"' in manager.content.decode()


@pytest.mark.parametrize(
    ("top", "message"), [("-1", "between 1 and"), ("abc", "whole number"), ("0", "between 1 and")]
)
def test_page_says_a_bad_top_instead_of_replacing_it(
    admin_client: Client, isms: ManagementSystem, top: str, message: str
) -> None:
    controls(isms, 1)
    page = admin_client.get(reverse("mapping-suggestions"), {"source": "org", "target": AIMS, "top": top})
    html = page.content.decode()
    assert page.status_code == 200 and message in html and "KC-000" not in html.split("</form>")[-1]
