"""End-to-end: the import wizard — upload a messy spreadsheet, read the dry-run preview, fix
nothing, import the valid rows — in Chromium, under the content security policy."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import Browser, Seed

pytestmark = pytest.mark.browser

FILE = (
    "Control register (draft)\n\n"
    "Control ID;Control Name;Status;ISO 27001:2022 reference\n"
    'KC-1;Contrôle d\'accès;Done;"A.5.15; A.8.2"\n'
    "KC-2;Backups;Planned;A.12.3.1\n"
    "KC-3;Broken;Maybe;A.99.1\n"  # the unknown requirement rejects the row
)


def test_upload_preview_and_import_the_valid_rows(web: Browser, seed: Seed, tmp_path: Path) -> None:
    from keel.controls.models import Control

    path = tmp_path / "register.csv"
    path.write_bytes(FILE.encode("cp1252"))
    page = web.page
    web.login(seed.admin_email, start="/controls/import/")
    expect(page.get_by_role("heading", name="Import controls from a spreadsheet")).to_be_visible()
    # When the user uploads the file into the integrated system
    page.set_input_files("#id_file", str(path))
    page.select_option("#id_management_system", "integrated")
    page.get_by_role("button", name="Preview the import").click()
    # Then the preview shows every row, the reason of the rejected one, and nothing is saved
    rows = page.locator("[data-testid=import-rows] tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Contrôle d'accès")
    expect(rows.nth(1)).to_contain_text("iso27001:2022:A.8.13")
    expect(rows.nth(2)).to_contain_text("A.99.1")
    expect(page.get_by_text("2013 numbering", exact=False)).to_be_visible()
    assert Control.objects.count() == 0
    # When the user imports the valid rows only
    page.locator("[data-testid=import-confirm]").click()
    # Then the two valid controls exist in the system
    expect(page.get_by_role("heading", name="Imported register.csv")).to_be_visible()
    assert sorted(
        Control.objects.filter(management_systems__short_name="integrated").values_list("ref_id", flat=True)
    ) == [
        "KC-1",
        "KC-2",
    ]


def test_assets_import_page_maps_a_column_then_imports(web: Browser, seed: Seed, tmp_path: Path) -> None:
    """The shared import pages (SoA, assets, crosswalks): upload, change a column's field under
    "Columns", read again, import — under the content security policy, with the busy note."""
    from keel.assets.models import Asset

    path = tmp_path / "assets.csv"
    path.write_text("Asset,Location,Kategorie\nOffice laptops,HQ,laptop\n", encoding="utf-8")
    page = web.page
    web.login(seed.admin_email, start="/assets/import/")
    page.set_input_files("#id_file", str(path))
    page.select_option("#id_management_system", "integrated")
    page.get_by_role("button", name="Preview the import").click()
    # The unknown column is not imported until the user reads it as the type
    expect(page.get_by_text("Column 'Kategorie' is not used", exact=False)).to_be_visible()
    page.select_option("select[name='map:Kategorie']", "type")
    page.locator("[data-testid=import-reread]").click()
    page.wait_for_url("**/import/confirm/?reread=1")
    expect(page.get_by_text("Column 'Kategorie' is not used", exact=False)).to_have_count(0)
    assert not Asset.objects.exists()
    page.locator("[data-testid=import-confirm]").click()
    expect(page.get_by_role("heading", name="Imported assets.csv")).to_be_visible()
    assert list(Asset.objects.values_list("name", "type")) == [("Office laptops", "device")]
