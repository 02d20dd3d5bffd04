"""Issue 11 item 2: a real ISMS spreadsheet imports whole, its references read as a person reads
them; plus the rules one by one (bare numbers, --bare-refs, areas and objectives, unknown words,
footer rows)."""

from __future__ import annotations

import pytest

from keel.controls.choices import Frequency
from keel.controls.importing.columns import StandardHint
from keel.controls.importing.references import Context, ReferenceResolver, majority_style
from keel.controls.importing.services import import_controls
from keel.controls.models import Control, ControlLink
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.models import TrailEntry, User
from keel.platform.spreadsheets import footer_reason
from keel.soa.importing import import_soa

from . import isms_sheet

pytestmark = pytest.mark.django_db

OPERATOR = Actor.cli()
I27 = StandardHint("iso27001", "2022")


def links_of(ref: str) -> set[str]:
    return set(ControlLink.objects.filter(control__ref_id=ref).values_list("requirement__key", flat=True))


def test_given_a_real_register_with_unknown_owners_then_every_row_imports_once(
    isms: ManagementSystem,
) -> None:
    # Given the 40-row register (owners nobody created, "Per hire", "A.5.1; 5.2", a TOTAL footer)
    data = isms_sheet.workbook()

    # When it is imported without any option
    plan = import_controls(OPERATOR, data, "register.xlsx")

    # Then all 40 rows are created, none rejected, and the footer rows are skipped with a warning
    assert plan.applied and plan.summary()["created"] == 40 and plan.summary()["rejected"] == 0
    skipped = [m for _, m in plan.warnings if m.startswith("skipped a total")]
    assert len(skipped) == 2
    # The bare number in an A.-style cell is the clause, not the Annex A control
    assert links_of("ISMS-01") == {"iso27001:2022:A.5.1", "iso27001:2022:5.2"}
    assert links_of("ISMS-19") == {"iso27001:2022:A.6.3", "iso27001:2022:7.2", "iso27001:2022:7.3"}
    # ...and in a cell without "A." of a column that writes "A." elsewhere, too
    assert links_of("ISMS-37") == {"iso27001:2022:6.1.2", "iso27001:2022:8.2"}
    # Event-driven frequencies are a real value with the word kept
    screening = Control.objects.get(ref_id="ISMS-17")
    assert (screening.frequency, screening.frequency_note) == (Frequency.PER_EVENT, "Per hire")
    supplier = Control.objects.get(ref_id="ISMS-10")
    assert (supplier.frequency, supplier.frequency_note) == (Frequency.PER_EVENT, "Per contract")
    assert Control.objects.get(ref_id="ISMS-04").frequency == Frequency.CONTINUOUS
    # Owners nobody created are added to the directory as people without a login, once each
    report = plan.as_dict()
    assert report["created"][0]["owner_new"] == "Dana Whitfield"
    assert [p["name"] for p in report["people_to_add"]] == sorted(isms_sheet.OWNERS)
    dana = User.objects.get(full_name="Dana Whitfield")
    assert not dana.has_login and not dana.has_usable_password() and not dana.has_email
    assert Control.objects.get(ref_id="ISMS-01").owner == dana
    assert Control.objects.filter(owner__isnull=True).count() == 0
    assert not any("owner" in w["message"] for w in report["warnings"])
    assert TrailEntry.objects.filter(object_type="platform.user", action="create").count() == len(
        isms_sheet.OWNERS
    )
    # The organisation has one management system: the controls belong to it
    assert Control.objects.filter(management_systems=isms).count() == 40

    # When it is imported again, then nothing changes
    trail = TrailEntry.objects.count()
    again = import_controls(OPERATOR, data, "register.xlsx")
    assert again.summary()["unchanged"] == 40 and again.summary()["created"] == 0
    assert again.people == []
    assert TrailEntry.objects.count() == trail
    assert User.objects.count() == len(isms_sheet.OWNERS)


def test_the_one_management_system_is_not_chosen_when_there_are_two(
    isms: ManagementSystem, aims: ManagementSystem
) -> None:
    import_controls(OPERATOR, isms_sheet.workbook(), "register.xlsx")
    assert (
        Control.objects.count() == 40
        and not Control.objects.filter(management_systems__isnull=False).exists()
    )


@pytest.fixture
def resolver(db: object) -> ReferenceResolver:
    return ReferenceResolver.from_database()


def test_a_bare_number_is_what_it_can_only_be(resolver: ReferenceResolver) -> None:
    ctx = Context(hint=I27)
    assert resolver.resolve("9.1", ctx).keys == ["iso27001:2022:9.1"]  # only a clause
    # 9.2 is only a clause too, and a heading: its sub-clauses are linked, with a warning
    heading = resolver.resolve("9.2", ctx)
    assert heading.keys == ["iso27001:2022:9.2.1", "iso27001:2022:9.2.2"]
    assert heading.warnings == ["9.2 of iso27001:2022 is a heading: linked to its sub-clauses 9.2.1, 9.2.2"]
    assert resolver.resolve("6.1.2", ctx).keys == ["iso27001:2022:6.1.2"]
    assert resolver.resolve("5.15", ctx).keys == ["iso27001:2022:A.5.15"]  # only a control
    # In an A.-style column, a bare control-only number stays the control
    assert resolver.resolve("5.15", Context(hint=I27, column_writes_annex=True)).keys == [
        "iso27001:2022:A.5.15"
    ]


