"""Read-side queries of the control catalogue: the perimeter, the coverage matrix, a control's
history and the controls implementing a requirement."""

from __future__ import annotations

from collections.abc import Callable

from keel.controls import matrix, queries, services
from keel.controls.models import Control, ControlLink
from keel.organisation.models import ManagementSystem
from keel.platform.choices import Role
from keel.platform.models import User
from keel.platform.permissions import Perm
from keel.standards.models import Requirement

from .test_api import OP, make_control


def test_visible_gives_a_system_reader_its_controls_and_the_organisation_ones(
    make_user: Callable[..., User], isms: ManagementSystem, aims: ManagementSystem
) -> None:
    a = make_control(isms, "A")
    b = make_control(aims, "B")
    org = make_control(None, "Org")
    reader = make_user(Role.VIEWER, aims)
    assert set(queries.visible(Control.objects.all(), reader)) == {b, org}
    admin = make_user(Role.ADMIN)
    assert set(queries.visible(Control.objects.all(), admin)) == {a, b, org}
    assert not queries.can(reader, Perm.VIEW, a) and queries.can(reader, Perm.VIEW, b)


def test_a_control_in_two_systems_is_edited_only_with_both(
    make_user: Callable[..., User], isms: ManagementSystem, aims: ManagementSystem
) -> None:
    both = services.create_control(
        OP, title="Shared", type="process", frequency="daily", management_systems=[isms.pk, aims.pk]
    )
    editor = make_user(Role.COMPLIANCE_MANAGER, isms)
    assert queries.can(editor, Perm.VIEW, both)
    assert not queries.can(editor, Perm.EDIT_CONTROLS, both, every=True)
    assert queries.perimeter_of(both, editor, Perm.EDIT_CONTROLS, every=True) == aims


def test_the_matrix_puts_each_link_in_its_column_under_its_theme(
    isms: ManagementSystem, make_user: Callable[..., User]
) -> None:
    # Given two controls linked to 27001 and 42001 Annex A controls
    a = make_control(
        isms, "Suppliers", links=[("iso27001:2022:A.5.19", "full"), ("iso42001:2023:A.10.3", "partial")]
    )
    b = make_control(isms, "Backups", links=[("iso27001:2022:A.8.13", "full")])
    make_control(isms, "Not linked")
    # When the matrix of both standards' Annex A is built
    m = matrix.coverage_matrix(make_user(Role.ADMIN), ["iso27001:2022", "iso42001:2023"])
    # Then there is one column per Annex A control (93 + 38), grouped by theme
    assert len(m.columns) == 93 + 38
    assert m.groups[0].theme is not None and m.groups[0].theme.key == "iso27001:2022:A.5"
    assert sum(len(g.columns) for g in m.groups) == len(m.columns)
    # and one row per linked control, with full/partial cells where the links are
    assert [r.control.ref_id for r in m.rows] == [a.ref_id, b.ref_id]
    col = {c.requirement.key: i for i, c in enumerate(m.columns)}
    row_a = m.rows[0]
    assert row_a.cells[col["iso27001:2022:A.5.19"]].coverage == "full"
    assert row_a.cells[col["iso42001:2023:A.10.3"]].coverage == "partial"
    assert (row_a.full, row_a.partial) == (1, 1)
    assert m.covered == 3
    assert row_a.cells[0].first and not row_a.cells[1].first


def test_the_matrix_of_clauses_filtered_by_theme_and_system(
    isms: ManagementSystem, aims: ManagementSystem, make_user: Callable[..., User]
) -> None:
    make_control(isms, "Audit", links=[("iso42001:2023:9.2.1", "full")])
    in_aims = make_control(aims, "AI audit", links=[("iso42001:2023:9.2.2", "partial")])
    m = matrix.coverage_matrix(make_user(Role.ADMIN), ["iso42001:2023"], "clauses", aims, "iso42001:2023:9")
    assert all(c.requirement.key.startswith("iso42001:2023:9.") for c in m.columns)
    assert [r.control for r in m.rows] == [in_aims]


def test_history_holds_the_control_and_its_links_even_removed_ones(isms: ManagementSystem) -> None:
    control = make_control(isms, "Suppliers", links=[("iso27001:2022:A.5.19", "full")])
    link = ControlLink.objects.get(control=control)
    services.update_control(OP, control.pk, status="in_progress")
    services.unlink_requirement(OP, link.pk)
    other = make_control(isms, "Other", links=[("iso27001:2022:A.5.1", "full")])
    entries = queries.history(control)
    assert [(e.object_type, e.action) for e in entries] == [
        ("controls.controllink", "delete"),
        ("controls.control", "update"),
        ("controls.controllink", "create"),
        ("controls.control", "create"),
    ]
    assert all(str(other.pk) != e.object_id for e in entries)


def test_implemented_by_finds_direct_links_and_those_of_the_same_backbone_clause(
    isms: ManagementSystem, aims: ManagementSystem, make_user: Callable[..., User]
) -> None:
    direct = make_control(isms, "Audit programme", links=[("iso27001:2022:9.2.2", "full")])
    twin = make_control(aims, "AI audit", links=[("iso42001:2023:9.2.2", "partial")])
    req = Requirement.objects.get(key="iso27001:2022:9.2.2")
    found = queries.implemented_by(req, make_user(Role.ADMIN))
    assert [lk.control for lk in found["direct"]] == [direct]
    assert [lk.control for lk in found["backbone"]] == [twin]
    # a reader of the ISMS only does not see the AIMS control
    limited = queries.implemented_by(req, make_user(Role.VIEWER, isms))
    assert limited["backbone"] == []
