"""Pages of the AI system inventory: the list of AI systems with filters, a system with
everything hanging off it (models, evaluations, datasets, metrics with sparklines, flags,
history), create/edit forms, the stage action through the gate; datasets with their lineage
both ways and quality checks.

Thin views: parse input with a form, check the permission with ``@page``, call a service or a
query, render. The services check the permission again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from keel.organisation.models import ManagementSystem
from keel.organisation.views.trail import describe
from keel.platform import hooks, tables
from keel.platform.actor import Actor
from keel.platform.errors import KeelError, NotFound
from keel.platform.forms import add_service_error
from keel.platform.models import User
from keel.platform.pages import page
from keel.platform.permissions import Perm, has_perm, system_ids_with
from keel.platform.views.common import INVALID, current_user, is_partial

from . import charts, gates, queries, services
from .choices import RECORD_KIND_CONTROLS, LifecycleRecordKind
from .forms import (
    CreateSystemForm,
    DatasetFilterForm,
    DatasetForm,
    DeployForm,
    EvaluationForm,
    FlagCloseForm,
    MeasuredForm,
    MetricForm,
    ModelForm,
    ModelVersionForm,
    ReadingForm,
    StageForm,
    SystemFilterForm,
    SystemForm,
)
from .models import MetricFlag

PAGE_SIZE = 50


def _system_ms(request: HttpRequest, ref: str, **kwargs: Any) -> ManagementSystem:
    return services.get_system(ref).management_system


def _dataset_ms(request: HttpRequest, ref: str, **kwargs: Any) -> ManagementSystem:
    return services.get_dataset(ref).management_system


def _flag_ms(request: HttpRequest, flag_id: Any, **kwargs: Any) -> ManagementSystem:

    flag = MetricFlag.objects.select_related("ai_system__management_system").filter(pk=flag_id).first()
    if flag is None:
        raise NotFound(f"No metric flag with id {flag_id}.")
    return flag.ai_system.management_system


def _can_anywhere(user: User, perm: str) -> bool:
    return system_ids_with(user, perm) != set()


def _list_page(
    request: HttpRequest,
    form: Any,
    run: Callable[[Any], Any],
    full: str,
    partial: str,
    extra: dict[str, Any],
    listing: tables.Listing | None = None,
) -> HttpResponse:
    problem = ""
    if form.is_bound and not form.is_valid():
        problem = "Some filters were not understood and were not applied."
    filters = form.filters()
    try:
        qs = run(filters)
    except KeelError as exc:
        problem = f"{exc.message} Showing everything."
        filters = None
        qs = run(None)
    if listing is not None:
        if tables.wants_csv(request):
            return listing.csv(qs)
        extra = {**extra, **listing.context(request, getattr(filters, "order", ""), keep_filters=not problem)}
    page_obj = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page", 1))
    ctx = {
        "form": form,
        "problem": problem,
        "page_obj": page_obj,
        "rows": list(page_obj.object_list),
        **extra,
    }
    return render(request, partial if is_partial(request) else full, ctx)


def _form_page(request: HttpRequest, template: str, form: Any, **ctx: Any) -> HttpResponse:
    return render(request, template, {"form": form, **ctx}, status=INVALID if form.errors else 200)


# ---------------------------------------------------------------- AI systems


@page(Perm.VIEW)
def system_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    params = request.GET.copy()
    params.pop("page", None)
    form = SystemFilterForm(params or None, user=user)
    return _list_page(
        request,
        form,
        lambda f: queries.systems(user, f),
        "aisystems/list.html",
        "aisystems/_table.html",
        {"can_edit": _can_anywhere(user, Perm.EDIT_AI_SYSTEMS)},
        SYSTEM_LISTING,
    )


SYSTEM_LISTING = tables.Listing(
    columns=[
        tables.Column("AI system", "name"),
        tables.Column("Stage", "stage"),
        tables.Column("Origin"),
        tables.Column("Our roles"),
        tables.Column("Owner"),
        tables.Column("Models", css="num"),
        tables.Column("Datasets", css="num"),
        tables.Column("Flags"),
    ],
    orders=queries.SYSTEM_ORDER,
    default_order="name",
    filename="ai-systems.csv",
    csv_columns=[
        ("Short name", lambda s: s.short_name),
        ("Name", lambda s: s.name),
        ("Management system", lambda s: s.management_system.short_name),
        ("Stage", lambda s: s.get_lifecycle_stage_display()),
        ("Origin", lambda s: s.get_origin_display()),
        ("Our roles", lambda s: s.ai_roles),
        ("Owner", lambda s: s.owner.email if s.owner_id else ""),
        ("Models", lambda s: s.model_count),
        ("Datasets", lambda s: s.dataset_count),
        ("Open flags", lambda s: s.open_flag_count),
    ],
)


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_AI_SYSTEMS, anywhere=True)
def system_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = CreateSystemForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            system = services.create_system(Actor.from_request(request), **form.service_data())
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{system.name} is in the inventory.")
            return redirect("ai-system-detail", ref=system.short_name)
    return _form_page(request, "aisystems/form.html", form, system=None)


@page(Perm.VIEW, perimeter=_system_ms)
def system_detail(request: HttpRequest, ref: str) -> HttpResponse:
    user = current_user(request)
    system = queries.system_for(user, ref)
    metrics = list(system.metrics.all())
    recent = queries.recent_readings([m.pk for m in metrics])
    metric_rows = [
        {
            "metric": m,
            "last": recent[m.pk][-1] if recent[m.pk] else None,
            "chart": charts.sparkline(recent[m.pk], m.threshold, f"Recent readings of {m.name}"),
        }
        for m in metrics
    ]
    ms = system.management_system
    can_trail = has_perm(user, Perm.VIEW_TRAIL, ms)
    versions = [v for m in system.models.all() for v in m.versions.all()]
    gate_rows = gates.check_all(system, versions, list(system.evaluations.all()))
    return render(
        request,
        "aisystems/detail.html",
        {
            "system": system,
            "metric_rows": metric_rows,
            "open_flags": [fl for fl in system.flags.all() if fl.status == "open"],
            "closed_flags": [fl for fl in system.flags.all() if fl.status != "open"][:10],
            "can_edit": has_perm(user, Perm.EDIT_AI_SYSTEMS, ms),
            "can_record": has_perm(user, Perm.RECORD_AI_RESULTS, ms),
            "time_zone": settings.TIME_ZONE,
            "stage_form": StageForm(initial={"stage": system.lifecycle_stage}, system=system),
            "gate_rows": gate_rows,
            "record_rows": [
                {
                    "kind": kind.value,
                    "label": kind.label,
                    "control": RECORD_KIND_CONTROLS[kind].rsplit(":", 1)[-1],
                    "records": [r for r in system.lifecycle_records.all() if r.kind == kind],
                }
                for kind in LifecycleRecordKind
            ],
            "running_problem": gates.evaluation_problem(system)
            if system.lifecycle_stage in gates.GATED_STAGES
            else "",
            # no version yet: what the gate would say (nothing to deploy; the impact assessment)
            "blockers": gates.deployment_blockers(system)
            if not versions and system.lifecycle_stage not in (*gates.GATED_STAGES, "retired")
            else [],
            "panels": hooks.render_panels(
                "aisystem_detail", request, system, can_edit=has_perm(user, Perm.EDIT_AI_SYSTEMS, ms)
            ),
            "can_trail": can_trail,
            "history": describe(list(queries.history(system)), user) if can_trail else [],
        },
    )


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_AI_SYSTEMS, perimeter=_system_ms)
def system_edit(request: HttpRequest, ref: str) -> HttpResponse:
    user = current_user(request)
    system = queries.system_for(user, ref)
    if request.method == "POST":
        form = SystemForm(request.POST, user=user)
        if form.is_valid():
            try:
                system = services.update_system(
                    Actor.from_request(request),
                    system.pk,
                    expected_version=form.expected_version,
                    **form.service_data(),
                )
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"{system.name} is saved.")
                return redirect("ai-system-detail", ref=system.short_name)
    else:
        form = SystemForm(user=user, initial=SystemForm.initial_for(system))
        form.bind_version(system)
    return _form_page(request, "aisystems/form.html", form, system=system)


@require_POST
@page(Perm.EDIT_AI_SYSTEMS, perimeter=_system_ms)
def system_stage(request: HttpRequest, ref: str) -> HttpResponse:
    system = services.get_system(ref)
    form = StageForm(request.POST, system=system)
    if not form.is_valid():
        messages.error(request, "Choose a lifecycle stage (and a model version of this system).")
    else:
        try:
            services.change_stage(
                Actor.from_request(request),
                system.pk,
                form.cleaned_data["stage"],
                form.cleaned_data["note"],
                model_version=form.cleaned_data["model_version"] or None,
            )
        except KeelError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"{system.name} moved to {form.cleaned_data['stage']}.")
    return redirect("ai-system-detail", ref=system.short_name)


def _child_form(
    request: HttpRequest,
    ref: str,
    form: Any,
    save: Callable[[Actor, Any, dict[str, Any]], Any],
    title: str,
    done: str,
) -> HttpResponse:
    system = queries.system_for(current_user(request), ref)
    if request.method == "POST" and form.is_valid():
        try:
            save(Actor.from_request(request), system, dict(form.cleaned_data))
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, done)
            return redirect("ai-system-detail", ref=system.short_name)
    return _form_page(request, "aisystems/child_form.html", form, system=system, title=title)


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_AI_SYSTEMS, perimeter=_system_ms)
def model_create(request: HttpRequest, ref: str) -> HttpResponse:
    return _child_form(
        request,
        ref,
        ModelForm(request.POST or None),
        lambda actor, system, data: services.create_model(actor, system.pk, **data),
        "New model",
        "The model is added.",
    )


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_AI_SYSTEMS, perimeter=_system_ms)
def model_version_create(request: HttpRequest, ref: str) -> HttpResponse:
    system = queries.system_for(current_user(request), ref)
    form = ModelVersionForm(
        request.POST or None, system=system, initial={"model": request.GET.get("model", "")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            model = system.models.get(name=form.cleaned_data["model"])
            version = services.create_model_version(
                Actor.from_request(request), model.pk, **form.service_data()
            )
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, f"Model version {version} is recorded: evaluate it before deploying it."
            )
            return redirect("ai-system-detail", ref=system.short_name)
    return _form_page(request, "aisystems/child_form.html", form, system=system, title="New model version")


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_AI_SYSTEMS, perimeter=_system_ms)
def model_version_edit(request: HttpRequest, ref: str, version_id: Any) -> HttpResponse:
    system = queries.system_for(current_user(request), ref)
    version = services.get_model_version(version_id)
    if version.model.ai_system_id != system.pk:
        raise NotFound(f"{system.short_name} has no model version with id {version_id}.")
    if request.method == "POST":
        form = ModelVersionForm(
            request.POST, system=system, version=version, initial={"model": version.model.name}
        )
        if form.is_valid():
            try:
                services.update_model_version(
                    Actor.from_request(request),
                    version.pk,
                    expected_version=form.expected_version,
                    **form.service_data(),
                )
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"Model version {version} is saved.")
                return redirect("ai-system-detail", ref=system.short_name)
    else:
        form = ModelVersionForm(system=system, version=version, initial=ModelVersionForm.initial_for(version))
        form.bind_version(version)
    return _form_page(
        request, "aisystems/child_form.html", form, system=system, title=f"Model version {version}"
    )


@require_POST
@page(Perm.EDIT_AI_SYSTEMS, perimeter=_system_ms)
def model_version_deploy(request: HttpRequest, ref: str) -> HttpResponse:
    """Deploy a model version through the gate; a refusal names the reasons."""
    system = services.get_system(ref)
    form = DeployForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Name the model version to deploy.")
    else:
        try:
            result = services.deploy_model_version(
                Actor.from_request(request),
                system.pk,
                form.cleaned_data["model_version"],
                form.cleaned_data["note"],
            )
        except KeelError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, f"Model version {result.version} passed the deployment gate and is deployed."
            )
    return redirect("ai-system-detail", ref=system.short_name)


@require_http_methods(["GET", "POST"])
@page(Perm.RECORD_AI_RESULTS, perimeter=_system_ms)
def evaluation_create(request: HttpRequest, ref: str) -> HttpResponse:
    system = services.get_system(ref)
    form = EvaluationForm(request.POST or None, system=system)

    def save(actor: Actor, system: Any, data: dict[str, Any]) -> Any:
        version = data.pop("model_version")
        return services.record_evaluation(actor, system.pk, model_version=version, **data)

    return _child_form(request, ref, form, save, "Record an evaluation", "The evaluation is recorded.")


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_AI_SYSTEMS, perimeter=_system_ms)
def metric_create(request: HttpRequest, ref: str) -> HttpResponse:
    return _child_form(
        request,
        ref,
        MetricForm(request.POST or None),
        lambda actor, system, data: services.create_metric(actor, system.pk, **data),
        "New operating metric",
        "The metric is added: record readings in its row below, or push them with 'keel ai metric push' "
        "or POST /api/v1/metric-readings.",
    )


@require_http_methods(["GET", "POST"])
@page(Perm.RECORD_AI_RESULTS, perimeter=_system_ms)
def reading_create(request: HttpRequest, ref: str) -> HttpResponse:
    """A reading typed by a person: usually posted from the metric's row on the system's page;
    shown as a page of its own (keeping what was typed) when something needs correcting."""
    system = queries.system_for(current_user(request), ref)
    if request.method == "POST":
        form = ReadingForm(request.POST, system=system)
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = services.push_reading(
                    Actor.from_request(request),
                    system.pk,
                    data["metric"],
                    data["value"],
                    data["at"],
                    by_hand=True,
                )
            except KeelError as exc:
                add_service_error(form, exc)
                if not form.non_field_errors():  # the whole reason, above the field's short one
                    form.add_error(None, exc.message)
            else:
                messages.success(request, _reading_done(result))
                return redirect("ai-system-detail", ref=system.short_name)
    else:
        form = ReadingForm(system=system, initial={"metric": request.GET.get("metric", "")})
    return _form_page(
        request, "aisystems/child_form.html", form, system=system, title="Record a metric reading"
    )


def _reading_done(result: services.PushResult) -> str:
    reading, metric = result.reading, result.reading.metric
    said = f"{metric.name}: {reading.value.normalize()} at {reading.at:%Y-%m-%d %H:%M} UTC"
    if not result.created:
        return f"{said} was already stored; nothing changed."
    if result.flag_opened:
        return (
            f"{said} is recorded. It breaches the threshold ({metric.threshold.normalize()}): a flag is open."
        )
    if reading.breach:
        return f"{said} is recorded. It breaches the threshold again: the open flag counts it."
    return f"{said} is recorded."


@require_POST
@page(Perm.EDIT_AI_SYSTEMS, perimeter=_flag_ms)
def flag_close(request: HttpRequest, flag_id: Any) -> HttpResponse:
    flag = MetricFlag.objects.select_related("ai_system").get(pk=flag_id)
    form = FlagCloseForm(request.POST)
    try:
        services.close_flag(Actor.from_request(request), flag.pk, form.data.get("note", ""))
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The flag is closed.")
    return redirect("ai-system-detail", ref=flag.ai_system.short_name)


# ---------------------------------------------------------------- datasets


@page(Perm.VIEW)
def dataset_list(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    params = request.GET.copy()
    params.pop("page", None)
    form = DatasetFilterForm(params or None, user=user)
    return _list_page(
        request,
        form,
        lambda f: queries.datasets(user, f),
        "aisystems/datasets.html",
        "aisystems/_datasets_table.html",
        {"can_edit": _can_anywhere(user, Perm.EDIT_AI_SYSTEMS)},
    )


@page(Perm.VIEW, perimeter=_dataset_ms)
def dataset_detail(request: HttpRequest, ref: str) -> HttpResponse:
    user = current_user(request)
    dataset = queries.dataset_for(user, ref)
    ms = dataset.management_system
    return render(
        request,
        "aisystems/dataset_detail.html",
        {
            "dataset": dataset,
            "lineage": queries.dataset_lineage(dataset),
            "licence_scope": dataset.inherited("licence_scope"),
            "deletion_method": dataset.inherited("deletion_method"),
            "can_edit": has_perm(user, Perm.EDIT_AI_SYSTEMS, ms),
            "can_record": has_perm(user, Perm.RECORD_AI_RESULTS, ms),
        },
    )


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_AI_SYSTEMS, anywhere=True)
def dataset_create(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    form = DatasetForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            dataset = services.create_dataset(Actor.from_request(request), **form.service_data())
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{dataset.name} is recorded.")
            return redirect("dataset-detail", ref=dataset.short_name)
    return _form_page(request, "aisystems/dataset_form.html", form, dataset=None)


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_AI_SYSTEMS, perimeter=_dataset_ms)
def dataset_edit(request: HttpRequest, ref: str) -> HttpResponse:
    user = current_user(request)
    dataset = queries.dataset_for(user, ref)
    if request.method == "POST":
        form = DatasetForm(request.POST, user=user, dataset=dataset)
        if form.is_valid():
            try:
                dataset = services.update_dataset(
                    Actor.from_request(request),
                    dataset.pk,
                    expected_version=form.expected_version,
                    **form.service_data(),
                )
            except KeelError as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, f"{dataset.name} is saved.")
                return redirect("dataset-detail", ref=dataset.short_name)
    else:
        form = DatasetForm(user=user, dataset=dataset, initial=DatasetForm.initial_for(dataset))
        form.bind_version(dataset)
    return _form_page(request, "aisystems/dataset_form.html", form, dataset=dataset)


@require_http_methods(["GET", "POST"])
@page(Perm.RECORD_AI_RESULTS, perimeter=_dataset_ms)
def quality_check_create(request: HttpRequest, ref: str) -> HttpResponse:
    dataset = queries.dataset_for(current_user(request), ref)
    form = MeasuredForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_quality_check(Actor.from_request(request), dataset.pk, **form.cleaned_data)
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "The quality check is recorded.")
            return redirect("dataset-detail", ref=dataset.short_name)
    return _form_page(
        request, "aisystems/child_form.html", form, dataset=dataset, title="Record a quality check"
    )