def test_the_bare_refs_option_forces_the_reading(resolver: ReferenceResolver) -> None:
    cell = "A.5.1; 5.2"
    assert resolver.resolve(cell, Context(hint=I27)).keys == ["iso27001:2022:A.5.1", "iso27001:2022:5.2"]
    forced = resolver.resolve(cell, Context(hint=I27, bare="annex"))
    assert forced.keys == ["iso27001:2022:A.5.1", "iso27001:2022:A.5.2"] and forced.warnings == []
    assert resolver.resolve("8.2", Context(hint=I27, bare="clause")).keys == ["iso27001:2022:8.2"]


def test_ambiguous_numbers_follow_the_files_majority_and_are_flagged(resolver: ReferenceResolver) -> None:
    # Given a column without "A." whose bare numbers are mostly clause-only (9.2, 10.1, 4.1)
    clause_file = majority_style(resolver, [("9.2", I27), ("10.1; 4.1", I27), ("5.15", I27)])
    assert clause_file.majority == "clause"
    result = resolver.resolve("7.2", Context(hint=I27, majority=clause_file.majority))
    assert result.keys == ["iso27001:2022:7.2"] and "read as clause 7.2" in result.warnings[0]
    # And one whose bare numbers are mostly control-only (5.15, 8.24)
    annex_file = majority_style(resolver, [("5.15", I27), ("8.24", I27), ("9.2", I27)])
    assert annex_file.majority == "annex"
    result = resolver.resolve("7.2", Context(hint=I27, majority=annex_file.majority))
    assert result.keys == ["iso27001:2022:A.7.2"] and "--bare-refs clause" in result.warnings[0]


def test_an_area_or_objective_is_never_linked_and_its_controls_are_named(resolver: ReferenceResolver) -> None:
    i42 = Context(hint=StandardHint("iso42001", "2023"))
    for ref, kind in (("A.2", "area"), ("A.2.1", "objective"), ("A.6.1", "objective")):
        result = resolver.resolve(ref, i42)
        assert result.keys == [] and result.errors == [], ref
        assert kind in result.warnings[0] and "not a link target" in result.warnings[0]
    assert "A.2.2, A.2.3, A.2.4" in resolver.resolve("A.2.1", i42).warnings[0]
    assert "A.6.1.2, A.6.1.3" in resolver.resolve("A.6.1", i42).warnings[0]


def test_an_unknown_frequency_word_is_kept_with_a_warning(isms: ManagementSystem) -> None:
    data = (
        b"Control ID;Control Name;Frequency;Status;ISO 27001:2022 reference\n"
        b"KC-1;Key rotation;Biennially;Whenever;A.8.24\n"
        b"KC-2;Offboarding;Upon termination;Implemented;A.5.18\n"
        b"KC-3;Report;Per quarter;Implemented;9.1\n"
    )
    plan = import_controls(OPERATOR, data, "f.csv")
    assert plan.applied and not plan.rejected
    rotation = Control.objects.get(ref_id="KC-1")
    assert (rotation.frequency, rotation.frequency_note) == (Frequency.ANNUALLY, "Biennially")
    assert rotation.status == "planned"  # the unknown status word is left out: the default
    offboarding = Control.objects.get(ref_id="KC-2")
    assert (offboarding.frequency, offboarding.frequency_note) == (Frequency.PER_EVENT, "Upon termination")
    assert Control.objects.get(ref_id="KC-3").frequency == Frequency.QUARTERLY
    messages = [m for _, m in plan.warnings]
    assert any("'Biennially' is not a frequency Keel knows" in m for m in messages)
    assert any("'Whenever' is not understood" in m for m in messages)


@pytest.mark.parametrize(
    ("cells", "footer"),
    [
        (["TOTAL", None, "40"], True),
        (["Total: 40", None], True),
        (["Grand total", 40], True),
        ([None, None, 40], True),
        ([None, "40 controls"], True),
        (["", "Count: 12"], True),
        (["KC-1", "Total cost of ownership review"], False),
        ([None, "Backup", "Nightly"], False),
        (["A.5.1", None], False),
    ],
)
def test_footer_rows_are_recognised(cells: list[object], footer: bool) -> None:
    assert (footer_reason(cells, 0) is not None) is footer


def test_an_soa_file_skips_its_total_row_and_takes_bare_refs(isms: ManagementSystem) -> None:
    data = b"Annex A control;Applicable;Justification\nA.5.1;Yes;Policy set\n5.2;Yes;Roles\nTotal: 2;;\n"
    plan = import_soa(OPERATOR, data, "soa.csv", standard="iso27001:2022", dry_run=True)
    assert [(r.ref, r.action) for r in plan.rows] == [("A.5.1", "update"), ("A.5.2", "update")]
    assert any("skipped a total row" in m for _, m in plan.warnings)
    # Forced to clauses, 5.2 is not an Annex A control: the row is refused, nothing written
    forced = import_soa(OPERATOR, data, "soa.csv", standard="iso27001:2022", bare_refs="clause", dry_run=True)
    assert [r.action for r in forced.rows] == ["update", "reject"]
