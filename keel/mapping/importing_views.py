"""The crosswalk import pages: upload a crosswalk CSV (source, target, relation, rationale,
extension) → dry-run report → apply. Thin: the pages are the platform's
(:mod:`keel.platform.importing.pages`) and the work is :class:`keel.mapping.csvio.CrosswalkImport`,
exactly as ``keel crosswalk import`` does it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from keel.platform.actor import Actor
from keel.platform.importing import pages
from keel.platform.importing.report import ImportReport
from keel.platform.pages import page
from keel.platform.permissions import Perm, check
from keel.standards.models import Standard

from .csvio import CrosswalkImport
from .models import Crosswalk


class CrosswalkImportForm(pages.ImportForm):
    crosswalk = forms.ChoiceField(
        required=False, label="Crosswalk", help_text="The crosswalk to import into."
    )
    new_key = forms.SlugField(
        required=False,
        max_length=120,
        label="Or a new crosswalk's key",
        help_text="Lower-case letters, digits and hyphens, e.g. iso27001-2022--nist-csf-2.",
    )
    name = forms.CharField(required=False, max_length=200, label="New crosswalk's name")
    source = forms.ChoiceField(required=False, label="Source standard (new crosswalk)")
    target = forms.ChoiceField(required=False, label="Target standard (new crosswalk)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["crosswalk"].choices = [  # type: ignore[attr-defined]
            ("", "A new crosswalk (give its key and standards below)"),
            *((c.key, c.name) for c in Crosswalk.objects.order_by("name")),
        ]
        standards = [("", "—"), *((s.key, f"{s.name}:{s.edition}") for s in Standard.objects.order_by("key"))]
        self.fields["source"].choices = standards  # type: ignore[attr-defined]
        self.fields["target"].choices = standards  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("crosswalk") and not data.get("new_key"):
            raise forms.ValidationError("Choose a crosswalk, or give the key of a new one.")
        return data


def _run(
    actor: Actor, data: bytes, filename: str, options: dict[str, Any], mappings: list[str], dry_run: bool
) -> ImportReport:
    check(actor, Perm.EDIT_MAPPINGS)
    importer = CrosswalkImport(
        actor,
        filename,
        key=options.get("crosswalk") or options.get("new_key") or "",
        source=options.get("source"),
        target=options.get("target"),
        name=options.get("name"),
    )
    return importer.run(data, dry_run=dry_run)


def _done(report: ImportReport) -> str:
    return reverse("crosswalk-detail", args=[report.context["crosswalk"]])


SPEC = pages.ImportPage(
    kind="crosswalk",
    title="Import crosswalk relations",
    intro="Upload a CSV or XLSX file with the columns source, target, relation, rationale and extension "
    "(one relation a row; entries by ref id or key) — the form the crosswalk's CSV export writes. "
    "A file with a rejected row changes nothing.",
    back=("crosswalk-list", "Crosswalks"),
    url_name="crosswalk-import",
    confirm_url_name="crosswalk-import-confirm",
    form=CrosswalkImportForm,
    run=_run,
    noun=("relation", "relations"),
    wording=(
        ("give --source and --target standards to create it", "choose its source and target standards"),
        ("marked not_related", "marked “not related”"),
    ),
    done=_done,
)


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_MAPPINGS)
def crosswalk_import(request: HttpRequest) -> HttpResponse:
    """Upload a crosswalk file and see the dry-run report."""
    return pages.upload(request, SPEC)


@require_POST
@page(Perm.EDIT_MAPPINGS)
def crosswalk_import_confirm(request: HttpRequest) -> HttpResponse:
    """Import the file as previewed."""
    return pages.confirm(request, SPEC)
