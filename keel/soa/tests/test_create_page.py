"""Creating an SoA from the SoA pages (issue 12 item 1): empty, with the service the CLI uses;
a standard the system does not cover is refused with the reason and nothing is created; only
people who may edit SoAs see the button and the systems they may edit."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from keel.organisation.models import ManagementSystem
from keel.platform.choices import Role
from keel.platform.models import TrailEntry, User
from keel.soa.models import StatementOfApplicability

pytestmark = pytest.mark.django_db


def test_the_form_offers_empty_and_from_the_gap_analysis(
    admin_client: Client, isms: ManagementSystem
) -> None:
    page = admin_client.get(reverse("soa-create")).content.decode()
    assert "Empty: one row per Annex A control" in page
    assert "Drafted from the gap analysis" in page  # the gap app registered its drafter
    assert ">ISMS<" in page


def test_create_an_empty_soa_from_the_page(admin_client: Client, isms: ManagementSystem) -> None:
    response = admin_client.post(
        reverse("soa-create"), {"management_system": isms.pk, "standard": "iso27001:2022", "source": "empty"}
    )
    soa = StatementOfApplicability.objects.get(management_system=isms, standard__key="iso27001:2022")
    assert response.status_code == 302 and response["Location"] == reverse("soa-detail", args=[soa.pk])
    assert soa.rows.count() == 93
    assert TrailEntry.objects.filter(object_id=str(soa.pk), action="create").exists()
    page = admin_client.get(response["Location"]).content.decode()
    assert "is ready: write each row" in page


def test_a_standard_the_system_does_not_cover_is_refused_and_nothing_is_created(
    admin_client: Client, isms: ManagementSystem, aims: ManagementSystem
) -> None:
    response = admin_client.post(
        reverse("soa-create"), {"management_system": isms.pk, "standard": "iso42001:2023", "source": "empty"}
    )
    assert response.status_code == 422
    assert "Not covered by this management system." in response.content.decode()
    assert not StatementOfApplicability.objects.exists()


def test_only_editors_see_the_button_and_their_own_systems(
    client: Client,
    make_user: Callable[..., User],
    isms: ManagementSystem,
    aims: ManagementSystem,
) -> None:
    viewer = make_user(Role.VIEWER, email="viewer@example.com")
    client.force_login(viewer)
    assert "New SoA" not in client.get(reverse("soa-list")).content.decode()
    assert client.get(reverse("soa-create")).status_code == 403

    manager = make_user(Role.COMPLIANCE_MANAGER, management_system=aims, email="cm@example.com")
    client.force_login(manager)
    assert "New SoA" in client.get(reverse("soa-list")).content.decode()
    page = client.get(reverse("soa-create")).content.decode()
    assert ">AIMS<" in page and ">ISMS<" not in page
    refused = client.post(
        reverse("soa-create"), {"management_system": isms.pk, "standard": "iso27001:2022", "source": "empty"}
    )
    assert refused.status_code == 422 and not StatementOfApplicability.objects.exists()
