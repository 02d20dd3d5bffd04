"""The 42001 SoA's per-AI-system column references real AI systems of the SoA's management
system (issue 12 item 1): picked from a list on the page, named (short name, name or id) in the
API and the import, an unknown one refused with its name; exports print the names."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from keel.aisystems.tests.factories import ai_system
from keel.organisation.models import ManagementSystem
from keel.organisation.tests.factories import ManagementSystemFactory
from keel.platform.errors import ValidationFailed
from keel.platform.models import TrailEntry
from keel.soa import exports, importing, queries, services
from keel.soa.tests.factories import SYSTEM, row, soa_for

pytestmark = pytest.mark.django_db

API = "/api/v1"


@pytest.fixture
def helix(aims: ManagementSystem) -> object:
    return ai_system(aims, "credit-scoring", name="Helix credit scoring")


def test_the_service_links_systems_by_short_name_or_name_and_the_trail_names_them(
    aims: ManagementSystem, helix: object
) -> None:
    soa = soa_for(aims, "iso42001:2023")
    atlas = ai_system(aims, "support-assistant", name="Atlas support assistant")
    target = row(soa, "A.5.2")
    services.update_row(SYSTEM, target.pk, ai_systems=["credit-scoring", "  atlas   SUPPORT assistant "])
    assert set(target.ai_systems.all()) == {helix, atlas}
    entry = TrailEntry.objects.filter(object_id=str(target.pk)).latest("seq")
    assert json.loads(entry.payload)["changes"]["ai_systems"] == [
        [],
        ["Atlas support assistant", "Helix credit scoring"],
    ]
    # saving the same list again changes nothing
    services.update_row(SYSTEM, target.pk, ai_systems=["Helix credit scoring", "support-assistant"])
    assert TrailEntry.objects.filter(object_id=str(target.pk)).latest("seq").pk == entry.pk


def test_an_unknown_system_or_one_of_another_management_system_is_refused_with_its_name(
    org: object, aims: ManagementSystem, helix: object
) -> None:
    soa = soa_for(aims, "iso42001:2023")
    other = ManagementSystemFactory.create(
        organisation=org, name="Research", short_name="research", standards=["iso42001:2023"]
    )
    ai_system(other, "lab-model", name="Lab model")
    target = row(soa, "A.5.2")
    for name in ("Nonexistent bot", "lab-model"):
        with pytest.raises(ValidationFailed) as caught:
            services.update_row(SYSTEM, target.pk, ai_systems=["credit-scoring", name])
        assert f"No AI system {name!r} in AIMS" in caught.value.message
        assert "Helix credit scoring" in caught.value.message  # the names to choose from
    assert not target.ai_systems.exists()


def test_api_takes_names_and_refuses_an_unknown_one(
    admin_client: Client, aims: ManagementSystem, helix: object
) -> None:
    soa = soa_for(aims, "iso42001:2023")
    target = row(soa, "A.5.2")
    url = f"{API}/soa/{soa.pk}/rows/{target.pk}"
    ok = admin_client.patch(url, {"ai_systems": ["credit-scoring"]}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["ai_systems"] == ["Helix credit scoring"]
    bad = admin_client.patch(url, {"ai_systems": ["Ghost"]}, content_type="application/json")
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"]["ai_systems"] == ["Unknown AI system 'Ghost'."]
    cleared = admin_client.patch(url, {"ai_systems": None}, content_type="application/json")
    assert cleared.json()["ai_systems"] == []


def test_the_page_picks_from_the_systems_of_the_soas_management_system(
    admin_client: Client, aims: ManagementSystem, isms: ManagementSystem, helix: object
) -> None:
    soa = soa_for(aims, "iso42001:2023")
    target = row(soa, "A.5.2")
    form = admin_client.get(reverse("soa-row-edit", args=[target.pk])).content.decode()
    assert "AI systems this row applies to" in form and "Helix credit scoring" in form
    response = admin_client.post(
        reverse("soa-row-edit", args=[target.pk]),
        {"applicable": "on", "ai_systems": [str(helix.pk)]},  # type: ignore[attr-defined]
    )
    assert response.status_code == 302
    assert [s.name for s in target.ai_systems.all()] == ["Helix credit scoring"]
    # a 27001 SoA has no AI-system column
    other = row(soa_for(isms), "A.5.1")
    assert (
        "AI systems this row applies to"
        not in admin_client.get(reverse("soa-row-edit", args=[other.pk])).content.decode()
    )


def test_exports_print_the_names(aims: ManagementSystem, helix: object) -> None:
    soa = soa_for(aims, "iso42001:2023")
    services.update_row(SYSTEM, row(soa, "A.5.2").pk, ai_systems=["credit-scoring"])
    doc = json.loads(exports.export([soa], "json"))
    (sheet,) = doc["statements"]
    rows = sheet["rows"]
    assert next(r for r in rows if r["ref_id"] == "A.5.2")["ai_systems"] == ["Helix credit scoring"]
    assert next(r for r in queries.rows(soa) if r["ref_id"] == "A.5.2")["ai_systems"] == [
        "Helix credit scoring"
    ]


def test_import_takes_an_ai_systems_column_and_rejects_an_unknown_name(
    aims: ManagementSystem, helix: object
) -> None:
    good = b"Control,Applicable,AI systems\nA.5.2,yes,credit-scoring\n"
    plan = importing.import_soa(SYSTEM, good, "soa.csv", standard="iso42001:2023", management_system="aims")
    assert plan.applied and not plan.rejected
    soa = queries.find_soa(aims.pk, "iso42001:2023")
    assert [s.name for s in row(soa, "A.5.2").ai_systems.all()] == ["Helix credit scoring"]

    bad = b"Control,Applicable,AI systems\nA.5.3,yes,Helix credit scoring; Ghost\n"
    plan = importing.import_soa(SYSTEM, bad, "soa.csv", standard="iso42001:2023", management_system="aims")
    assert not plan.applied
    (rejected,) = plan.rejected
    assert "'Ghost' is not an AI system of this management system" in rejected.reason
    assert not row(soa, "A.5.3").ai_systems.exists()
