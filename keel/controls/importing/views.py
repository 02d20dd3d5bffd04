"""The import wizard: upload a control spreadsheet → dry-run preview → confirm. Thin: the work is
done by :mod:`keel.controls.importing.services`, exactly as ``keel import controls`` does it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.errors import KeelError
from keel.platform.importing import pages, staging
from keel.platform.models import User
from keel.platform.pages import page
from keel.platform.permissions import Perm, has_perm
from keel.platform.spreadsheets import ImportFileError, max_bytes, read_upload, too_large
from keel.platform.views.common import INVALID, current_user
from keel.standards.models import Standard

from . import services
from .plan import ImportPlan

# The command line's options as this page names them.
WORDING = (("--standard", "the standard of bare references"),)


class ImportOptionsForm(forms.Form):
    standard = forms.ChoiceField(
        required=False,
        label="Standard of bare references",
        help_text="Used when neither the cell nor the column header names the standard "
        "(27001 and 42001 share A.5–A.8 and clause numbers).",
    )
    management_system = forms.ChoiceField(
        required=False,
        label="Management system",
        help_text="New controls go into it (unless the file has a management-system column). "
        "When the organisation has one management system, controls go into it.",
    )
    bare_refs = forms.ChoiceField(
        required=False,
        label="Bare numbers such as 5.2",
        choices=[
            ("", "As the file writes them (a cell or column with 'A.' makes them clauses)"),
            ("clause", "Always clauses"),
            ("annex", "Always Annex A controls"),
        ],
        help_text="For numbers that are both a clause and an Annex A control; the preview names each choice made.",
    )
    only_valid = forms.BooleanField(
        required=False, label="Import the valid rows even if some rows are rejected"
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        standards = [(s.key, f"{s.name}:{s.edition}") for s in Standard.objects.order_by("key")]
        self.fields["standard"].choices = [  # type: ignore[attr-defined]
            ("", "From the column headers"),
            *standards,
            ("iso27001:2013", "ISO/IEC 27001:2013 numbering (translated to 2022)"),
        ]
        systems = [
            (ms.short_name, ms.name)
            for ms in ManagementSystem.objects.order_by("name")
            if has_perm(user, Perm.EDIT_CONTROLS, ms)
        ]
        none = (
            [("", "None (organisation-level controls, or the only management system)")]
            if has_perm(user, Perm.EDIT_CONTROLS)
            else []
        )
        self.fields["management_system"].choices = [*none, *systems]  # type: ignore[attr-defined]

    def options(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "standard": data.get("standard") or None,
            "management_system": data.get("management_system") or None,
            "bare_refs": data.get("bare_refs") or None,
            "only_valid": bool(data.get("only_valid")),
        }


class UploadForm(ImportOptionsForm):
    file = forms.FileField(label="Spreadsheet (CSV or XLSX)")

    field_order = ["file", "standard", "bare_refs", "management_system", "only_valid"]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > max_bytes():
            raise forms.ValidationError(too_large("The file"))
        return upload


class ConfirmForm(ImportOptionsForm):
    token = forms.CharField(widget=forms.HiddenInput, max_length=32)


def _preview(
    request: HttpRequest, plan: ImportPlan, confirm: ConfirmForm | None, status: int = 200
) -> HttpResponse:
    pages.reword_report(plan, WORDING, mapping=False)  # no "--map" or "--standard" in the page
    return render(
        request,
        "controls/importing/preview.html",
        {"plan": plan, "summary": plan.summary(), "confirm": confirm},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_CONTROLS, anywhere=True)
def import_upload(request: HttpRequest) -> HttpResponse:
    """Step 1 (upload) and step 2 (the dry-run preview)."""
    user = current_user(request)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES, user=user)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            options = form.options()
            try:
                data = read_upload(upload, upload.name)
                plan = services.import_controls(
                    Actor.from_request(request),
                    data,
                    upload.name,
                    standard=options["standard"],
                    management_system=options["management_system"],
                    bare_refs=options["bare_refs"],
                    dry_run=True,
                    only_valid=options["only_valid"],
                )
            except ImportFileError as exc:
                form.add_error("file", pages.reword(exc.message, WORDING, mapping=False))
            except KeelError as exc:
                form.add_error(None, pages.reword(exc.message, WORDING, mapping=False))
            else:
                token = staging.stage_upload(data, upload.name, user)
                confirm = ConfirmForm(
                    user=user,
                    initial={
                        "token": token,
                        "standard": options["standard"] or "",
                        "management_system": options["management_system"] or "",
                        "bare_refs": options["bare_refs"] or "",
                        "only_valid": options["only_valid"],
                    },
                )
                return _preview(request, plan, confirm)
    else:
        form = UploadForm(user=user)
    return render(
        request, "controls/importing/upload.html", {"form": form}, status=INVALID if form.errors else 200
    )


@require_POST
@page(Perm.EDIT_CONTROLS, anywhere=True)
def import_confirm(request: HttpRequest) -> HttpResponse:
    """Step 3: import the previewed file (with the options shown in the preview)."""
    user = current_user(request)
    form = ConfirmForm(request.POST, user=user)
    if not form.is_valid():
        return _error(request, user, "The import could not be confirmed: upload the file again.")
    token = form.cleaned_data["token"]
    options = form.options()
    try:
        data, filename = staging.staged_upload(token, user)
        plan = services.import_controls(
            Actor.from_request(request),
            data,
            filename,
            standard=options["standard"],
            management_system=options["management_system"],
            bare_refs=options["bare_refs"],
            only_valid=options["only_valid"],
        )
    except (ImportFileError, KeelError) as exc:
        return _error(request, user, pages.reword(exc.message, WORDING, mapping=False))
    if plan.applied:
        staging.discard_upload(token)
        return _preview(request, plan, None)
    # Rejected rows and not only-valid: nothing changed; offer the preview again.
    confirm = ConfirmForm(user=user, initial={"token": token, **options})
    return _preview(request, plan, confirm, status=INVALID)


def _error(request: HttpRequest, user: User, message: str) -> HttpResponse:
    return render(
        request,
        "controls/importing/upload.html",
        {"form": UploadForm(user=user), "error": message},
        status=INVALID,
    )
