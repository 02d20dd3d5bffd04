"""Pages of the Statement of Applicability: the list, the editor (rows edited inline with
htmx), approval, version comparison and export downloads. Thin: queries and services do the work."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from keel.platform import hooks, tables
from keel.platform.actor import Actor
from keel.platform.errors import KeelError
from keel.platform.forms import add_service_error
from keel.platform.pages import page
from keel.platform.permissions import Perm, has_perm, restrict, system_ids_with
from keel.platform.views.common import INVALID, current_user, is_partial

from . import exports, queries, services
from .choices import SoAStatus
from .exports import STATUS_LABELS
from .forms import FROM_GAP, SoACreateForm, SoARowForm
from .models import SoARow, StatementOfApplicability

CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "json": "application/json",
}


def _soa(soa_id: uuid.UUID) -> StatementOfApplicability:
    try:
        return queries.get_soa(soa_id)
    except KeelError:
        raise Http404(f"No Statement of Applicability with id {soa_id}.") from None


def _soa_system(request: HttpRequest, soa_id: uuid.UUID, **_: Any) -> Any:
    return _soa(soa_id).management_system


def _row(row_id: uuid.UUID) -> SoARow:
    try:
        return services.get_row(row_id)
    except KeelError:
        raise Http404(f"No SoA row with id {row_id}.") from None


def _row_system(request: HttpRequest, row_id: uuid.UUID, **_: Any) -> Any:
    return _row(row_id).soa.management_system


def _row_data(row: SoARow) -> dict[str, Any]:
    data = exports.summarised(next(r for r in queries.rows(row.soa) if r["id"] == str(row.pk)))
    data["status_label"] = STATUS_LABELS.get(data["status"], data["status"])
    data["derived_label"] = STATUS_LABELS.get(data["derived_status"], data["derived_status"])
    return data


@page(Perm.VIEW)
def soa_list(request: HttpRequest) -> HttpResponse:
    soas = restrict(queries.soas(), current_user(request), Perm.VIEW).order_by(
        "management_system__name", "standard__key"
    )
    can_create = system_ids_with(current_user(request), Perm.EDIT_SOA) != set()
    return render(request, "soa/list.html", {"soas": soas, "can_create": can_create})


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_SOA, anywhere=True)
def soa_create(request: HttpRequest) -> HttpResponse:
    """Create the SoA of a management system for a standard — empty, or drafted from the gap
    analysis — with the services ``keel soa create [--from-gap]`` uses (the draft through the
    gap app's ``soa.draft_from_gap`` hook: gap is a higher layer)."""
    drafters = hooks.registered("soa.draft_from_gap")
    form = SoACreateForm(request.POST or None, user=current_user(request), from_gap=bool(drafters))
    if request.method == "POST" and form.is_valid():
        actor = Actor.from_request(request)
        ms, standard = form.cleaned_data["management_system"], form.cleaned_data["standard"]
        try:
            if form.cleaned_data["source"] == FROM_GAP:
                (result,) = hooks.call(
                    "soa.draft_from_gap", actor=actor, management_system=ms, standard=standard.key
                )
                soa_id = result["soa_id"]
                messages.success(
                    request,
                    f"Drafted from the gap analysis: {len(result['rows_written'])} rows with machine-written "
                    f"reasons and {len(result['links_added'])} control links. Review each flagged row before "
                    "approving.",
                )
            else:
                soa_id = services.create_soa(actor, ms.pk, standard.key).pk
                messages.success(
                    request, f"The {standard.key} SoA of {ms.name} is ready: write each row's reason."
                )
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            return redirect("soa-detail", soa_id)
    return render(request, "soa/create.html", {"form": form}, status=INVALID if form.errors else 200)


# The SoA's rows sort in memory (they are read whole, in document order): by reference (document
# order), status (in the order of SoAStatus) or owner.
_STATUS_RANK = {s.value: i for i, s in enumerate(SoAStatus)}
_ROW_KEYS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "ref_id": lambda r: 0,  # the rows come in document order
    "status": lambda r: _STATUS_RANK.get(r["status"], len(_STATUS_RANK)),
    "owner": lambda r: (r["owner"] == "", r["owner"]),
}
ROW_ORDERS = [*_ROW_KEYS, *(f"-{k}" for k in _ROW_KEYS)]
ROW_COLUMNS = [
    tables.Column("Control", "ref_id"),
    tables.Column("Applicable"),
    tables.Column("Reasons / justification"),
    tables.Column("Status", "status"),
    tables.Column("Implementing controls"),
    tables.Column("Owner", "owner"),
]
ROW_CSV: list[tuple[str, Callable[[Any], Any]]] = [
    ("Reference", lambda r: r["ref_id"]),
    ("Title", lambda r: r["title"]),
    ("Applicable", lambda r: "Yes" if r["applicable"] else "No"),
    ("Justification for exclusion", lambda r: r["justification"]),
    ("Business need", lambda r: r["business_need"]),
    ("Obligations", lambda r: r["obligations"]),
    ("Risks treated", lambda r: [x["ref_id"] for x in r["risks"]]),
    ("Status", lambda r: r["status_label"]),
    ("Implementing controls", lambda r: [c["ref_id"] for c in r["controls"]]),
    ("Evidence", lambda r: [e["ref_id"] for e in r["evidence"]]),
    ("Owner", lambda r: r["owner"]),
    ("Target date", lambda r: r["target_date"] or ""),
]


