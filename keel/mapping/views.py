"""Pages of crosswalks: the list, one crosswalk with its relations (filter, search, counts,
completeness), a relation edited inline with htmx, adding and withdrawing relations, and the
CSV download.

Crosswalks are organisation-level records: ``view`` reads them, ``edit_mappings`` at
organisation level changes them; the services check it again.
"""

from __future__ import annotations

import dataclasses
import uuid

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from keel.platform.actor import Actor
from keel.platform.errors import KeelError, NotFound
from keel.platform.forms import add_service_error
from keel.platform.pages import page
from keel.platform.permissions import Perm, has_perm
from keel.platform.views.common import INVALID, current_user, is_partial, not_found

from . import queries, services
from .csvio import export_csv
from .forms import RelationAddForm, RelationEditForm, RelationFilterForm
from .models import Crosswalk


def _can_edit(request: HttpRequest) -> bool:
    return has_perm(current_user(request), Perm.EDIT_MAPPINGS)


@page(Perm.VIEW)
def crosswalk_list(request: HttpRequest) -> HttpResponse:
    rows = [(cw, queries.counts(cw), queries.completeness(cw)) for cw in queries.crosswalks()]
    return render(request, "mapping/list.html", {"rows": rows})


@page(Perm.VIEW)
def crosswalk_detail(request: HttpRequest, key: str) -> HttpResponse:
    """One crosswalk and its relations; ``?relation=`` and ``?q=`` filter them (htmx gets the table only)."""
    try:
        cw = queries.get_crosswalk(key)
    except NotFound as exc:
        return not_found(request, exc.message)
    form = RelationFilterForm(request.GET or None)
    chosen = form.filters()
    rows = list(queries.relations(dataclasses.replace(chosen, crosswalk=cw.key)))
    ctx = {
        "cw": cw,
        "form": form,
        "relations": rows,
        "counts": queries.counts(cw),
        "completeness": queries.completeness(cw),
        "filtered": bool(chosen.relation or chosen.q),
        "can_edit": _can_edit(request),
    }
    if is_partial(request):
        return render(request, "mapping/_relations.html", ctx)
    return render(request, "mapping/detail.html", ctx)


@page(Perm.VIEW)
def crosswalk_export(request: HttpRequest, key: str) -> HttpResponse:
    try:
        cw = services.get_crosswalk(key)
    except NotFound as exc:
        return not_found(request, exc.message)
    response = HttpResponse(export_csv(cw), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{cw.key}.csv"'
    return response


def _sides(cw: Crosswalk) -> dict[str, str]:
    return {"source_standard": cw.source.key, "target_standard": cw.target.key}


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_MAPPINGS)
def relation_add(request: HttpRequest, key: str) -> HttpResponse:
    try:
        cw = services.get_crosswalk(key)
    except NotFound as exc:
        return not_found(request, exc.message)
    if request.method == "POST":
        form = RelationAddForm(request.POST, **_sides(cw))
        if form.is_valid():
            d = form.cleaned_data
            try:
                row = services.save_relation(
                    Actor.from_request(request),
                    cw,
                    d["source"] or None,
                    d["target"],
                    d["relation"],
                    d["rationale"],
                    d["extension"],
                )
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"The relation to {row.target.ref_id} is saved.")
                return redirect("crosswalk-detail", key=cw.key)
    else:
        form = RelationAddForm(initial={"target": request.GET.get("target", "")[:128]}, **_sides(cw))
    return render(
        request, "mapping/relation_add.html", {"cw": cw, "form": form}, status=INVALID if form.errors else 200
    )


@page(Perm.VIEW)
def relation_row(request: HttpRequest, relation_id: uuid.UUID) -> HttpResponse:
    try:
        rel = queries.get_relation(relation_id)
    except NotFound as exc:
        return not_found(request, exc.message)
    if not is_partial(request):
        return redirect("crosswalk-detail", key=rel.crosswalk.key)
    return render(request, "mapping/_relation_row.html", {"r": rel, "can_edit": _can_edit(request)})


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_MAPPINGS)
def relation_edit(request: HttpRequest, relation_id: uuid.UUID) -> HttpResponse:
    try:
        rel = queries.get_relation(relation_id)
    except NotFound as exc:
        return not_found(request, exc.message)
    partial = is_partial(request)
    auto_id = f"rel-{rel.pk}-%s"
    if request.method == "POST":
        form = RelationEditForm(request.POST, auto_id=auto_id)
        if form.is_valid():
            try:
                services.update_relation(
                    Actor.from_request(request),
                    rel.pk,
                    expected_version=form.expected_version,
                    **form.service_data(),
                )
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                fresh = queries.get_relation(rel.pk)
                if partial:
                    return render(
                        request,
                        "mapping/_relation_row.html",
                        {"r": fresh, "can_edit": True, "just_saved": True},
                    )
                messages.success(request, f"The relation to {rel.target.ref_id} is saved.")
                return redirect("crosswalk-detail", key=rel.crosswalk.key)
    else:
        form = RelationEditForm(
            initial={"relation": rel.relation, "rationale": rel.rationale, "extension": rel.extension},
            auto_id=auto_id,
        )
        form.bind_version(rel)
    if partial:
        return render(request, "mapping/_relation_form_row.html", {"r": rel, "form": form})
    return render(
        request,
        "mapping/relation_edit.html",
        {"r": rel, "form": form},
        status=INVALID if form.errors else 200,
    )


@require_POST
@page(Perm.EDIT_MAPPINGS)
def relation_withdraw(request: HttpRequest, relation_id: uuid.UUID) -> HttpResponse:
    try:
        rel = queries.get_relation(relation_id)
        services.withdraw_relation(Actor.from_request(request), rel.pk)
    except NotFound as exc:
        return not_found(request, exc.message)
    if is_partial(request):
        return HttpResponse("")
    messages.success(request, f"The relation to {rel.target.ref_id} is withdrawn.")
    return redirect("crosswalk-detail", key=rel.crosswalk.key)
