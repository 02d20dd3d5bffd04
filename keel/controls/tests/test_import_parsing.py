"""Import: reading messy files, column names, requirement references, the 2013 → 2022 table."""

from __future__ import annotations

import io
import re
from typing import Any

import openpyxl
import pytest

from keel.controls.importing.columns import (
    CONTROL_FIELDS,
    StandardHint,
    header_score,
    map_columns,
    parse_mappings,
)
from keel.controls.importing.references import Context, ReferenceResolver, mapping_2013
from keel.platform.spreadsheets import ImportFileError, read_table
from keel.standards.models import Requirement

SCORE = header_score(CONTROL_FIELDS, {})


# ---------------------------------------------------------------- reading


def test_given_a_cp1252_semicolon_file_with_title_rows_then_the_header_and_accents_are_found() -> None:
    # Given
    text = "Société Générale — registre\n;;\nControl #;Intitulé;Owner\nKC-1;Contrôle d'accès;\n\nKC-2;Sauvegardes;\n"
    data = text.encode("cp1252")

    # When
    table = read_table(data, "reg.csv", SCORE)

    # Then
    assert (table.encoding, table.delimiter, table.header_row) == ("cp1252", ";", 3)
    assert table.header == ["Control #", "Intitulé", "Owner"]
    assert [(n, cells[1]) for n, cells in table.rows] == [(4, "Contrôle d'accès"), (6, "Sauvegardes")]


def test_given_utf8_with_bom_and_commas_then_the_bom_is_not_part_of_the_first_column() -> None:
    data = '\ufeffRef,Title,Status\nKC-1,"Access, reviewed",Done\n'.encode()
    table = read_table(data, "x.csv", SCORE)
    assert (table.encoding, table.delimiter, table.header[0]) == ("utf-8-sig", ",", "Ref")
    assert next(iter(table.rows))[1][1] == "Access, reviewed"


def test_given_an_xlsx_with_a_title_row_on_a_second_sheet_then_it_is_read() -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Cover"
    wb.active.append(["Nothing to see"])
    ws = wb.create_sheet("Controls")
    ws.append(["Control register 2026"])
    ws.append([])
    ws.append(["Control ID", "Control Name"])
    ws.append(["KC-1", "Backups"])
    buf = io.BytesIO()
    wb.save(buf)
    table = read_table(buf.getvalue(), "r.xlsx", SCORE)
    assert (table.format, table.sheet, table.header_row) == ("xlsx", "Controls", 3)
    assert list(table.rows) == [(4, ["KC-1", "Backups"])]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "old Excel"),
        (b"PK\x03\x04garbage", "not a readable XLSX"),
        (b"just,some,words\nno,header,here\n", "No header row"),
    ],
)
def test_an_unreadable_file_says_why(data: bytes, message: str) -> None:
    with pytest.raises(ImportFileError, match=message):
        read_table(data, "f.csv", SCORE)


# ---------------------------------------------------------------- columns


def test_column_names_in_any_case_and_synonyms_map_to_fields() -> None:
    header = [
        "CONTROL ID",
        "control name",
        "Owner E-mail",
        "Implementation Status",
        "How often",
        "ISO 27001:2022 reference",
        "ISO 42001 controls",
        "Labels",
        "Notes",
    ]
    cm = map_columns(header, CONTROL_FIELDS, {})
    assert [c.field for c in cm.columns] == [
        "ref",
        "title",
        "owner",
        "status",
        "frequency",
        "requirements",
        "requirements",
        "tags",
    ]
    refs = cm.of("requirements")
    assert (refs[0].hint, refs[1].hint) == (StandardHint("iso27001", "2022"), StandardHint("iso42001", None))
    assert cm.ignored == ["Notes"]


def test_map_overrides_a_column_and_bad_maps_are_refused() -> None:
    overrides = parse_mappings(["Notes=description", "Control ID = ignore"], list(CONTROL_FIELDS))
    cm = map_columns(["Control ID", "Number", "Notes"], CONTROL_FIELDS, {**overrides, "number": "ref"})
    assert [(c.name, c.field) for c in cm.columns] == [("Number", "ref"), ("Notes", "description")]
    with pytest.raises(ImportFileError, match="unknown field 'colour'"):
        parse_mappings(["Notes=colour"], list(CONTROL_FIELDS))
    with pytest.raises(ImportFileError, match="COLUMN=FIELD"):
        parse_mappings(["Notes"], list(CONTROL_FIELDS))
    with pytest.raises(ImportFileError, match="not in the header"):
        map_columns(["Ref", "Title"], CONTROL_FIELDS, {"missing": "ref"})


# ---------------------------------------------------------------- references


@pytest.fixture
def resolver(db: Any) -> ReferenceResolver:
    return ReferenceResolver.from_database()


I27 = Context(hint=StandardHint("iso27001", "2022"))
I42 = Context(hint=StandardHint("iso42001", None))
NONE = Context()


