"""Crosswalk pages: list, detail with filters and counts, inline edit, add and withdraw, the
CSV download, and the "Related in other standards" section of a requirement."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keel.mapping import services
from keel.mapping.models import CrosswalkRelation
from keel.platform.actor import Actor
from keel.platform.choices import Role

KEY = "iso27001-2022--iso42001-2023"
HTMX = {"HX-Request": "true"}


def rel(source: str | None, target: str) -> CrosswalkRelation:
    return CrosswalkRelation.objects.get(
        crosswalk__key=KEY,
        source__key=f"iso27001:2022:{source}" if source else None,
        target__key=f"iso42001:2023:{target}",
    )


def test_list_shows_counts_and_coverage(admin_client: Client) -> None:
    text = admin_client.get(reverse("crosswalk-list")).content.decode()
    assert "ISO/IEC 27001:2022 to ISO/IEC 42001:2023" in text
    assert "<strong>118</strong> / 118" in text


def test_detail_filters_by_relation_and_search(admin_client: Client) -> None:
    url = reverse("crosswalk-detail", kwargs={"key": KEY})
    page = admin_client.get(url).content.decode()
    assert "118 / 118" in page and "142 relations" in page and "Add relation" in page
    partial = admin_client.get(url + "?relation=subset", headers=HTMX).content.decode()
    assert "<html" not in partial and "5 relations match" in partial
    found = admin_client.get(url + "?q=A.10.3", headers=HTMX).content.decode()
    assert "A.5.19" in found and "A.8.15" not in found


def test_a_viewer_sees_no_edit_buttons(make_user: Any, login_client: Any, org: Any) -> None:
    client = login_client(make_user(Role.VIEWER))
    page = client.get(reverse("crosswalk-detail", kwargs={"key": KEY})).content.decode()
    assert "Withdraw" not in page and "Add relation" not in page


def test_inline_edit_saves_and_marks_edited(admin_client: Client) -> None:
    r = rel("A.8.15", "A.6.2.8")
    url = reverse("crosswalk-relation-edit", kwargs={"relation_id": r.pk})
    form = admin_client.get(url, headers=HTMX).content.decode()
    assert "Save relation" in form and "<html" not in form
    bad = admin_client.post(url, {"relation": "subset", "rationale": "x", "extension": ""}, headers=HTMX)
    assert "needs an extension note" in bad.content.decode()
    ok = admin_client.post(
        url, {"relation": "subset", "rationale": "Ours.", "extension": "Model events."}, headers=HTMX
    )
    assert "row-saved" in ok.content.decode()
    r.refresh_from_db()
    assert (r.relation, r.edited) == ("subset", True)


def test_withdraw_and_add(admin_client: Client) -> None:
    r = rel("A.5.23", "A.10.3")
    response = admin_client.post(reverse("crosswalk-relation-withdraw", kwargs={"relation_id": r.pk}))
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.withdrawn_at is not None
    add = reverse("crosswalk-relation-add", kwargs={"key": KEY})
    refused = admin_client.post(
        add, {"source": "", "target": "A.7.6", "relation": "intersects", "rationale": "x", "extension": "y"}
    )
    assert refused.status_code == 422 and "needs a source entry" in refused.content.decode()
    made = admin_client.post(
        add,
        {
            "source": "A.8.33",
            "target": "A.7.4",
            "relation": "intersects",
            "rationale": "Test data.",
            "extension": "Quality.",
        },
    )
    assert made.status_code == 302
    assert rel("A.8.33", "A.7.4").origin == "user"
    assert rel(None, "A.7.4").withdrawn_at is not None


def test_csv_download(admin_client: Client) -> None:
    response = admin_client.get(reverse("crosswalk-export", kwargs={"key": KEY}))
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.decode().startswith("source,target,relation,rationale,extension\n")


def test_a_requirement_lists_its_relations_both_ways(admin_client: Client) -> None:
    # 42001 4.1 is the target of "27001 4.1 subset 42001 4.1": read from 42001 it is a superset
    page = admin_client.get(
        reverse("requirement-detail", kwargs={"key": "iso42001:2023:4.1"})
    ).content.decode()
    assert "Related in other standards" in page and "Superset of" in page
    assert "Add on the ISO/IEC 27001 side:" in page
    page = admin_client.get(
        reverse("requirement-detail", kwargs={"key": "iso27001:2022:4.1"})
    ).content.decode()
    assert "Subset of" in page and "Add on this side:" in page
    page = admin_client.get(
        reverse("requirement-detail", kwargs={"key": "iso42001:2023:6.1.4"})
    ).content.decode()
    assert "Not related" in page


@pytest.mark.parametrize("htmx", [False, True])
def test_the_detail_page_runs_a_fixed_number_of_queries(
    htmx: bool, admin_client: Client, django_assert_num_queries: Any
) -> None:
    url = reverse("crosswalk-detail", kwargs={"key": KEY})
    headers = HTMX if htmx else {}
    admin_client.get(url, headers=headers)
    with CaptureQueriesContext(connection) as small:
        admin_client.get(url, headers=headers)
    op = Actor.system("test")
    for ref in ("A.8.33", "A.8.34", "A.8.9", "A.8.12"):
        services.save_relation(op, KEY, ref, "A.7.4", "intersects", "More.", "Add.")
    with django_assert_num_queries(len(small.captured_queries)):
        admin_client.get(url, headers=headers)
