"""The import pages every spreadsheet import shares (issue 13 item 9): upload → column mapping →
dry-run report in the page → apply. Each app declares its import with an :class:`ImportPage`
(the options form, the service that runs the import, where to go back to) and two thin views
that call :func:`upload` and :func:`confirm` under their permission. The pages run the same
services as ``keel import …``; messages the services word for the command line ("use
--management-system") are reworded for the page (:func:`reword`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from keel.platform.actor import Actor
from keel.platform.errors import KeelError
from keel.platform.models import User
from keel.platform.spreadsheets import ImportFileError, max_bytes, read_upload, too_large
from keel.platform.views.common import INVALID, current_user

from . import staging
from .columns import IGNORE, normalise
from .report import ImportReport

# What the command line calls an option → what the page calls it. Every import page applies
# these (and its own) to the messages it shows.
COMMON_WORDING: tuple[tuple[str, str], ...] = (
    ("with --management-system", "by choosing the management system"),
    ("or --management-system", "or choose the management system"),
    ("--management-system", "the management system"),
    ("with --standard KEY", "by choosing the standard of bare references"),
    ("or use --bare-refs annex", "or choose “Always Annex A controls” for bare numbers"),
    ("or use --bare-refs clause", "or choose “Always clauses” for bare numbers"),
    ("--only-valid", "“Import the valid rows only”"),
    (
        "Rename the columns or name them with --map 'Your column=ref'.",
        "Rename the columns and upload the file again.",
    ),
)
_MAP_HINT = re.compile(r"\s*\(name it with --map [^)]*\)")
_MAP_ADVICE = re.compile(r"add one, or name it with --map '[^']*'")
_OPTION = re.compile(r"--[a-z][a-z-]+")


def reword(message: str, wording: Sequence[tuple[str, str]] = (), *, mapping: bool = True) -> str:
    """A service's message as the page says it: no command-line option names. ``mapping``: the
    page lets the user choose each column's field (else the advice is to rename the column)."""
    if mapping:
        message = _MAP_HINT.sub(" (choose its field under “Columns” to import it)", message)
        message = _MAP_ADVICE.sub("add one, or choose the column's field under “Columns”", message)
    else:
        message = _MAP_HINT.sub(" (rename it to a column name the import guide lists to import it)", message)
        message = _MAP_ADVICE.sub("add one, or rename yours to one the import guide lists", message)
    for cli, page_words in (*COMMON_WORDING, *wording):
        message = message.replace(cli, page_words)
    return _OPTION.sub(lambda m: m.group(0)[2:].replace("-", " "), message)


def reword_report(
    report: ImportReport, wording: Sequence[tuple[str, str]] = (), *, mapping: bool = True
) -> ImportReport:
    """The report with every reason and warning reworded for the page (in place)."""
    for r in report.rows:
        if r.reason:
            r.reason = reword(r.reason, wording, mapping=mapping)
    report.warnings = [(row, reword(msg, wording, mapping=mapping)) for row, msg in report.warnings]
    return report


class ImportForm(forms.Form):
    """The options of one kind of import (without the file); subclasses add fields. ``user`` is
    who imports: the choices offered are those they may use."""

    mapping = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def options(self) -> dict[str, Any]:
        """The cleaned options, as the import service's keyword arguments."""
        return {k: (v or None) for k, v in self.cleaned_data.items() if k not in ("file", "mapping", "token")}

    def mappings(self) -> list[str]:
        """``COLUMN=FIELD`` overrides chosen under "Columns" (the hidden ``mapping`` field and the
        ``map:<column>`` selects of the report page)."""
        chosen = [m for m in (self.cleaned_data.get("mapping") or "").split("\n") if "=" in m]
        for key, value in self.data.items() if hasattr(self.data, "items") else []:
            if key.startswith("map:") and value:
                chosen = [m for m in chosen if normalise(m.rpartition("=")[0]) != normalise(key[4:])]
                chosen.append(f"{key[4:]}={value}")
        return chosen


Runner = Callable[[Actor, bytes, str, dict[str, Any], list[str], bool], ImportReport]


@dataclass
class ImportPage:
    """One kind of browser import."""

    kind: str  # the report's kind ("soa", "assets", "crosswalk")
    title: str  # "Import a Statement of Applicability"
    intro: str  # what the file should hold, in a sentence or two
    back: tuple[str, str]  # (url name, label) of the page the import belongs to
    url_name: str  # the upload page
    confirm_url_name: str
    form: type[ImportForm]
    run: Runner  # (actor, data, filename, options, mappings, dry_run) → the report
    noun: tuple[str, str]  # ("asset", "assets"): what a row becomes
    fields: dict[str, str] = field(default_factory=dict)  # field → label, for the column mapping
    wording: tuple[tuple[str, str], ...] = ()
    done: Callable[[ImportReport], str] | None = None  # where to look at the result


class _Upload(forms.Form):
    file = forms.FileField(label="Spreadsheet (CSV or XLSX)")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > max_bytes():
            raise forms.ValidationError(too_large("The file"))
        return upload