def sort_rows(rows: list[dict[str, Any]], order: str) -> list[dict[str, Any]]:
    """Rows in ``order`` (one of ``ROW_ORDERS``; ``-`` reverses it); ties keep document order."""
    ordered = sorted(rows, key=_ROW_KEYS[order.lstrip("-")])
    return ordered[::-1] if order.startswith("-") else ordered


@page(Perm.VIEW, perimeter=_soa_system)
def soa_detail(request: HttpRequest, soa_id: uuid.UUID) -> HttpResponse:
    soa = _soa(soa_id)
    user = current_user(request)
    ai_system = request.GET.get("ai_system", "").strip() or None
    all_rows = queries.rows(soa)
    rows = [r for r in all_rows if ai_system in r["ai_systems"]] if ai_system else all_rows
    order = request.GET.get("order", "")
    order = order if order in ROW_ORDERS else "ref_id"
    rows = [exports.summarised(r) for r in sort_rows(rows, order)]
    for r in rows:
        r["status_label"] = STATUS_LABELS.get(r["status"], r["status"])
        r["derived_label"] = STATUS_LABELS.get(r["derived_status"], r["derived_status"])
    if tables.wants_csv(request):
        name = f"soa-{soa.management_system.short_name}-{soa.standard.key.replace(':', '-')}.csv"
        return tables.csv_response(name, ROW_CSV, rows)
    ctx = {
        "soa": soa,
        "rows": rows,
        "header": queries.export_header(soa, all_rows),
        "counts": [(STATUS_LABELS[k], n) for k, n in queries.status_counts(all_rows).items()],
        "status_labels": STATUS_LABELS,
        "versions": list(queries.versions(soa)),
        "ai_systems": sorted({name for r in all_rows for name in r["ai_systems"]}),
        "ai_system": ai_system or "",
        "can_edit": has_perm(user, Perm.EDIT_SOA, soa.management_system),
        "can_approve": has_perm(user, Perm.APPROVE_SOA, soa.management_system),
        "headers": tables.headers(request, ROW_COLUMNS, order, ROW_ORDERS),
        "csv_url": tables.csv_url(request),
        "order": order,
    }
    return render(request, "soa/detail.html", ctx)


@page(Perm.VIEW, perimeter=_row_system)
def soa_row(request: HttpRequest, row_id: uuid.UUID) -> HttpResponse:
    """The row as the editor shows it (an htmx fragment), or as its own page, which lists
    every implementing control, risk and piece of evidence (where "and N more" leads)."""
    row = _row(row_id)
    can_edit = has_perm(current_user(request), Perm.EDIT_SOA, row.soa.management_system)
    template = "soa/_row.html" if is_partial(request) else "soa/row.html"
    return render(request, template, {"r": _row_data(row), "row": row, "can_edit": can_edit})


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_SOA, perimeter=_row_system)
def soa_row_edit(request: HttpRequest, row_id: uuid.UUID) -> HttpResponse:
    row = _row(row_id)
    partial = is_partial(request)
    auto_id = f"row-{row.pk}-%s"
    if request.method == "POST":
        form = SoARowForm(request.POST, auto_id=auto_id, row=row)
        if form.is_valid():
            try:
                services.update_row(
                    Actor.from_request(request),
                    row.pk,
                    expected_version=form.expected_version,
                    **form.service_data(),
                )
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                if partial:
                    return render(
                        request,
                        "soa/_row.html",
                        {"r": _row_data(_row(row_id)), "can_edit": True, "just_saved": True},
                    )
                messages.success(request, f"{row} is saved.")
                return redirect(reverse("soa-detail", args=[row.soa_id]) + f"#row-{row.pk}")
    else:
        form = SoARowForm(initial=SoARowForm.initial_for(row), auto_id=auto_id, row=row)
        form.bind_version(row)
    ctx = {"row": row, "r": _row_data(row), "form": form}
    if partial:
        return render(request, "soa/_row_form.html", ctx)  # 200 so htmx swaps the errors in
    return render(request, "soa/row_edit.html", ctx, status=422 if form.errors else 200)


