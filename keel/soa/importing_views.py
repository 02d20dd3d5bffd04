"""The SoA import pages: upload an existing Statement of Applicability → column mapping →
dry-run report → apply. Thin: the pages are the platform's (:mod:`keel.platform.importing.pages`)
and the work is :func:`keel.soa.importing.import_soa`, exactly as ``keel import soa`` does it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.importing import pages
from keel.platform.importing.report import ImportReport
from keel.platform.pages import page
from keel.platform.permissions import Perm, has_perm
from keel.standards.models import Standard

from .importing import SoAImport
from .models import StatementOfApplicability


class SoAImportForm(pages.ImportForm):
    standard = forms.ChoiceField(label="Standard", help_text="The standard whose Annex A the SoA lists.")
    management_system = forms.ChoiceField(
        label="Management system",
        help_text="The SoA's management system; it is created when it has none yet.",
    )
    bare_refs = forms.ChoiceField(
        required=False,
        label="Bare numbers such as 5.2",
        choices=[("", "Annex A controls (usual in an SoA)"), ("clause", "Clauses")],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        systems = [
            ms
            for ms in ManagementSystem.objects.prefetch_related("standards").order_by("name")
            if has_perm(self.user, Perm.EDIT_SOA, ms)
        ]
        keys = {s.key for ms in systems for s in ms.standards.all()}
        self.fields["standard"].choices = [  # type: ignore[attr-defined]
            (s.key, f"{s.name}:{s.edition}") for s in Standard.objects.filter(key__in=keys).order_by("key")
        ]
        self.fields["management_system"].choices = [  # type: ignore[attr-defined]
            (ms.short_name, ms.name) for ms in systems
        ]


def _run(
    actor: Actor, data: bytes, filename: str, options: dict[str, Any], mappings: list[str], dry_run: bool
) -> ImportReport:
    importer = SoAImport(
        actor,
        filename,
        standard=options["standard"],
        management_system=options["management_system"],
        bare_refs=options.get("bare_refs"),
        mappings=mappings,
    )
    return importer.run(data, dry_run=dry_run)


def _done(report: ImportReport) -> str:
    soa = StatementOfApplicability.objects.filter(
        management_system__short_name=report.source.get("management_system"),
        standard__key=report.source.get("standard"),
    ).first()
    return reverse("soa-detail", args=[soa.pk]) if soa else reverse("soa-list")


SPEC = pages.ImportPage(
    kind="soa",
    title="Import a Statement of Applicability",
    intro="Upload a CSV or XLSX SoA: one row per Annex A control (or one of your own controls), with "
    "whether it applies, the justification, the implementation status and, for ISO/IEC 42001, the AI "
    "systems it applies to.",
    back=("soa-list", "Statement of Applicability"),
    url_name="soa-import",
    confirm_url_name="soa-import-confirm",
    form=SoAImportForm,
    run=_run,
    noun=("SoA row", "SoA rows"),
    fields={
        "ref": "Control",
        "title": "Control name",
        "applicable": "Applicable",
        "justification": "Justification",
        "status": "Implementation status",
        "ai_systems": "AI systems",
    },
    wording=(("--standard: give", "Give"),),
    done=_done,
)


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_SOA, anywhere=True)
def soa_import(request: HttpRequest) -> HttpResponse:
    """Upload an SoA and see the dry-run report."""
    return pages.upload(request, SPEC)


@require_POST
@page(Perm.EDIT_SOA, anywhere=True)
def soa_import_confirm(request: HttpRequest) -> HttpResponse:
    """Read the file again with other columns, or import it as previewed."""
    return pages.confirm(request, SPEC)
