"""Control catalogue services: the template library, controls, links and adoption."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from keel.controls import services
from keel.controls.models import Control, ControlLink, ControlTemplate
from keel.controls.templates_loader import TemplateDataError
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.errors import Conflict, PermissionDenied, ValidationFailed
from keel.platform.models import TrailEntry, User

TEMPLATES = """
templates:
  - key: supplier-due-diligence
    title: Supplier and AI-component due diligence
    type: process
    frequency: per_event
    owner_role: Head of Security
    description: Before a supplier gets our data we review it.
    ai_extension: For model providers we also review training data and model changes.
    example_evidence: [Questionnaire per supplier, Approval record]
    requirements:
      - {key: "iso27001:2022:A.5.19", coverage: full, note: The onboarding review.}
      - {key: "iso42001:2023:A.10.3", coverage: partial, note: AI questions; not the contract terms.}
  - key: backup
    title: Backups
    type: technical
    frequency: daily
    owner_role: Platform lead
    description: Production data is backed up daily and restores are tested.
    example_evidence: [Backup job report, Restore test record]
    requirements:
      - {key: "iso27001:2022:A.8.13", coverage: full, note: Daily backups with restore tests.}
"""


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "library.yaml").write_text(TEMPLATES, encoding="utf-8")
    return folder


@pytest.fixture
def operator() -> Actor:
    return Actor.cli()


def as_user(user: User) -> Actor:
    return Actor.for_user(user, "web")


def test_given_a_template_library_when_loaded_twice_then_the_second_load_changes_nothing(
    db: Any, library: Path, operator: Actor
) -> None:
    first = services.load_templates(operator, library)
    entries = TrailEntry.objects.count()
    second = services.load_templates(operator, library)
    assert (len(first.created), second.unchanged) == (2, 2)
    assert TrailEntry.objects.count() == entries
    tpl = ControlTemplate.objects.get(key="supplier-due-diligence")
    assert {(lk.requirement.key, lk.coverage) for lk in tpl.links.all()} == {
        ("iso27001:2022:A.5.19", "full"),
        ("iso42001:2023:A.10.3", "partial"),
    }


def test_given_a_template_dropped_from_the_library_then_it_is_withdrawn_not_deleted(
    db: Any, library: Path, operator: Actor
) -> None:
    services.load_templates(operator, library)
    text = TEMPLATES.split("  - key: backup")[0]
    (library / "library.yaml").write_text(text, encoding="utf-8")
    report = services.load_templates(operator, library)
    assert "backup" in report.withdrawn and "supplier-due-diligence" not in report.withdrawn
    assert ControlTemplate.objects.get(key="backup").withdrawn_at is not None


@pytest.mark.parametrize(
    "change, message",
    [
        (("iso27001:2022:A.8.13", "iso27001:2022:A.99.1"), "does not exist"),
        (("type: technical", "type: gadget"), "type 'gadget'"),
        (
            ("    ai_extension: For model providers we also review training data and model changes.\n", ""),
            "ai_extension",
        ),
        (("coverage: full, note: Daily", "coverage: most, note: Daily"), "coverage must be full or partial"),
    ],
)
def test_given_a_malformed_template_file_then_nothing_is_loaded_and_the_template_is_named(
    db: Any, library: Path, operator: Actor, change: tuple[str, str], message: str
) -> None:
    (library / "library.yaml").write_text(TEMPLATES.replace(*change), encoding="utf-8")
    before = (ControlTemplate.objects.count(), TrailEntry.objects.count())
    with pytest.raises(TemplateDataError) as exc:
        services.load_templates(operator, library)
    assert any(message in p and "templates/library.yaml: template" in p for p in exc.value.problems)
    assert not ControlTemplate.objects.filter(key__in=["supplier-due-diligence", "backup"]).exists()
    assert (ControlTemplate.objects.count(), TrailEntry.objects.count()) == before


def test_given_new_controls_then_refs_are_numbered_and_every_write_is_in_the_trail(
    isms: ManagementSystem, operator: Actor
) -> None:
    a = services.create_control(
        operator,
        title="Access reviews",
        type="process",
        frequency="quarterly",
        management_systems=["isms"],
        tags=["Access ", "cloud"],
    )
    b = services.create_control(operator, title="Backups", type="technical", frequency="daily")
    assert (a.ref_id, b.ref_id) == ("KC-001", "KC-002")
    assert sorted(t.name for t in a.tags.all()) == ["access", "cloud"]
    entry = TrailEntry.objects.filter(object_type="controls.control", object_id=str(a.pk)).get()
    assert entry.action == "create"


def test_given_a_duplicate_ref_or_bad_choice_then_a_clear_error_and_nothing_changes(
    isms: ManagementSystem, operator: Actor
) -> None:
    services.create_control(operator, ref_id="KC-010", title="One", type="process", frequency="monthly")
    before = (Control.objects.count(), TrailEntry.objects.count())
    with pytest.raises(ValidationFailed, match="ref_id"):
        services.create_control(operator, ref_id="KC-010", title="Two", type="process", frequency="monthly")
    with pytest.raises(ValidationFailed, match="frequency"):
        services.create_control(operator, title="Three", type="process", frequency="sometimes")
    assert (Control.objects.count(), TrailEntry.objects.count()) == before


def test_given_roles_then_only_managers_over_the_control_system_may_edit_it(
    make_user: Callable[..., User], isms: ManagementSystem, aims: ManagementSystem, operator: Actor
) -> None:
    control = services.create_control(
        operator, title="Backups", type="technical", frequency="daily", management_systems=["isms"]
    )
    viewer = make_user(Role.VIEWER)
    aims_manager = make_user(Role.COMPLIANCE_MANAGER, aims)
    isms_manager = make_user(Role.COMPLIANCE_MANAGER, isms)
    with pytest.raises(PermissionDenied):
        services.update_control(as_user(viewer), control.pk, status="implemented")
    with pytest.raises(PermissionDenied):
        services.update_control(as_user(aims_manager), control.pk, status="implemented")
    services.update_control(as_user(isms_manager), control.pk, status="implemented")
    control.refresh_from_db()
    assert control.status == "implemented"
    # moving it into a system the manager does not manage is refused too
    with pytest.raises(PermissionDenied):
        services.update_control(as_user(isms_manager), control.pk, management_systems=["aims"])


def test_given_a_control_when_linking_requirements_then_coverage_and_notes_are_kept(
    isms: ManagementSystem, operator: Actor
) -> None:
    control = services.create_control(
        operator, title="Supplier reviews", type="process", frequency="per_event"
    )
    link = services.link_requirement(
        operator, control.ref_id, "iso27001:2022:A.5.19", "full", "Onboarding review"
    )
    services.link_requirement(operator, control.ref_id, "iso42001:2023:A.10.3", "partial", "AI questions")
    again = services.link_requirement(
        operator, control.ref_id, "iso27001:2022:A.5.19", "partial", "Only SaaS"
    )
    assert again.pk == link.pk and again.coverage == "partial"
    assert control.requirements.count() == 2
    update = TrailEntry.objects.filter(object_type="controls.controllink", action="update").get()
    assert "coverage" in update.payload
    with pytest.raises(ValidationFailed, match="No requirement"):
        services.link_requirement(operator, control.ref_id, "iso27001:2022:A.9.2.1")
    with pytest.raises(ValidationFailed, match="full or partial"):
        services.link_requirement(operator, control.ref_id, "iso27001:2022:A.5.20", "most")


def test_given_a_deleted_control_then_the_trail_keeps_it_and_its_links(
    isms: ManagementSystem, operator: Actor
) -> None:
    control = services.create_control(operator, title="Backups", type="technical", frequency="daily")
    services.link_requirement(operator, control.pk, "iso27001:2022:A.8.13")
    services.delete_control(operator, control.pk)
    entry = TrailEntry.objects.filter(object_id=str(control.pk), action="delete").get()
    assert "Backups" in entry.payload and "iso27001:2022:A.8.13" in entry.payload
    assert not ControlLink.objects.exists()


def test_given_templates_when_adopted_then_controls_remember_them_with_their_links(
    library: Path, isms: ManagementSystem, operator: Actor, make_user: Callable[..., User]
) -> None:
    services.load_templates(operator, library)
    owner = make_user(Role.CONTRIBUTOR, isms)
    controls = services.adopt_templates(operator, ["supplier-due-diligence", "backup"], "isms", owner=owner)
    supplier = controls[0]
    assert supplier.template is not None and supplier.template.key == "supplier-due-diligence"
    assert supplier.owner == owner and list(supplier.management_systems.all()) == [isms]
    assert "AI management (ISO/IEC 42001)" in supplier.description
    assert {(lk.requirement.key, lk.coverage) for lk in supplier.links.all()} == {
        ("iso27001:2022:A.5.19", "full"),
        ("iso42001:2023:A.10.3", "partial"),
    }
    with pytest.raises(Conflict, match="Already adopted: backup"):
        services.adopt_templates(operator, ["backup"], "isms")
    with pytest.raises(ValidationFailed, match="Unknown or withdrawn"):
        services.adopt_templates(operator, ["no-such-template"], "isms")
