"""Pickers, not keys: the search behind every picker finds a requirement by bare id, key or
words, stays within the person's perimeter, and answers JSON or a list of options; a bare id
typed without the picker names its requirement when only one standard has it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from keel.aisystems.tests import factories as ai_factories
from keel.gap.tests import factories as gap_factories
from keel.organisation import resolvers
from keel.organisation.models import ManagementSystem
from keel.platform.choices import Role
from keel.platform.errors import ValidationFailed
from keel.platform.models import User


def _values(client: Client, kind: str, q: str) -> list[str]:
    response = client.get(reverse("pick", args=[kind]), {"q": q})
    assert response.status_code == 200
    return [r["value"] for r in response.json()["results"]]


def test_requirements_by_bare_id_key_or_words(admin_client: Client, isms: ManagementSystem) -> None:
    assert _values(admin_client, "requirements", "A.5.19")[0] == "iso27001:2022:A.5.19"
    assert _values(admin_client, "requirements", "iso42001:2023:A.10.3")[0] == "iso42001:2023:A.10.3"
    # words of the title, in any order
    assert "iso27001:2022:A.5.19" in _values(admin_client, "requirements", "supplier security")
    # an id that does not exist in these editions finds nothing rather than guessing
    assert _values(admin_client, "requirements", "A.9.2.7") == []


def test_controls_stay_in_the_perimeter(
    make_user: Callable[..., User],
    login_client: Callable[[User], Client],
    isms: ManagementSystem,
    aims: ManagementSystem,
) -> None:
    gap_factories.control(isms, "KC-101", [])
    gap_factories.control(aims, "KC-202", [])
    viewer = login_client(make_user(Role.VIEWER, management_system=aims))
    assert _values(viewer, "controls", "KC") == ["KC-202"]
    assert _values(viewer, "controls", "Control KC-101") == []


def test_people_by_name_and_html_options(admin_client: Client, admin: User) -> None:
    assert admin.email in _values(admin_client, "people", admin.email.split("@")[0])
    html = admin_client.get(
        reverse("pick", args=["requirements"]), {"q": "A.5.19", "format": "html"}
    ).content.decode()
    assert 'role="listbox"' in html and 'data-value="iso27001:2022:A.5.19"' in html


def test_an_unknown_kind_is_not_found_and_a_visitor_must_log_in(admin_client: Client) -> None:
    assert admin_client.get(reverse("pick", args=["secrets"])).status_code == 404
    assert Client().get(reverse("pick", args=["controls"])).status_code == 302


def test_a_typed_bare_id_names_its_requirement_when_one_standard_has_it(db: None) -> None:
    assert resolvers.requirement("A.5.19").key == "iso27001:2022:A.5.19"
    with pytest.raises(ValidationFailed, match="several standards"):
        resolvers.requirement("6.1.2")


def test_the_forms_that_take_keys_are_pickers(admin_client: Client, isms: ManagementSystem) -> None:
    control = gap_factories.control(isms, "KC-303", [])
    page = admin_client.get(reverse("control-detail", args=[control.ref_id])).content.decode()
    assert 'data-picker="requirements"' in page
    form = admin_client.get(reverse("evidence-create")).content.decode()
    assert 'data-picker="controls"' in form and 'data-picker-multiple="true"' in form


def test_ai_systems_and_datasets_by_short_name_or_words_within_the_perimeter(
    make_user: Callable[..., User],
    login_client: Callable[[User], Client],
    isms: ManagementSystem,
    aims: ManagementSystem,
) -> None:
    ai_factories.ai_system(aims, "credit-scoring", purpose="Scores loan applications.")
    ai_factories.ai_system(isms, "spam-filter", purpose="Sorts the mail.")
    ai_factories.dataset(aims, "loan-book", name="Loan book 2025")
    ai_factories.dataset(isms, "mail-corpus")
    viewer = login_client(make_user(Role.VIEWER, management_system=aims))
    # the list queries of the AI system inventory: same perimeter, same words (purpose too)
    assert _values(viewer, "ai-systems", "") == ["credit-scoring"]
    assert _values(viewer, "ai-systems", "loan applications") == ["credit-scoring"]
    assert _values(viewer, "ai-systems", "spam") == []
    assert _values(viewer, "datasets", "loan 2025") == ["loan-book"]
    assert _values(viewer, "datasets", "mail") == []
    # people: the directory's search, active people only, a job title as the hint
    person = make_user(Role.VIEWER, management_system=aims, full_name="Ines Moreau", job_title="Data steward")
    found = viewer.get(reverse("pick", args=["people"]), {"q": "steward"}).json()["results"]
    assert found == [{"value": person.email, "label": "Ines Moreau", "hint": "Data steward"}]
    person.is_active = False
    person.save(update_fields=["is_active"])
    assert _values(viewer, "people", "steward") == []


def test_reference_fields_are_pickers_however_few_the_choices(
    admin_client: Client, aims: ManagementSystem
) -> None:
    # one AI system and one dataset: below the length at which an ordinary select gets a search box
    ai_factories.ai_system(aims, "credit-scoring")
    ai_factories.dataset(aims, "loan-book")
    form = admin_client.get(reverse("dataset-create")).content.decode()
    for name in ("owner", "sources", "ai_systems"):
        tag = form.split(f'name="{name}"')[1].split(">")[0]
        assert 'data-picker="select"' in tag, name
    assert 'type="checkbox" name="ai_systems"' not in form
    # a crosswalk's two ends search the requirements of their own standard
    add = admin_client.get(
        reverse("crosswalk-relation-add", kwargs={"key": "iso27001-2022--iso42001-2023"})
    ).content.decode()
    assert 'data-picker-standard="iso27001:2022"' in add and 'data-picker-standard="iso42001:2023"' in add