class _Token(forms.Form):
    token = forms.CharField(max_length=32)


def upload(request: HttpRequest, spec: ImportPage) -> HttpResponse:
    """Step 1, the upload, and step 2, the dry-run report (nothing changes)."""
    user = current_user(request)
    if request.method != "POST":
        return _upload_page(request, spec, _Upload(), spec.form(user=user))
    file_form = _Upload(request.POST, request.FILES)
    options = spec.form(request.POST, user=user)
    if not (file_form.is_valid() and options.is_valid()):
        return _upload_page(request, spec, file_form, options, status=INVALID)
    upload_file = file_form.cleaned_data["file"]
    try:
        data = read_upload(upload_file, upload_file.name)
        report = spec.run(Actor.from_request(request), data, upload_file.name, options.options(), [], True)
    except ImportFileError as exc:
        file_form.add_error("file", reword(exc.message, spec.wording))
        return _upload_page(request, spec, file_form, options, status=INVALID)
    except KeelError as exc:
        if exc.code == "invalid_file":  # a file the importer cannot read at all (crosswalk CSV)
            file_form.add_error("file", reword(exc.message, spec.wording))
            return _upload_page(request, spec, file_form, options, status=INVALID)
        return _upload_page(
            request, spec, file_form, options, error=reword(exc.message, spec.wording), status=exc.status
        )
    token = staging.stage_upload(data, upload_file.name, user)
    return _report_page(request, spec, report, token, options.options(), [])


def confirm(request: HttpRequest, spec: ImportPage) -> HttpResponse:
    """The report page's two buttons: read the file again with other columns (another dry run),
    or apply the import as previewed."""
    user = current_user(request)
    token_form = _Token(request.POST)
    options = spec.form(request.POST, user=user)
    if not (token_form.is_valid() and options.is_valid()):
        return _upload_page(
            request,
            spec,
            _Upload(),
            spec.form(user=user),
            error="The import could not be confirmed: upload the file again.",
            status=INVALID,
        )
    token = token_form.cleaned_data["token"]
    mappings = options.mappings()
    # "Read the file again" posts to ?reread=1 (its formaction): a dry run with the chosen columns.
    dry_run = request.GET.get("reread") == "1" or request.POST.get("action") == "reread"
    try:
        data, filename = staging.staged_upload(token, user)
        report = spec.run(Actor.from_request(request), data, filename, options.options(), mappings, dry_run)
    except ImportFileError as exc:
        return _upload_page(
            request, spec, _Upload(), options, error=reword(exc.message, spec.wording), status=INVALID
        )
    except KeelError as exc:
        return _upload_page(
            request, spec, _Upload(), options, error=reword(exc.message, spec.wording), status=exc.status
        )
    if report.applied:
        staging.discard_upload(token)
        return _report_page(request, spec, report, "", options.options(), mappings)
    status = 200 if dry_run else INVALID  # rejected rows: nothing changed; the report again
    return _report_page(request, spec, report, token, options.options(), mappings, status=status)


def _upload_page(
    request: HttpRequest,
    spec: ImportPage,
    file_form: forms.Form,
    options: ImportForm,
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "platform/importing/upload.html",
        {"spec": spec, "file_form": file_form, "form": options, "error": error},
        status=status,
    )


def _report_page(
    request: HttpRequest,
    spec: ImportPage,
    report: ImportReport,
    token: str,
    options: dict[str, Any],
    mappings: list[str],
    status: int = 200,
) -> HttpResponse:
    reword_report(report, spec.wording)
    mapped = report.context.get("columns") or {}
    header = [h for h in report.context.get("header", []) if h]
    columns = [
        {
            "name": h,
            "field": mapped.get(h, IGNORE),
            "label": spec.fields.get(mapped.get(h, ""), "Not imported"),
        }
        for h in header
    ]
    summary = report.summary()
    rows = [
        {
            "row": r.row,
            "action": r.action,
            "action_label": r.action_label,
            "ref": r.ref,
            "title": r.title,
            "reason": r.reason,
            "column": r.column,
            "changed": ", ".join(_human(c) for c in (list(r.changes) or r.extra.get("changes", []))),
        }
        for r in report.rows
    ]
    return render(
        request,
        "platform/importing/report.html",
        {
            "spec": spec,
            "report": report,
            "rows": rows,
            "summary": summary,
            "token": token,
            "options": [(k, "" if v is None else v) for k, v in options.items()],
            "mapping": "\n".join(mappings),
            "columns": columns,
            "field_choices": [*spec.fields.items(), (IGNORE, "Not imported")],
            "writes": summary["created"] + summary["updated"],
            "done_url": spec.done(report) if spec.done and report.applied else reverse(spec.back[0]),
        },
        status=status,
    )


def _human(name: str) -> str:
    """A changed field's name as the page shows it (``business_need`` → "business need")."""
    return str(name).replace("_", " ")