@pytest.mark.parametrize(
    ("text", "context", "keys"),
    [
        ("A.5.15", I27, ["iso27001:2022:A.5.15"]),
        ("5.15", I27, ["iso27001:2022:A.5.15"]),
        ("A5.15 Access control", I27, ["iso27001:2022:A.5.15"]),
        ("A.5.15; A.8.2", I27, ["iso27001:2022:A.5.15", "iso27001:2022:A.8.2"]),
        ("A.5.15, A.5.15", I27, ["iso27001:2022:A.5.15"]),
        ("iso42001:2023:A.6.2.4", I27, ["iso42001:2023:A.6.2.4"]),
        ("9.1", I27, ["iso27001:2022:9.1"]),
        ("9.2", I27, ["iso27001:2022:9.2.1", "iso27001:2022:9.2.2"]),  # a heading: its sub-clauses
        ("Clause 9.3", I42, ["iso42001:2023:9.3.1", "iso42001:2023:9.3.2", "iso42001:2023:9.3.3"]),
        ("A.6.2.4", I42, ["iso42001:2023:A.6.2.4"]),
        ("ISO 42001 A.5.2", I27, ["iso42001:2023:A.5.2"]),
        ("A.5.15", NONE, ["iso27001:2022:A.5.15"]),  # only in 27001
        ("A.10.3", NONE, ["iso42001:2023:A.10.3"]),  # only in 42001
    ],
)
def test_references_resolve_to_requirement_keys(
    resolver: ReferenceResolver, text: str, context: Context, keys: list[str]
) -> None:
    result = resolver.resolve(text, context)
    assert (result.keys, result.errors) == (keys, [])


def test_ambiguous_bare_ids_are_refused_with_the_way_out(resolver: ReferenceResolver) -> None:
    for text in ("A.5.2", "9.2"):
        result = resolver.resolve(text, NONE)
        assert result.keys == []
        assert "ambiguous" in result.errors[0] and "--standard" in result.errors[0]


def test_2013_numbering_is_translated_with_a_warning(resolver: ReferenceResolver) -> None:
    result = resolver.resolve("A.9.2.1; A.18.2.3", I27)
    assert result.keys == ["iso27001:2022:A.5.16", "iso27001:2022:A.5.36", "iso27001:2022:A.8.8"]
    assert len(result.warnings) == 2 and "2013" in result.warnings[0]
    # Without any standard, an ID that only the 2013 edition has is still recognised...
    assert resolver.resolve("A.12.3.1", NONE).keys == ["iso27001:2022:A.8.13"]
    # ...but one that 42001 also has is ambiguous.
    assert "ambiguous" in resolver.resolve("A.6.2.2", NONE).errors[0]
    # Named as 2013, it is translated.
    assert resolver.resolve("A.6.2.2", Context(hint=StandardHint("iso27001", "2013"))).keys == [
        "iso27001:2022:A.6.7"
    ]


def test_a_bare_number_that_is_both_clause_and_control_is_the_control_with_a_warning(
    resolver: ReferenceResolver,
) -> None:
    bare = resolver.resolve("5.1", I27)
    assert bare.keys == ["iso27001:2022:A.5.1"] and "Clause 5.1" in bare.warnings[0]
    annex = Context(hint=StandardHint("iso27001", "2022"), prefers_annex=True)
    assert resolver.resolve("5.1", annex).warnings == []
    assert resolver.resolve("Clause 5.1", I27).keys == ["iso27001:2022:5.1"]


def test_unknown_and_malformed_references_are_errors(resolver: ReferenceResolver) -> None:
    assert "unknown requirement 'A.99.1'" in resolver.resolve("A.99.1", I27).errors[0]
    assert "not a requirement reference" in resolver.resolve("see policy", I27).errors[0]
    assert "unknown requirement" in resolver.resolve("iso27001:2022:A.5.99", I27).errors[0]


def test_the_standard_option_accepts_short_forms_and_refuses_unknown_ones(
    resolver: ReferenceResolver,
) -> None:
    assert resolver.parse_standard_option("42001") == StandardHint("iso42001", None)
    assert resolver.parse_standard_option("iso27001:2013") == StandardHint("iso27001", "2013")
    with pytest.raises(ImportFileError, match="not a loaded standard"):
        resolver.parse_standard_option("iso9001:2015")
    with pytest.raises(ImportFileError, match="standard key"):
        resolver.parse_standard_option("whatever")


# ---------------------------------------------------------------- the 2013 → 2022 table


def test_the_2013_table_lists_all_114_controls_of_2013_and_every_target_exists(db: Any) -> None:
    table = mapping_2013()
    assert len(table) == 114
    per_clause = {}
    for ref in table:
        assert re.fullmatch(r"A\.\d+\.\d+\.\d+", ref), ref
        clause = int(ref.split(".")[1])
        per_clause[clause] = per_clause.get(clause, 0) + 1
    # The 2013 Annex A: 14 clauses, A.5 to A.18, with these control counts.
    assert per_clause == {
        5: 2,
        6: 7,
        7: 6,
        8: 10,
        9: 14,
        10: 2,
        11: 15,
        12: 14,
        13: 7,
        14: 13,
        15: 5,
        16: 7,
        17: 4,
        18: 8,
    }
    annex_2022 = set(
        Requirement.objects.filter(standard__key="iso27001:2022", kind="annex_control").values_list(
            "ref_id", flat=True
        )
    )
    targets = {t for ts in table.values() for t in ts}
    assert targets <= annex_2022
    # Controls new in 2022 have no 2013 predecessor.
    assert {
        "A.5.7",
        "A.5.23",
        "A.5.30",
        "A.7.4",
        "A.8.9",
        "A.8.10",
        "A.8.11",
        "A.8.12",
        "A.8.16",
        "A.8.23",
        "A.8.28",
    }.isdisjoint(targets)
    assert len(annex_2022 - targets) == 11
