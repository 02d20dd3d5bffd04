"""The asset import pages: upload an asset register → column mapping → dry-run report → apply.
Thin: the pages are the platform's (:mod:`keel.platform.importing.pages`) and the work is
:class:`keel.assets.importing.AssetImport`, exactly as ``keel import assets`` does it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods, require_POST

from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.importing import pages
from keel.platform.importing.report import ImportReport
from keel.platform.pages import page
from keel.platform.permissions import Perm, check

from .importing import AssetImport


class AssetImportForm(pages.ImportForm):
    management_system = forms.ChoiceField(
        required=False,
        label="Management system",
        help_text="For rows without a management-system column.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["management_system"].choices = [  # type: ignore[attr-defined]
            ("", "From the file's management-system column"),
            *((ms.short_name, ms.name) for ms in ManagementSystem.objects.order_by("name")),
        ]


def _run(
    actor: Actor, data: bytes, filename: str, options: dict[str, Any], mappings: list[str], dry_run: bool
) -> ImportReport:
    check(actor, Perm.EDIT_ASSETS)
    importer = AssetImport(
        actor, filename, management_system=options.get("management_system"), mappings=mappings
    )
    return importer.run(data, dry_run=dry_run)


SPEC = pages.ImportPage(
    kind="assets",
    title="Import information assets",
    intro="Upload a CSV or XLSX asset register: name, reference, type, owner, classification, "
    "management system and location. A re-import updates assets by reference.",
    back=("asset-list", "Assets"),
    url_name="asset-import",
    confirm_url_name="asset-import-confirm",
    form=AssetImportForm,
    run=_run,
    noun=("asset", "assets"),
    fields={
        "ref": "Reference",
        "title": "Name",
        "description": "Description",
        "type": "Type",
        "owner": "Owner",
        "classification": "Classification",
        "management_systems": "Management system",
        "location": "Location",
    },
)


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_ASSETS)
def asset_import(request: HttpRequest) -> HttpResponse:
    """Upload an asset register and see the dry-run report."""
    return pages.upload(request, SPEC)


@require_POST
@page(Perm.EDIT_ASSETS)
def asset_import_confirm(request: HttpRequest) -> HttpResponse:
    """Read the file again with other columns, or import it as previewed."""
    return pages.confirm(request, SPEC)
