"""Pages of the control catalogue: the list with filters and bulk edit, a control with its
links (edited inline with htmx) and history, create/edit/delete, the template library with
adoption, and the coverage matrix.

Thin views: parse input with a form, check the permission with ``@page``, call a service or a
query, render. A control is read with ``view`` over one of its systems and changed with
``edit_controls`` over every one; its owner updates how it is implemented with
``edit_own_controls`` (policies.edit_reach); the services check it again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from keel.organisation.models import ManagementSystem
from keel.organisation.views.trail import describe
from keel.platform import hooks, tables
from keel.platform.actor import Actor
from keel.platform.errors import KeelError, NotFound
from keel.platform.forms import add_service_error
from keel.platform.models import User
from keel.platform.pages import page
from keel.platform.paging import page_of
from keel.platform.permissions import Perm, system_ids_with
from keel.platform.views.common import INVALID, current_user, is_partial
from keel.standards.models import Requirement, Standard

from . import exports, policies, queries, services
from . import matrix as coverage
from .forms import (
    AdoptForm,
    BulkForm,
    ControlFilterForm,
    ControlForm,
    LinkEditForm,
    LinkForm,
    MatrixForm,
    OwnerControlForm,
    TemplateFilterForm,
)
from .models import ControlLink

PAGE_SIZE = 50


def _control_perimeter(perm: str, every: bool = False) -> Callable[..., Any]:
    def perimeter(request: HttpRequest, ref: str, **kwargs: Any) -> ManagementSystem | None:
        control = services.get_control(ref)
        return queries.perimeter_of(control, request.user, perm, every)  # type: ignore[arg-type]

    return perimeter


def _link_perimeter(perm: str, every: bool = False) -> Callable[..., Any]:
    def perimeter(request: HttpRequest, link_id: uuid.UUID, **kwargs: Any) -> ManagementSystem | None:
        link = ControlLink.objects.select_related("control").filter(pk=link_id).first()
        if link is None:
            raise NotFound(f"No control link with id {link_id}; it may have been removed.")
        return queries.perimeter_of(link.control, request.user, perm, every)  # type: ignore[arg-type]

    return perimeter


def _control_owner(request: HttpRequest, ref: str, **kwargs: Any) -> uuid.UUID | None:
    return services.get_control(ref).owner_id


def _can_edit_any(user: User) -> bool:
    return system_ids_with(user, Perm.EDIT_CONTROLS) != set()


def _can_update_own_any(user: User) -> bool:
    return system_ids_with(user, Perm.EDIT_OWN_CONTROLS) != set()


# ---------------------------------------------------------------- list and bulk edit


LIST_COLUMNS = [
    tables.Column("Control", "ref_id"),
    tables.Column("Type · frequency"),
    tables.Column("Status", "status"),
    tables.Column("Effectiveness", "effectiveness"),
    tables.Column("Owner"),
    tables.Column("Requirements"),
    tables.Column("Systems · tags"),
]
CSV_COLUMNS: list[tuple[str, Callable[[Any], Any]]] = [
    ("Reference", lambda c: c.ref_id),
    ("Title", lambda c: c.title),
    ("Type", lambda c: c.get_type_display()),
    ("Frequency", lambda c: c.frequency_note or c.get_frequency_display()),
    ("Status", lambda c: c.get_status_display()),
    ("Effectiveness", lambda c: c.get_effectiveness_display()),
    ("Owner", lambda c: c.owner.email if c.owner_id else ""),
    (
        "Requirements",
        lambda c: [f"{lk.requirement.standard.key} {lk.requirement.ref_id}" for lk in c.links.all()],
    ),
    ("Management systems", lambda c: [ms.short_name for ms in c.management_systems.all()]),
    ("Tags", lambda c: [t.name for t in c.tags.all()]),
    ("Updated", lambda c: c.updated_at.date().isoformat()),
]


@page(Perm.VIEW)
def control_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    params = request.GET.copy()
    params.pop("page", None)
    form = ControlFilterForm(params or None, user=user)
    problem = form.problem()
    filters = form.filters()
    try:
        qs = queries.controls(user, filters)
    except KeelError as exc:
        problem = f"{exc.message} Showing all controls."
        filters = queries.ControlFilters()
        qs = queries.controls(user)
    if tables.wants_csv(request):
        return tables.csv_response("controls.csv", CSV_COLUMNS, qs)
    page_obj = page_of(qs, PAGE_SIZE, request.GET.get("page", 1))  # the rows and their count at once
    controls = list(page_obj.object_list)
    ctx = {
        "form": form,
        "problem": problem,
        "page_obj": page_obj,
        "controls": controls,
        # the rows the user may select for a bulk edit: the one update rule, row by row
        "selectable": {c.pk for c in controls if policies.edit_reach(user, c)},
        "can_edit": _can_edit_any(user),
        # an owner with edit_own_controls alone bulk-sets the status and effectiveness of theirs
        "can_bulk": _can_edit_any(user) or _can_update_own_any(user),
        "bulk": BulkForm(owners=form.fields["owner"].choices[1:]),  # type: ignore[attr-defined]  # the directory once
        "filtered": bool(form.is_bound and any(v for k, v in params.items() if k != "order")),
        "headers": tables.headers(
            request, LIST_COLUMNS, filters.order, queries.CONTROL_ORDER, keep_filters=not problem
        ),
        "csv_url": tables.csv_url(request, keep_filters=not problem),
        "export_query": tables.filter_query(request, keep_filters=not problem),
    }
    template = "controls/_table.html" if is_partial(request) else "controls/list.html"
    return render(request, template, ctx)


@page(Perm.VIEW)
def control_export(request: HttpRequest) -> HttpResponse:
    """The controls the list shows with the same filters, as XLSX; the status column is the
    status shown ("Implemented — no evidence" included)."""
    user = current_user(request)
    form = ControlFilterForm(request.GET or None, user=user)
    back = f"{reverse('control-list')}?{request.GET.urlencode()}"
    if form.is_bound and not form.is_valid():  # never export something other than what was asked
        messages.error(request, "Some filters were not understood. Nothing was exported.")
        return redirect(back)
    try:
        rows = exports.export_rows(queries.controls(user, form.filters()))
    except KeelError as exc:
        messages.error(request, f"{exc.message} Nothing was exported.")
        return redirect(back)
    response = HttpResponse(
        exports.to_xlsx(rows),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="controls.xlsx"'
    return response


def _back_to_list(request: HttpRequest) -> HttpResponse:
    back = request.POST.get("return", "")
    if back.startswith(reverse("control-list")) and "//" not in back:
        return redirect(back)
    return redirect("control-list")


@require_POST
@page(Perm.EDIT_OWN_CONTROLS, anywhere=True)
def control_bulk(request: HttpRequest) -> HttpResponse:
    form = BulkForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            "The bulk edit was not understood: "
            + " ".join(" ".join(str(x) for x in e) for e in form.errors.values()),
        )
        return _back_to_list(request)
    data = form.cleaned_data
    kwargs: dict[str, Any] = {
        "status": data["status"] or None,
        "effectiveness": data["effectiveness"] or None,
        "add_tag": data["add_tag"] or None,
    }
    if data["owner"] == BulkForm.NOBODY:
        kwargs["owner"] = None
    elif data["owner"]:
        kwargs["owner"] = User.objects.filter(email=data["owner"]).first()
    try:
        changed = services.bulk_update_controls(Actor.from_request(request), data["controls"], **kwargs)
    except KeelError as exc:
        messages.error(request, f"{exc.message} Nothing was changed.")
    else:
        selected = len(data["controls"])
        messages.success(
            request,
            f"{len(changed)} of {selected} selected control{'s' if selected != 1 else ''} changed"
            + (
                f": {', '.join(c.ref_id for c in changed[:12])}{'…' if len(changed) > 12 else ''}."
                if changed
                else "."
            ),
        )
    return _back_to_list(request)


# ---------------------------------------------------------------- one control


def _detail_context(request: HttpRequest, control: Any, link_form: LinkForm | None = None) -> dict[str, Any]:
    user = current_user(request)
    can_trail = queries.can(user, Perm.VIEW_TRAIL, control)
    return {
        "control": control,
        "panels": hooks.render_panels("control_detail", request, control),
        "groups": queries.links_by_standard(control),
        "can_edit": queries.can(user, Perm.EDIT_CONTROLS, control, every=True),
        "can_update": policies.edit_reach(user, control) is not None,
        "link_form": link_form or LinkForm(auto_id="link-new-%s"),
        "can_trail": can_trail,
        "history": describe(queries.history(control), user) if can_trail else [],
    }


@page(Perm.VIEW, perimeter=_control_perimeter(Perm.VIEW))
def control_detail(request: HttpRequest, ref: str) -> HttpResponse:
    control = queries.control_for(current_user(request), ref)
    return render(request, "controls/detail.html", _detail_context(request, control))


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_CONTROLS, anywhere=True)
def control_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    if request.method == "POST":
        form = ControlForm(request.POST, user=user)
        if form.is_valid():
            try:
                control = services.create_control(Actor.from_request(request), **form.service_data())
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                messages.success(
                    request, f"Control {control.ref_id} is created. Link it to the requirements it serves."
                )
                return redirect("control-detail", ref=control.ref_id)
    else:
        form = ControlForm(user=user, initial={"ref_id": services.likely_next_ref_id()})
    return render(
        request, "controls/form.html", {"form": form, "control": None}, status=INVALID if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
@page(
    Perm.EDIT_OWN_CONTROLS,
    perimeter=_control_perimeter(Perm.EDIT_OWN_CONTROLS, every=True),
    owner=_control_owner,
)
def control_edit(request: HttpRequest, ref: str) -> HttpResponse:
    """Edit every field (``edit_controls``), or — for the control's owner with
    ``edit_own_controls`` — only how it is implemented (policies.OWNER_FIELDS)."""
    user = current_user(request)
    control = queries.control_for(user, ref)
    owner_only = policies.edit_reach(user, control) == policies.OWN
    form: ControlForm | OwnerControlForm
    if request.method == "POST":
        form = OwnerControlForm(request.POST) if owner_only else ControlForm(request.POST, user=user)
        if form.is_valid():
            try:
                control = services.update_control(
                    Actor.from_request(request),
                    control.pk,
                    expected_version=form.expected_version,
                    **form.service_data(),
                )
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"Control {control.ref_id} is saved.")
                return redirect("control-detail", ref=control.ref_id)
    elif owner_only:
        form = OwnerControlForm(initial=OwnerControlForm.initial_for(control))
        form.bind_version(control)
    else:
        form = ControlForm(user=user, initial=ControlForm.initial_for(control))
        form.bind_version(control)
    return render(
        request,
        "controls/form.html",
        {"form": form, "control": control, "owner_only": owner_only},
        status=INVALID if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_CONTROLS, perimeter=_control_perimeter(Perm.EDIT_CONTROLS, every=True))
def control_delete(request: HttpRequest, ref: str) -> HttpResponse:
    control = queries.control_for(current_user(request), ref)
    if request.method == "POST":
        try:
            services.delete_control(Actor.from_request(request), control.pk)
        except KeelError as exc:
            messages.error(request, exc.message)
            return redirect("control-detail", ref=control.ref_id)
        messages.success(
            request, f"Control {control.ref_id} is deleted; the audit trail keeps its last state."
        )
        return redirect("control-list")
    return render(request, "controls/confirm_delete.html", {"control": control})


# ---------------------------------------------------------------- links (htmx inline)


def _links_section(
    request: HttpRequest, ref: Any, link_form: LinkForm | None = None, status: int = 200
) -> HttpResponse:
    control = queries.control_for(current_user(request), ref)
    return render(
        request, "controls/_links.html", _detail_context(request, control, link_form), status=status
    )


@require_POST
@page(Perm.EDIT_CONTROLS, perimeter=_control_perimeter(Perm.EDIT_CONTROLS, every=True))
def link_add(request: HttpRequest, ref: str) -> HttpResponse:
    control = services.get_control(ref)
    form = LinkForm(request.POST, auto_id="link-new-%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.link_requirement(
                Actor.from_request(request),
                control.pk,
                data["requirement"].strip(),
                data["coverage"],
                data["note"],
                new_only=True,
            )
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            if not is_partial(request):
                messages.success(request, f"{control.ref_id} is linked to {data['requirement']}.")
                return redirect("control-detail", ref=control.ref_id)
            return _links_section(request, control.pk)
    if is_partial(request):
        return _links_section(request, control.pk, form)  # 200 so htmx swaps the errors in
    messages.error(
        request,
        "The link was not added: " + " ".join(" ".join(str(x) for x in e) for e in form.errors.values()),
    )
    return redirect("control-detail", ref=control.ref_id)


def _link(request: HttpRequest, link_id: uuid.UUID) -> ControlLink:
    return queries.link_for(current_user(request), link_id)


@page(Perm.VIEW, perimeter=_link_perimeter(Perm.VIEW))
def link_row(request: HttpRequest, link_id: uuid.UUID) -> HttpResponse:
    link = _link(request, link_id)
    can_edit = queries.can(current_user(request), Perm.EDIT_CONTROLS, link.control, every=True)
    return render(request, "controls/_link_row.html", {"link": link, "can_edit": can_edit})


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_CONTROLS, perimeter=_link_perimeter(Perm.EDIT_CONTROLS, every=True))
def link_edit(request: HttpRequest, link_id: uuid.UUID) -> HttpResponse:
    link = _link(request, link_id)
    auto_id = f"link-{link.pk}-%s"
    partial = is_partial(request)
    if request.method == "POST":
        form = LinkEditForm(request.POST, auto_id=auto_id)
        if form.is_valid():
            try:
                services.link_requirement(
                    Actor.from_request(request),
                    link.control_id,
                    link.requirement.key,
                    form.cleaned_data["coverage"],
                    form.cleaned_data["note"],
                    expected_version=form.expected_version,
                )
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                if partial:
                    return render(
                        request,
                        "controls/_link_row.html",
                        {"link": _link(request, link_id), "can_edit": True, "just_saved": True},
                    )
                messages.success(request, f"The link to {link.requirement.ref_id} is saved.")
                return redirect("control-detail", ref=link.control.ref_id)
    else:
        form = LinkEditForm(initial={"coverage": link.coverage, "note": link.note}, auto_id=auto_id)
        form.bind_version(link)
    if partial:
        return render(request, "controls/_link_form_row.html", {"link": link, "form": form})
    return render(
        request,
        "controls/link_form.html",
        {"link": link, "form": form},
        status=INVALID if form.errors else 200,
    )


@require_POST
@page(Perm.EDIT_CONTROLS, perimeter=_link_perimeter(Perm.EDIT_CONTROLS, every=True))
def link_delete(request: HttpRequest, link_id: uuid.UUID) -> HttpResponse:
    link = _link(request, link_id)
    try:
        services.unlink_requirement(Actor.from_request(request), link.pk)
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        if is_partial(request):
            return _links_section(request, link.control_id)
        messages.success(request, f"The link to {link.requirement.ref_id} is removed.")
    return redirect("control-detail", ref=link.control.ref_id)


# ---------------------------------------------------------------- template library


@page(Perm.VIEW)
def template_library(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    params = request.GET.copy()
    params.pop("page", None)
    form = TemplateFilterForm(params or None)
    problem = ""
    try:
        rows = list(queries.templates(form.filters()))
    except KeelError as exc:
        problem = f"{exc.message} Showing every template."
        rows = list(queries.templates())
    adopted = queries.adopted_controls()
    page_obj = Paginator(rows, TEMPLATE_PAGE_SIZE).get_page(request.GET.get("page", 1))
    items = [{"template": t, "control": adopted.get(t.pk)} for t in page_obj.object_list]
    ctx = {
        "form": form,
        "problem": problem,
        "items": items,
        "page_obj": page_obj,
        "matching": len(rows),
        "matching_open": sum(1 for t in rows if t.pk not in adopted),
        "adopted_count": sum(1 for t in rows if t.pk in adopted),
        "filters": {k: v for k, v in params.items() if k in form.fields and v},
        "can_edit": _can_edit_any(user),
        "adopt_form": AdoptForm(user=user),
    }
    template = "controls/_templates.html" if is_partial(request) else "controls/templates.html"
    return render(request, template, ctx)


TEMPLATE_PAGE_SIZE = 24


def _matching_keys(post: Any) -> list[str]:
    """The keys of every template not adopted yet that the library's filters (sent with the
    adopt form as ``filter_<name>``) select: "select all" across every page."""
    data = {name[len("filter_") :]: value for name, value in post.items() if name.startswith("filter_")}
    form = TemplateFilterForm(data)
    f = form.filters()
    f.adopted = "no"
    return [t.key for t in queries.templates(f)]


@require_POST
@page(Perm.EDIT_CONTROLS, anywhere=True)
def template_adopt(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    keys = request.POST.getlist("templates")
    if request.POST.get("all_matching") == "yes":
        try:
            keys = list(dict.fromkeys([*keys, *_matching_keys(request.POST)]))
        except KeelError as exc:
            messages.error(request, f"{exc.message} Nothing was adopted.")
            return redirect("control-templates")
    form = AdoptForm(request.POST, user=user, template_keys=keys)
    if not form.is_valid():
        messages.error(
            request,
            "Nothing was adopted: " + " ".join(" ".join(str(x) for x in e) for e in form.errors.values()),
        )
        return redirect("control-templates")
    data = form.cleaned_data
    owner = User.objects.filter(email=data["owner"]).first() if data["owner"] else None
    ms = ManagementSystem.objects.get(short_name=data["management_system"])
    try:
        created = services.adopt_templates(Actor.from_request(request), keys, ms.pk, owner=owner)
    except KeelError as exc:
        messages.error(request, f"{exc.message} Nothing was adopted.")
        return redirect("control-templates")
    refs = ", ".join(c.ref_id for c in created)
    messages.success(
        request, f"{len(created)} control{'s' if len(created) != 1 else ''} adopted into {ms.name}: {refs}."
    )
    return redirect(reverse("control-list") + f"?management_system={ms.short_name}&order=-updated_at")


# ---------------------------------------------------------------- coverage matrix


def _theme_choices(keys: list[str], part: str) -> list[tuple[str, str]]:

    kind = "annex_theme" if part == "annex" else "clause"
    return [
        (r.key, f"{r.standard.name} {r.ref_id} {r.title}")
        for r in Requirement.objects.filter(
            standard__key__in=keys, kind=kind, parent__isnull=True, withdrawn_at__isnull=True
        )
        .select_related("standard")
        .order_by("standard__key", "sort_order")
    ]


@page(Perm.VIEW)
def coverage_matrix(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    known = list(Standard.objects.order_by("key").values_list("key", flat=True))
    defaults = {
        "first": known[0] if known else "",
        "second": known[1] if len(known) > 1 else "",
        "part": "annex",
    }
    params: dict[str, str] = {
        **defaults,
        **{
            k: str(request.GET.get(k, ""))
            for k in request.GET
            if k in {"first", "second", "part", "management_system", "theme"}
        },
    }
    part = params.get("part") or "annex"
    keys = [k for k in (params.get("first"), params.get("second")) if k and k in known]
    themes = _theme_choices(keys, part)
    if params.get("theme") and params["theme"] not in {k for k, _ in themes}:
        params["theme"] = ""  # a theme of a standard no longer chosen
    form = MatrixForm(params, user=current_user(request), themes=themes)
    partial = is_partial(request)
    if partial:  # the theme choices follow the chosen standards: swap the select too
        form.fields["theme"].widget.attrs["hx-swap-oob"] = "true"
    problem = ""
    matrix = None
    if form.is_valid():
        data = form.cleaned_data
        chosen = list(dict.fromkeys(k for k in (data["first"], data["second"]) if k))
        ms = (
            ManagementSystem.objects.filter(short_name=data["management_system"]).first()
            if data["management_system"]
            else None
        )
        try:
            matrix = coverage.coverage_matrix(
                user, chosen, data["part"] or "annex", ms, data["theme"], page=request.GET.get("page", 1)
            )
        except KeelError as exc:
            problem = exc.message
    else:
        problem = "Choose the standards to compare: " + " ".join(
            f"{form.fields[n].label or n}: {' '.join(str(x) for x in e)}" for n, e in form.errors.items()
        )
    ctx = {"form": form, "matrix": matrix, "problem": problem, "oob": partial}
    template = "controls/_matrix.html" if partial else "controls/matrix.html"
    return render(request, template, ctx)
