"""The demo organisation: complete, idempotent, and every record has its trail entry."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import models

from keel.organisation.choices import ScopeStatus
from keel.organisation.models import (
    ContextIssue,
    InterestedParty,
    ManagementSystem,
    Organisation,
    RoleAssignment,
    ScopeStatement,
)
from keel.organisation.tests.factories import OrganisationFactory
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import Channel, Role
from keel.platform.errors import KeelError
from keel.platform.models import TrailEntry, User
from keel.platform.tests.shared_db import LoadedDemo
from keel.site.demo import DEMO_ADMIN_EMAIL, DEMO_PASSWORD, load_demo
from keel.standards.models import Standard

RECORD_MODELS: list[type[models.Model]] = [
    Organisation,
    ManagementSystem,
    ScopeStatement,
    InterestedParty,
    ContextIssue,
    User,
    RoleAssignment,
]


def test_given_empty_instance_when_demo_loads_then_every_page_has_content(demo: LoadedDemo) -> None:
    # Given an instance with the standards but no organisation
    # When the demo loads (once for every demo test: the ``demo`` fixture)
    report, lines = demo.report, demo.lines

    # Then the organisation, systems, scopes, context and people all exist
    assert report.created is True
    assert report.login_email == DEMO_ADMIN_EMAIL
    assert report.login_password == DEMO_PASSWORD
    assert len(lines) >= 6
    org = Organisation.objects.get()
    assert org.climate_relevance == "relevant" and org.climate_rationale
    systems = {ms.short_name: ms for ms in ManagementSystem.objects.prefetch_related("standards")}
    assert {s.key for s in systems["integrated"].standards.all()} == {"iso27001:2022", "iso42001:2023"}
    assert {s.key for s in systems["research-aims"].standards.all()} == {"iso42001:2023"}
    assert systems["integrated"].operating_model == "unified"
    assert systems["research-aims"].operating_model == "federated"
    assert InterestedParty.objects.count() >= 10
    assert InterestedParty.objects.filter(affected_not_user=True).exists()
    assert ContextIssue.objects.filter(kind="internal").exists()
    assert ContextIssue.objects.filter(kind="external").exists()
    assert ContextIssue.objects.filter(climate_related=True).exists()
    # every party and issue answers at least one standard
    assert not InterestedParty.objects.filter(standards__isnull=True).exists()
    assert not ContextIssue.objects.filter(standards__isnull=True).exists()
    assert report.summary["interested_parties"] == InterestedParty.objects.count()


def test_given_demo_then_scope_versions_show_every_status(demo: LoadedDemo) -> None:
    # Given / When the demo is loaded

    # Then each (system, standard) has one approved version, and history shows
    integrated = ManagementSystem.objects.get(short_name="integrated")
    for ms in ManagementSystem.objects.all():
        for std in ms.standards.all():
            assert (
                ScopeStatement.objects.filter(
                    management_system=ms, standard=std, status=ScopeStatus.APPROVED
                ).count()
                == 1
            )
    assert ScopeStatement.objects.filter(status=ScopeStatus.SUPERSEDED).exists()
    draft = ScopeStatement.objects.get(status=ScopeStatus.DRAFT)
    assert draft.management_system == integrated and draft.standard.key == "iso42001:2023"
    assert draft.version == 2 and draft.change_note
    aims = ScopeStatement.objects.get(
        management_system=integrated, standard__key="iso42001:2023", status=ScopeStatus.APPROVED
    )
    assert "credit" in aims.ai_systems.lower() and aims.lifecycle_stages and aims.ai_roles
    # approvals are by a named person, not the anonymous CLI operator
    approvers = set(
        ScopeStatement.objects.exclude(approved_by=None).values_list("approved_by__email", flat=True)
    )
    assert approvers and all(approvers)
    isms = ScopeStatement.objects.filter(standard__key="iso27001:2022")
    assert all(not s.ai_systems and not s.ai_roles for s in isms)


def test_given_demo_then_each_role_is_held_and_one_contributor_is_limited_to_one_system(
    demo: LoadedDemo,
) -> None:
    # Given / When the demo is loaded

    # Then
    roles = {ra.role for ra in RoleAssignment.objects.all()}
    assert roles == set(Role.values)
    scoped = RoleAssignment.objects.get(management_system__isnull=False, role=Role.CONTRIBUTOR)
    assert scoped.management_system is not None and scoped.management_system.short_name == "research-aims"
    # she owns AI risks of the integrated system too, so she holds a role there: a viewer's; and
    # Daniel, moved off the integrated system's team, is a viewer there now (a check finding)
    assert sorted(
        RoleAssignment.objects.filter(management_system__isnull=False)
        .exclude(pk=scoped.pk)
        .values_list("user__email", "role", "management_system__short_name")
    ) == sorted(
        [
            (scoped.user.email, Role.VIEWER, "integrated"),
            (f"daniel.osei@{scoped.user.email.split('@')[1]}", Role.VIEWER, "integrated"),
        ]
    )
    admin = User.objects.get(email=DEMO_ADMIN_EMAIL)
    assert admin.check_password(DEMO_PASSWORD)
    assert RoleAssignment.objects.filter(user=admin, role=Role.ADMIN, management_system=None).exists()


def test_given_demo_loaded_when_loaded_again_then_nothing_changes(demo: LoadedDemo) -> None:
    # Given the demo loaded
    entries = TrailEntry.objects.count()
    counts = {m: m._default_manager.count() for m in RECORD_MODELS}

    # When
    second = load_demo(Actor.cli())

    # Then
    assert second.created is False
    assert second.login_email == DEMO_ADMIN_EMAIL
    assert TrailEntry.objects.count() == entries
    assert {m: m._default_manager.count() for m in RECORD_MODELS} == counts


def test_given_a_real_organisation_when_demo_runs_then_it_is_left_alone(db: Any) -> None:
    # Given an instance already in use
    OrganisationFactory(name="Real Co")
    entries = TrailEntry.objects.count()

    # When
    report = load_demo(Actor.cli())

    # Then nothing is written and no demo login is advertised
    assert report.created is False
    assert report.login_email == "" and report.login_password == ""
    assert "Real Co" in report.message
    assert TrailEntry.objects.count() == entries
    assert not User.objects.exists()


def test_given_demo_then_every_record_written_has_its_trail_entry_and_the_chain_verifies(
    demo: LoadedDemo,
) -> None:
    # Given the trail's head before the demo loaded
    before = demo.trail_head_before

    # When the demo is loaded

    # Then
    logged = set(TrailEntry.objects.values_list("object_type", "object_id"))
    for model in RECORD_MODELS:
        label = model._meta.label_lower
        for pk in model._default_manager.values_list("pk", flat=True):
            assert (label, str(pk)) in logged, f"{label} {pk} has no trail entry"
    result = trail.verify()
    assert result.ok, result.problems
    assert result.count == TrailEntry.objects.count()
    # written through the CLI, but for the acknowledgements the demo's people without a login
    # make through their emailed link (recorded as that person on the web), and the suppliers'
    # answers through their signed link (recorded as the supplier's link on the web)
    channels = set(
        TrailEntry.objects.filter(seq__gt=before)
        .exclude(object_type="documents.acknowledgement", channel=Channel.WEB)
        .exclude(object_type="suppliers.supplierassessment", channel=Channel.WEB)
        .values_list("channel", flat=True)
    )
    assert channels == {Channel.CLI}


def test_given_no_standards_when_demo_runs_then_it_asks_for_keel_init(db: Any) -> None:
    # Given a database where the standards have not been loaded
    Standard.objects.filter(key="iso42001:2023").update(key="iso42001:unloaded")

    # When / Then
    with pytest.raises(KeelError, match="keel init"):
        load_demo(Actor.cli())
    assert not Organisation.objects.exists()


def test_given_a_failure_half_way_when_demo_runs_then_nothing_is_kept(db: Any, monkeypatch: Any) -> None:
    # Given a service that fails after the organisation and systems were written
    def boom(*args: Any, **kwargs: Any) -> None:
        raise KeelError("simulated failure")

    monkeypatch.setattr("keel.organisation.people.create_user", boom)
    entries = TrailEntry.objects.count()

    # When / Then
    with pytest.raises(KeelError, match="simulated"):
        load_demo(Actor.cli())
    assert not Organisation.objects.exists()
    assert not ManagementSystem.objects.exists()
    assert TrailEntry.objects.count() == entries
