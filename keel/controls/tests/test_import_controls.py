"""Import of controls: the plan, applying it in one transaction, re-import, bad rows, and the
acceptance test of the issue (a 100-row XLSX referencing ISO 27001 Annex A)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import openpyxl
import pytest

from keel.controls.importing.references import ReferenceResolver
from keel.controls.importing.services import ImportFileError, import_controls
from keel.controls.models import Control, ControlLink
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.errors import PermissionDenied
from keel.platform.models import TrailEntry, User
from keel.standards.models import Requirement

OPERATOR = Actor.cli()

MESSY = (
    "Acme GmbH — Kontrollregister / control register\n"
    "Exported 2026-11-01;;;;;;;\n"
    "\n"
    "Control #;CONTROL NAME;Owner E-Mail;Implementation status;How often;ISO 27001:2022 reference;"
    "ISO 42001 controls;Labels;Notes\n"
    'KC-101;Contrôle d\'accès;owner@example.com;Done;Yearly;"A.5.15; A.8.2";;cloud, IAM;x\n'
    "KC-102;Sauvegardes;;In progress;nightly;A.12.3.1;;;\n"
    "KC-103;Audit interne;;Planned;Annual;9.2;Clause 9.2;;\n"
    "KC-104;Fournisseurs IA;;N/A;ad hoc;iso27001:2022:A.5.19;A.10.3;;\n"
    "KC-105;Bad row;nobody@example.com;Whatever;daily;A.99.1;;;\n"
)


def messy_file(without_bad_row: bool = False) -> bytes:
    text = MESSY
    if without_bad_row:
        text = "".join(line + "\n" for line in text.splitlines() if not line.startswith("KC-105"))
    return text.encode("cp1252")


@pytest.fixture
def owner(make_user: Callable[..., User]) -> User:
    return make_user(Role.CONTRIBUTOR, email="owner@example.com")


def test_given_a_messy_file_then_the_dry_run_plans_every_row_with_reasons_and_warnings(
    isms: ManagementSystem, owner: User
) -> None:
    # When
    plan = import_controls(OPERATOR, messy_file(), "messy.csv", dry_run=True)

    # Then
    assert [(r.row, r.action) for r in plan.rows] == [
        (5, "create"),
        (6, "create"),
        (7, "create"),
        (8, "create"),
        (9, "reject"),
    ]
    first, backups, audit, ai = plan.rows[:4]
    assert first.values["status"] == "implemented" and first.values["owner"] == owner.pk
    assert first.links == ["iso27001:2022:A.5.15", "iso27001:2022:A.8.2"]
    assert first.tags == ["cloud", "iam"]
    assert backups.links == ["iso27001:2022:A.8.13"] and backups.values["frequency"] == "daily"
    assert audit.links == [  # "9.2", a heading, links its sub-clauses
        "iso27001:2022:9.2.1",
        "iso27001:2022:9.2.2",
        "iso42001:2023:9.2.1",
        "iso42001:2023:9.2.2",
    ]
    assert ai.values["status"] == "not_applicable" and ai.values["frequency"] == "per_event"
    assert ai.links == ["iso27001:2022:A.5.19", "iso42001:2023:A.10.3"]
    reason = plan.rows[4].reason
    assert "A.99.1" in reason and "nobody@example.com" not in reason and "Whatever" not in reason
    messages = [m for _, m in plan.warnings]
    # An unknown owner is a person to add, never a rejection (issue 11); a rejected row adds nobody.
    assert plan.people == [] and not any("nobody@example.com" in m for m in messages)
    assert any("'Whatever' is not understood" in m for m in messages)
    assert any("2013 numbering" in m for m in messages)
    assert any("'Notes' is not imported" in m for m in messages)
    assert Control.objects.count() == 0


def test_given_a_file_with_a_bad_row_then_nothing_is_changed(isms: ManagementSystem, owner: User) -> None:
    trail = TrailEntry.objects.count()
    plan = import_controls(OPERATOR, messy_file(), "messy.csv")
    assert not plan.applied and len(plan.rejected) == 1
    assert Control.objects.count() == 0 and TrailEntry.objects.count() == trail


def test_given_only_valid_then_the_valid_rows_are_imported_with_a_trail_entry_each(
    isms: ManagementSystem, owner: User
) -> None:
    trail = TrailEntry.objects.count()
    plan = import_controls(OPERATOR, messy_file(), "messy.csv", only_valid=True, management_system="isms")
    assert plan.applied
    assert sorted(Control.objects.values_list("ref_id", flat=True)) == [
        "KC-101",
        "KC-102",
        "KC-103",
        "KC-104",
    ]
    kc = Control.objects.get(ref_id="KC-101")
    assert (kc.owner, kc.status, kc.title) == (owner, "implemented", "Contrôle d'accès")
    assert list(kc.management_systems.all()) == [isms]
    assert ControlLink.objects.count() == 9  # KC-103's "9.2" and "Clause 9.2" link 9.2.1 and 9.2.2 of each
    # 4 controls + 9 links + 1 import summary
    assert TrailEntry.objects.count() == trail + 14
    assert TrailEntry.objects.filter(object_type="controls.import").count() == 1


def test_given_a_re_import_then_controls_are_updated_by_ref_not_duplicated(
    isms: ManagementSystem, owner: User
) -> None:
    import_controls(OPERATOR, messy_file(True), "messy.csv")
    trail = TrailEntry.objects.count()

    again = import_controls(OPERATOR, messy_file(True), "messy.csv")
    assert {r.action for r in again.rows} == {"unchanged"}
    assert TrailEntry.objects.count() == trail

    changed = messy_file(True).replace(b"KC-102;Sauvegardes;;In progress", b"kc-102;Sauvegardes;;Implemented")
    plan = import_controls(OPERATOR, changed, "messy.csv")
    assert [(r.ref, r.action, r.changes) for r in plan.rows if r.action != "unchanged"] == [
        ("KC-102", "update", {"status": ["in_progress", "implemented"]})
    ]
    assert Control.objects.count() == 4
    assert Control.objects.get(ref_id="KC-102").status == "implemented"


def test_duplicate_refs_and_missing_titles_are_rejected(isms: ManagementSystem) -> None:
    data = b"Ref,Title\nKC-1,One\nKC-1,Again\nKC-2,\n,No ref\n"
    plan = import_controls(OPERATOR, data, "d.csv", dry_run=True)
    assert [(r.action, r.reason) for r in plan.rows[1:]] == [
        ("reject", "reference KC-1 already appears on row 2"),
        ("reject", "no title: a new control needs one"),
        ("reject", "no control reference (the ref column is empty)"),
    ]


def test_a_file_without_a_ref_column_or_with_bad_options_is_refused(isms: ManagementSystem) -> None:
    with pytest.raises(ImportFileError, match="no column for the control reference"):
        import_controls(OPERATOR, b"Title,Owner,Status\nA,,Done\n", "t.csv", dry_run=True)
    with pytest.raises(ImportFileError, match="not a loaded standard"):
        import_controls(OPERATOR, b"Ref,Title\nA,B\n", "t.csv", standard="iso9001", dry_run=True)
    with pytest.raises(ImportFileError, match="no such management system"):
        import_controls(OPERATOR, b"Ref,Title\nA,B\n", "t.csv", management_system="nope", dry_run=True)


def test_the_standard_option_disambiguates_bare_ids(isms: ManagementSystem) -> None:
    data = b"Ref,Title,References\nKC-1,One,A.5.2\n"
    assert import_controls(OPERATOR, data, "t.csv", dry_run=True).rows[0].action == "reject"
    plan = import_controls(OPERATOR, data, "t.csv", dry_run=True, standard="iso42001:2023")
    assert plan.rows[0].links == ["iso42001:2023:A.5.2"]


def test_importing_needs_edit_controls(isms: ManagementSystem, make_user: Callable[..., User]) -> None:
    viewer = make_user(Role.VIEWER)
    with pytest.raises(PermissionDenied):
        import_controls(Actor.for_user(viewer, "cli"), b"Ref,Title\nKC-1,One\n", "t.csv", dry_run=True)
    manager = make_user(Role.COMPLIANCE_MANAGER, management_system=isms)
    plan = import_controls(
        Actor.for_user(manager, "cli"), b"Ref,Title\nKC-1,One\n", "t.csv", management_system="isms"
    )
    assert plan.applied and Control.objects.get(ref_id="KC-1").management_systems.get() == isms


# ---------------------------------------------------------------- the acceptance test


def _hundred_row_workbook(annex: list[str], bad_row: bool = False) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "ISMS controls"
    ws.append(["Acme Ltd — information security controls"])
    ws.append(["Owner: Head of Security", None, "Version 7"])
    ws.append([])
    ws.append(
        [
            "Control ID",
            "Control Name",
            "Description",
            "Implementation Status",
            "Frequency",
            "ISO 27001:2022 reference",
            "Tags",
        ]
    )
    statuses = ["Implemented", "In progress", "Planned", "Done"]
    frequencies = ["Annually", "Quarterly", "Monthly", "Continuous", "Per event"]
    for i in range(100):
        first, second = annex[i % len(annex)], annex[(i * 7 + 3) % len(annex)]
        refs = f"{first}; {second}" if i % 3 == 0 else (first[2:] if i % 3 == 1 else first)
        ws.append(
            [
                f"AC-{i + 1:03d}",
                f"Control {i + 1}",
                f"What control {i + 1} does.",
                statuses[i % 4],
                frequencies[i % 5],
                refs,
                "imported" if i % 2 else "imported, legacy",
            ]
        )
    if bad_row:
        ws.cell(row=50, column=6, value="A.42.1")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_acceptance_a_100_row_spreadsheet_referencing_27001_annex_a(isms: ManagementSystem) -> None:
    # Given a 100-row XLSX referencing ISO 27001 Annex A (A.x.y, bare x.y and lists)
    annex = list(
        Requirement.objects.filter(standard__key="iso27001:2022", kind="annex_control")
        .order_by("sort_order")
        .values_list("ref_id", flat=True)
    )
    data = _hundred_row_workbook(annex)
    clauses = set(
        Requirement.objects.filter(standard__key="iso27001:2022", kind="clause").values_list(
            "ref_id", flat=True
        )
    )
    expected_links = set()
    for i in range(100):
        first = annex[i % len(annex)]
        # The column writes Annex A with "A.", so a bare number that is also a clause is the clause.
        bare_clause = i % 3 == 1 and first[2:] in clauses
        key = f"iso27001:2022:{first[2:] if bare_clause else first}"
        # a heading clause (6.1, 7.5) links its sub-clauses
        for leaf in ReferenceResolver.from_database().leaf_clauses_under(key) or [key]:
            expected_links.add((f"AC-{i + 1:03d}", leaf))
        if i % 3 == 0:
            expected_links.add((f"AC-{i + 1:03d}", f"iso27001:2022:{annex[(i * 7 + 3) % len(annex)]}"))

    # When it is imported
    plan = import_controls(OPERATOR, data, "isms.xlsx", management_system="isms")

    # Then the controls and their links are there
    assert plan.applied and plan.summary()["created"] == 100 and not plan.rejected
    assert Control.objects.filter(management_systems=isms).count() == 100
    assert set(ControlLink.objects.values_list("control__ref_id", "requirement__key")) == expected_links
    assert Control.objects.get(ref_id="AC-001").status == "implemented"

    # When it is imported again, then nothing changes
    trail = TrailEntry.objects.count()
    again = import_controls(OPERATOR, data, "isms.xlsx", management_system="isms")
    assert again.summary()["unchanged"] == 100 and TrailEntry.objects.count() == trail

    # And the 27001 SoA built from them has the right rows
    from keel.soa import queries as soa_queries
    from keel.soa.services import create_soa

    soa = create_soa(OPERATOR, isms.pk, "iso27001:2022")
    rows = {r["ref_id"]: r for r in soa_queries.rows(soa)}
    assert len(rows) == 93
    first = rows[annex[0]]
    assert "AC-001" in {c["ref_id"] for c in first["controls"]}


def test_acceptance_a_100_row_spreadsheet_with_a_bad_row_reports_it_and_changes_nothing(
    isms: ManagementSystem,
) -> None:
    annex = list(
        Requirement.objects.filter(standard__key="iso27001:2022", kind="annex_control").values_list(
            "ref_id", flat=True
        )
    )
    trail = TrailEntry.objects.count()
    plan = import_controls(OPERATOR, _hundred_row_workbook(annex, bad_row=True), "isms.xlsx")
    assert [(r.row, r.ref) for r in plan.rejected] == [(50, "AC-046")]
    assert "A.42.1" in plan.rejected[0].reason
    assert not plan.applied and Control.objects.count() == 0 and TrailEntry.objects.count() == trail


def test_a_reference_stored_as_a_number_in_xlsx_gets_a_warning(isms: ManagementSystem) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["Ref", "Title", "Annex A control"])
    wb.active.append(["KC-1", "One", 5.15])
    buf = io.BytesIO()
    wb.save(buf)
    plan = import_controls(OPERATOR, buf.getvalue(), "n.xlsx", dry_run=True, standard="iso27001:2022")
    assert plan.rows[0].links == ["iso27001:2022:A.5.15"]
    assert any("stored as a number" in m for _, m in plan.warnings)


def test_the_json_report_has_the_documented_shape(isms: ManagementSystem, owner: User) -> None:
    report: dict[str, Any] = import_controls(OPERATOR, messy_file(), "messy.csv", dry_run=True).as_dict()
    assert set(report) == {
        "file",
        "kind",
        "dry_run",
        "only_valid",
        "applied",
        "source",
        "summary",
        "created",
        "updated",
        "unchanged",
        "rejected",
        "warnings",
        "people_to_add",
    }
    assert report["summary"] == {
        "rows": 5,
        "created": 4,
        "updated": 0,
        "unchanged": 0,
        "rejected": 1,
        "warnings": report["summary"]["warnings"],
        "people_to_add": 0,
    }
    assert report["rejected"][0]["row"] == 9 and report["source"]["encoding"] == "cp1252"
    assert report["created"][0] == {
        "row": 5,
        "ref": "KC-101",
        "title": "Contrôle d'accès",
        "links": ["iso27001:2022:A.5.15", "iso27001:2022:A.8.2"],
    }