@require_POST
@page(Perm.APPROVE_SOA, perimeter=_soa_system)
def soa_approve(request: HttpRequest, soa_id: uuid.UUID) -> HttpResponse:
    soa = _soa(soa_id)
    try:
        version = services.approve(Actor.from_request(request), soa.pk, note=request.POST.get("note", ""))
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Version {version.number} of the SoA is approved.")
    return redirect("soa-detail", soa.pk)


@page(Perm.VIEW, perimeter=_soa_system)
def soa_compare(request: HttpRequest, soa_id: uuid.UUID) -> HttpResponse:
    soa = _soa(soa_id)
    versions = list(queries.versions(soa))
    problem, changes = "", None
    old_label, new_label = request.GET.get("from", ""), request.GET.get("to", "")
    if not versions:
        problem = "No version is approved yet: there is nothing to compare."
    else:
        try:
            old_n = int(old_label or (versions[1].number if len(versions) > 1 else versions[0].number))
            old = queries.get_version(soa, old_n).rows
            if new_label in ("", "current"):
                new, new_label = queries.snapshot(queries.rows(soa)), "current"
            else:
                new = queries.get_version(soa, int(new_label)).rows
            old_label = str(old_n)
            changes = exports.readable_changes(queries.compare_rows(old, new))
        except ValueError:
            problem = "Choose versions by their number."
        except KeelError as exc:
            problem = exc.message
    ctx = {
        "soa": soa,
        "versions": versions,
        "changes": changes,
        "problem": problem,
        "old": old_label,
        "new": new_label,
    }
    return render(request, "soa/compare.html", ctx, status=422 if problem and versions else 200)


def _version_number(value: str) -> int | None:
    """``?version=N``: None for the current rows; anything but a positive number is a 404."""
    if not value.strip():
        return None
    if not value.strip().isdigit():
        raise Http404(f"No SoA version {value!r}: versions are numbered 1, 2, ...")
    return int(value)


@page(Perm.VIEW, perimeter=_soa_system)
def soa_version(request: HttpRequest, soa_id: uuid.UUID, number: int) -> HttpResponse:
    """An approved version exactly as issued, from its frozen snapshot."""
    soa = _soa(soa_id)
    try:
        e = exports.prepare_version(soa, number)
    except KeelError:
        raise Http404(f"This SoA has no version {number}.") from None
    rows = [
        {**r, "status_text": exports.status_text(r), "evidence_text": exports.evidence_text(r)}
        for r in e.rows
    ]
    return render(request, "soa/version.html", {"soa": soa, "e": e, "number": number, "rows": rows})


@page(Perm.VIEW, perimeter=_soa_system)
def soa_export(request: HttpRequest, soa_id: uuid.UUID) -> HttpResponse:
    soa = _soa(soa_id)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in CONTENT_TYPES:
        return render(
            request,
            "platform/error.html",
            {"status": 400, "title": "Unknown format", "message": "Export as xlsx, pdf or json."},
            status=400,
        )
    version = _version_number(request.GET.get("version", ""))
    try:
        data = exports.export([soa], fmt, version=version)
    except KeelError as exc:
        messages.error(request, exc.message)
        return redirect("soa-detail", soa.pk)
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    suffix = f"-v{version}" if version is not None else "-draft"
    name = f"soa-{soa.management_system.short_name}-{soa.standard.key.replace(':', '-')}{suffix}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
