"""Pages of the standards library: list, tree with search (htmx partial and plain GET), and
the requirement detail with guidance, documented information and harmonised-structure links."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from keel.organisation.models import Organisation
from keel.platform.choices import Role
from keel.platform.models import User

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def viewer_client(
    make_user: Callable[..., User], login_client: Callable[[User], Client], org: Organisation
) -> Client:
    return login_client(make_user(Role.VIEWER))


def test_list_shows_each_standard_with_revision_and_counts(viewer_client: Client) -> None:
    response = viewer_client.get(reverse("standards-list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "iso27001:2022" in html and "iso42001:2023" in html
    assert ">93<" in html and ">38<" in html  # Annex A controls


def test_list_query_count_is_two_plus_session(viewer_client: Client) -> None:
    viewer_client.get(reverse("standards-list"))
    with CaptureQueriesContext(connection) as ctx:
        viewer_client.get(reverse("standards-list"))
    standards_queries = [q for q in ctx.captured_queries if "standards_" in q["sql"]]
    assert len(standards_queries) == 2


def test_an_account_without_a_role_cannot_browse(
    make_user: Callable[..., User], login_client: Callable[[User], Client], org: Organisation
) -> None:
    client = login_client(make_user(None))
    assert client.get(reverse("standards-list")).status_code == 403
    assert client.get(reverse("standard-detail", args=["iso27001:2022"])).status_code == 403


def test_standard_page_is_a_collapsible_tree_of_every_entry(viewer_client: Client) -> None:
    html = viewer_client.get(reverse("standard-detail", args=["iso27001:2022"])).content.decode()
    assert "<details>" in html and "<summary>" in html
    assert html.count('class="ref">A.') >= 93 + 4
    assert (
        'hx-get="/standards/iso27001:2022/"' in html
        and 'hx-trigger="input changed delay:300ms, search"' in html
    )
    assert 'name="q"' in html and '<form method="get"' in html  # works without JavaScript


def test_search_with_htmx_returns_only_the_filtered_tree(viewer_client: Client) -> None:
    response = viewer_client.get(
        reverse("standard-detail", args=["iso27001:2022"]), {"q": "cloud services"}, **HTMX
    )
    html = response.content.decode()
    assert "<html" not in html and 'data-testid="tree"' in html
    assert "Information security for use of cloud services" in html
    assert "Screening" not in html
    assert "<details open>" in html  # ancestors of matches are expanded
    assert "match “cloud services”" in html


def test_search_without_javascript_renders_the_full_page(viewer_client: Client) -> None:
    html = viewer_client.get(
        reverse("standard-detail", args=["iso42001:2023"]), {"q": "impact assessment"}
    ).content.decode()
    assert "<html" in html and 'value="impact assessment"' in html
    assert "is-match" in html


def test_search_with_no_match_says_so(viewer_client: Client) -> None:
    html = viewer_client.get(
        reverse("standard-detail", args=["iso27001:2022"]), {"q": "zzqxv"}, **HTMX
    ).content.decode()
    assert "0 entries match" in html and "Try fewer or different words." in html


def test_unknown_standard_is_404_naming_the_known_ones(viewer_client: Client) -> None:
    response = viewer_client.get(reverse("standard-detail", args=["iso9001:2015"]))
    assert response.status_code == 404
    assert b"iso27001:2022" in response.content


def test_requirement_page_shows_guidance_breadcrumb_amendment_and_backbone_link(
    viewer_client: Client,
) -> None:
    html = viewer_client.get(reverse("requirement-detail", args=["iso27001:2022:4.1"])).content.decode()
    assert "Intent" in html and "What an auditor looks for" in html and "Typical evidence" in html
    assert 'href="/standards/requirements/iso27001:2022:4/"' in html  # parent in the breadcrumb
    assert 'href="/standards/requirements/iso42001:2023:4.1/"' in html  # same hs_key in the other standard
    assert "Amd1:2024" in html and "Climate action changes" in html


def test_requirement_page_documented_information(viewer_client: Client) -> None:
    html = viewer_client.get(reverse("requirement-detail", args=["iso27001:2022:4.3"])).content.decode()
    assert "Required</span>" in html and "The scope of the ISMS" in html


def test_control_page_has_no_backbone_link(viewer_client: Client) -> None:
    response = viewer_client.get(reverse("requirement-detail", args=["iso27001:2022:A.5.23"]))
    assert response.status_code == 200
    assert b"Not part of the shared clause backbone." in response.content
    assert viewer_client.get(reverse("requirement-detail", args=["iso27001:2022:Z.9"])).status_code == 404


def test_given_42001_when_browsing_then_the_tree_is_grouped_into_the_parts_of_the_standard(
    admin_client: Client,
) -> None:
    html = admin_client.get("/standards/iso42001:2023/").content.decode()
    headings = [
        "Clauses 4–10: requirements",
        "Annex A: reference controls",
        "Annex C: potential AI-related objectives",
        "Annex C: risk sources",
    ]
    positions = [html.index(h) for h in headings]
    assert positions == sorted(positions)
