"""Pages of the asset inventory and the classification scheme: list with filters, detail,
create/edit, retire; the scheme's levels with their handling rules and AI extension."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from keel.organisation.models import ManagementSystem
from keel.platform import hooks, tables
from keel.platform.actor import Actor
from keel.platform.errors import KeelError
from keel.platform.forms import add_service_error
from keel.platform.pages import page
from keel.platform.permissions import Perm, has_perm, system_ids_with
from keel.platform.views.common import INVALID, current_user, is_partial

from . import queries, services
from .forms import AssetFilterForm, AssetForm, LevelForm

PAGE_SIZE = 50


def _asset_perimeter(request: HttpRequest, ref: str, **kwargs: Any) -> ManagementSystem:
    return services.get_asset(ref).management_system


LISTING = tables.Listing(
    columns=[
        tables.Column("Asset", "ref_id"),
        tables.Column("Type"),
        tables.Column("Classification", "classification"),
        tables.Column("Owner"),
        tables.Column("System"),
        tables.Column("Risks", css="num"),
    ],
    orders=queries.ORDERS,
    default_order="ref_id",
    filename="assets.csv",
    csv_columns=[
        ("Reference", lambda a: a.ref_id),
        ("Name", lambda a: a.name),
        ("Type", lambda a: a.get_type_display()),
        ("Classification", lambda a: a.classification.name if a.classification_id else ""),
        ("Owner", lambda a: a.owner.email if a.owner_id else ""),
        ("Management system", lambda a: a.management_system.short_name),
        ("Risks", lambda a: a.risk_count),
        ("Retired", lambda a: a.retired_at.date().isoformat() if a.retired_at else ""),
    ],
)


@page(Perm.VIEW)
def asset_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    params = request.GET.copy()
    params.pop("page", None)
    form = AssetFilterForm(params or None, user=user)
    problem = ""
    filters = queries.AssetFilters(**form.valid_filters())
    try:
        qs = queries.assets(user, filters)
    except KeelError as exc:
        problem, qs = exc.message, queries.assets(user)
        filters = queries.AssetFilters()
    if tables.wants_csv(request):
        return LISTING.csv(qs)
    problem = form.problem() or problem
    page_obj = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page", 1))
    ctx = {
        "form": form,
        "problem": problem,
        "page_obj": page_obj,
        "assets": list(page_obj.object_list),
        "can_edit": system_ids_with(user, Perm.EDIT_ASSETS) != set(),
        **LISTING.context(request, filters.order, keep_filters=not problem),
    }
    return render(request, "assets/_table.html" if is_partial(request) else "assets/list.html", ctx)


@page(Perm.VIEW, perimeter=_asset_perimeter)
def asset_detail(request: HttpRequest, ref: str) -> HttpResponse:
    user = current_user(request)
    asset = queries.asset_for(user, ref)
    return render(
        request,
        "assets/detail.html",
        {
            "asset": asset,
            "panels": hooks.render_panels("asset_detail", request, asset),
            "can_edit": has_perm(user, Perm.EDIT_ASSETS, asset.management_system),
        },
    )


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_ASSETS, anywhere=True)
def asset_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = AssetForm(request.POST)
        if form.is_valid():
            data = form.service_data()
            try:
                asset = services.create_asset(
                    Actor.from_request(request), management_system=data.pop("management_system"), **data
                )
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"Asset {asset.ref_id} is recorded.")
                return redirect("asset-detail", ref=asset.ref_id)
    else:
        form = AssetForm(initial={"ref_id": services.likely_next_ref_id()})
    return render(
        request, "assets/form.html", {"form": form, "asset": None}, status=INVALID if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_ASSETS, perimeter=_asset_perimeter)
def asset_edit(request: HttpRequest, ref: str) -> HttpResponse:
    asset = queries.asset_for(current_user(request), ref)
    if request.method == "POST":
        form = AssetForm(request.POST)
        if form.is_valid():
            try:
                asset = services.update_asset(
                    Actor.from_request(request),
                    asset.pk,
                    expected_version=form.expected_version,
                    **form.service_data(),
                )
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"Asset {asset.ref_id} is saved.")
                return redirect("asset-detail", ref=asset.ref_id)
    else:
        form = AssetForm(initial=AssetForm.initial_for(asset))
        form.bind_version(asset)
    return render(
        request, "assets/form.html", {"form": form, "asset": asset}, status=INVALID if form.errors else 200
    )


@require_POST
@page(Perm.EDIT_ASSETS, perimeter=_asset_perimeter)
def asset_retire(request: HttpRequest, ref: str) -> HttpResponse:
    try:
        asset = services.retire_asset(Actor.from_request(request), ref)
    except KeelError as exc:
        messages.error(request, exc.message)
        return redirect("asset-list")
    messages.success(request, f"Asset {asset.ref_id} is retired; the risks that name it keep it.")
    return redirect("asset-detail", ref=asset.ref_id)


# ---------------------------------------------------------------- classification scheme


@page(Perm.VIEW)
def classification(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "assets/classification.html",
        {"levels": list(queries.levels()), "can_edit": has_perm(current_user(request), Perm.EDIT_ASSETS)},
    )


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_ASSETS)
def level_create(request: HttpRequest) -> HttpResponse:
    form = LevelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            level = services.create_level(Actor.from_request(request), **form.service_data())
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Level {level.name} is added to the scheme.")
            return redirect("classification")
    return render(
        request,
        "assets/level_form.html",
        {"form": form, "level": None},
        status=INVALID if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_ASSETS)
def level_edit(request: HttpRequest, key: str) -> HttpResponse:
    level = services.get_level(key)
    form = LevelForm(
        request.POST or None,
        instance=None,
        initial=None if request.method == "POST" else {f: getattr(level, f) for f in LevelForm.Meta.fields},
    )
    if request.method != "POST":
        form.bind_version(level)
    if request.method == "POST" and form.is_valid():
        try:
            level = services.update_level(
                Actor.from_request(request),
                level.pk,
                expected_version=form.expected_version,
                **form.service_data(),
            )
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Level {level.name} is saved.")
            return redirect("classification")
    return render(
        request,
        "assets/level_form.html",
        {"form": form, "level": level},
        status=INVALID if form.errors else 200,
    )
