"""References across perimeters (issue 9 defect 4, issue 10 item 2): every reference a write
accepts is resolved within the caller's perimeter and the record's management system. A
reference outside the perimeter is "not found", with the same message as one to nothing; one to
another management system that the caller can see is refused with a clear message. Each test
here failed on 9b86f15, where the reference was accepted or its content shown."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from keel.aisystems.tests.factories import ai_system, dataset
from keel.assets.models import Asset
from keel.controls import services as control_services
from keel.controls.importing import services as import_services
from keel.controls.importing.plan import REJECT
from keel.controls.models import Control, ControlLink
from keel.evidence.tests.factories import link_evidence
from keel.organisation.models import ManagementSystem, Organisation
from keel.organisation.tests.factories import ManagementSystemFactory
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.errors import PermissionDenied, ValidationFailed
from keel.platform.models import User
from keel.risks import services as risk_services
from keel.soa import services as soa_services

from .risks_world import methodology

API = "/api/v1"
OP = Actor.system("test")
B_TITLE = "Bravo secret control"


@pytest.fixture
def ab(org: Organisation, make_user: Callable[..., User]) -> dict[str, Any]:
    both = ["iso27001:2022", "iso42001:2023"]
    a = ManagementSystemFactory.create(organisation=org, name="Alpha", short_name="alpha", standards=both)
    b = ManagementSystemFactory.create(organisation=org, name="Bravo", short_name="bravo", standards=both)
    manager = make_user(Role.COMPLIANCE_MANAGER, a, email="manager-a@example.com")
    b_control = control_services.create_control(
        OP, ref_id="KC-100", title=B_TITLE, type="process", frequency="quarterly", management_systems=[b.pk]
    )
    methodology()
    return {
        "a": a,
        "b": b,
        "manager": manager,
        "actor": Actor.for_user(manager, "api"),
        "b_control": b_control,
    }


def _risk(ab: dict[str, Any], **kw: Any) -> Any:
    data: dict[str, Any] = {
        "register": "is",
        "management_system": ab["a"].pk,
        "title": "Ransomware",
        "owner": ab["manager"].email,
        "inherent_likelihood": 3,
        "inherent_impact": 3,
        "process": "Builds",
        **kw,
    }
    return risk_services.create_risk(ab["actor"], **data)


def _not_found(exc: pytest.ExceptionInfo[ValidationFailed], field: str) -> str:
    assert field in exc.value.fields
    return exc.value.message


# ---------------------------------------------------------------- the import preview


def test_import_preview_does_not_show_a_control_outside_the_perimeter(ab: dict[str, Any]) -> None:
    # given B's KC-100 and a manager of A only, when they preview "KC-100,,alpha"
    data = b"Ref,Title,Management systems\nKC-100,,alpha\n"
    plan = import_services.import_controls(
        ab["actor"], data, "controls.csv", management_system="alpha", dry_run=True
    )
    # then the row is refused and nothing of B's control appears in the preview
    (row,) = plan.rows
    assert row.action == REJECT
    report = json.dumps(plan.as_dict(), default=str)
    assert B_TITLE not in report
    assert "bravo" not in report


def test_import_preview_names_only_visible_systems(ab: dict[str, Any]) -> None:
    data = b"Ref,Title,Management systems\nKC-200,New one,bravo\n"
    plan = import_services.import_controls(
        ab["actor"], data, "controls.csv", management_system="alpha", dry_run=True
    )
    (row,) = plan.rows
    assert row.action == REJECT
    assert "bravo" in row.reason  # what was typed …
    assert "known: alpha" in row.reason  # … and only the systems the importer can see


# ---------------------------------------------------------------- risks


def test_api_risk_with_a_control_outside_the_perimeter_is_not_found(
    ab: dict[str, Any], login_client: Callable[[User], Client]
) -> None:
    client = login_client(ab["manager"])
    body = {
        "register": "is",
        "management_system": "alpha",
        "title": "Ransomware",
        "owner": ab["manager"].email,
        "inherent_likelihood": 3,
        "inherent_impact": 3,
        "process": "Builds",
    }
    bad = client.post(
        f"{API}/risks", json.dumps({**body, "controls": ["KC-100"]}), content_type="application/json"
    )
    none = client.post(
        f"{API}/risks", json.dumps({**body, "controls": ["KC-999"]}), content_type="application/json"
    )
    assert bad.status_code == none.status_code == 422
    assert B_TITLE not in bad.content.decode()
    assert bad.json()["error"]["message"].replace("KC-100", "X") == none.json()["error"]["message"].replace(
        "KC-999", "X"
    )


def test_risk_with_an_ai_system_or_asset_of_b_is_not_found(ab: dict[str, Any]) -> None:
    ai_system(ab["b"], "bravo-bot")
    Asset.objects.create(ref_id="AS-777", name="Bravo DB", type="information", management_system=ab["b"])
    with pytest.raises(ValidationFailed) as exc:
        _risk(ab, register="ai", ai_system="bravo-bot")
    assert "ai_system" in exc.value.fields
    with pytest.raises(ValidationFailed) as exc:
        _risk(ab, asset="AS-777")
    assert "asset" in exc.value.fields


def test_risk_owner_needs_a_role_on_the_risks_system(
    ab: dict[str, Any], make_user: Callable[..., User]
) -> None:
    outsider = make_user(Role.VIEWER, ab["b"], email="only-b@example.com")
    name = ab["a"].short_name
    with pytest.raises(
        ValidationFailed, match=f"{outsider.display_name} has no role on {name} that lets them"
    ) as exc:
        _risk(ab, owner=outsider.email)
    assert "owner" in exc.value.fields


# ---------------------------------------------------------------- datasets


def test_dataset_derived_from_a_dataset_of_b_is_not_found(ab: dict[str, Any]) -> None:
    dataset(ab["b"], "bravo-data", name="Bravo secret data")
    with pytest.raises(ValidationFailed) as exc:
        from keel.aisystems import services as ai_services

        ai_services.create_dataset(
            ab["actor"],
            management_system="alpha",
            short_name="alpha-data",
            name="Alpha data",
            acquisition="collected",
            derived_from=["bravo-data"],
        )
    assert "Bravo secret data" not in exc.value.message
    assert "derived_from" in exc.value.fields


# ---------------------------------------------------------------- SoA rows


def test_soa_row_of_a_cannot_name_an_ai_system_of_b(ab: dict[str, Any]) -> None:
    ai_system(ab["b"], "bravo-bot", name="Bravo Bot")
    ai_system(ab["a"], "alpha-bot", name="Alpha Bot")
    soa = soa_services.create_soa(OP, ab["a"].pk, "iso42001:2023")
    row = soa.rows.order_by("sort_order").first()
    assert row is not None
    with pytest.raises(ValidationFailed) as exc:
        soa_services.update_row(ab["actor"], row.pk, ai_systems=["Bravo Bot"])
    assert "ai_systems" in exc.value.fields
    updated = soa_services.update_row(ab["actor"], row.pk, ai_systems=["alpha-bot"])
    assert [s.name for s in updated.ai_systems.all()] == ["Alpha Bot"]


# ---------------------------------------------------------------- evidence


def test_contributor_of_a_cannot_attach_evidence_to_a_control_of_b(
    ab: dict[str, Any], make_user: Callable[..., User]
) -> None:
    contributor = make_user(Role.CONTRIBUTOR, ab["a"], email="contrib-a@example.com")
    who = Actor.for_user(contributor, "api")
    with pytest.raises(ValidationFailed) as exc:
        link_evidence([ab["a"]], controls=["KC-100"], actor=who)
    assert "controls" in exc.value.fields
    assert B_TITLE not in exc.value.message


# ---------------------------------------------------------------- "already linked" after the permission check


def test_already_linked_is_told_only_to_someone_allowed_to_link(
    ab: dict[str, Any], make_user: Callable[..., User], login_client: Callable[[User], Client]
) -> None:
    # given B's control already linked to A.5.1, and a viewer of B (may read, may not edit)
    control_services.link_requirement(OP, ab["b_control"].pk, "iso27001:2022:A.5.1")
    viewer = make_user(Role.VIEWER, ab["b"], email="viewer-b@example.com")
    body = {"control": "KC-100", "requirement": "iso27001:2022:A.5.1", "coverage": "full", "note": ""}
    # when they ask to link it again through the API, then: 403, not 409
    response = login_client(viewer).post(
        f"{API}/control-links", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 403
    # and the service says the same to the same person
    with pytest.raises(PermissionDenied):
        control_services.link_requirement(
            Actor.for_user(viewer, "web"), ab["b_control"].pk, "iso27001:2022:A.5.1", new_only=True
        )
    # while someone allowed gets the conflict, from the service
    boss = make_user(Role.COMPLIANCE_MANAGER, ab["b"], email="boss-b@example.com")
    again = login_client(boss).post(f"{API}/control-links", json.dumps(body), content_type="application/json")
    assert again.status_code == 409
    assert ControlLink.objects.filter(control=ab["b_control"]).count() == 1


def test_management_system_resolver_names_nothing_outside(ab: dict[str, Any]) -> None:
    from keel.organisation import resolvers as organisation_resolvers

    viewer = ab["manager"]
    answers = []
    for ref in ("nope", "bravo", str(ab["b"].pk)):
        with pytest.raises(ValidationFailed) as exc:
            organisation_resolvers.management_system(ref, viewer)
        answers.append((exc.value.message, exc.value.fields))
    assert len({json.dumps(a) for a in answers}) == 1
    assert organisation_resolvers.management_system("alpha", viewer) == ab["a"]
    assert organisation_resolvers.management_system(str(ab["a"].pk), viewer) == ab["a"]
    assert (
        organisation_resolvers.management_system("bravo", OP) == ab["b"]
    )  # the CLI operator sees everything
    assert Control.objects.count() == 1 and ManagementSystem.objects.count() == 2
