"""The organisation profile, management systems and their scope statements."""

from __future__ import annotations

import difflib
import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.db.models import Choices
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.views.decorators.http import require_http_methods, require_POST

from keel.organisation import queries as organisation_queries
from keel.organisation import services as organisation
from keel.organisation.choices import AIRole, LifecycleStage, ScopeStatus
from keel.organisation.forms import ManagementSystemForm, OrganisationForm, ScopeDraftForm
from keel.organisation.models import ManagementSystem, ScopeStatement
from keel.platform.actor import Actor
from keel.platform.errors import KeelError, NotFound
from keel.platform.forms import add_service_error
from keel.platform.pages import page
from keel.platform.permissions import Perm, has_perm
from keel.platform.views.common import INVALID, current_user
from keel.standards.models import Standard

# ---------------------------------------------------------------- organisation and management systems


def _ms_perimeter(request: HttpRequest, ms: str, **_: Any) -> ManagementSystem:
    return organisation.get_management_system(ms)


def _organisation_page(
    request: HttpRequest, form: OrganisationForm | None = None, status: int = 200
) -> HttpResponse:
    user = current_user(request)
    org = organisation_queries.organisation_or_none()
    if form is None and has_perm(user, Perm.EDIT_CONTEXT):
        form = OrganisationForm(initial=OrganisationForm.initial_for(org))
        if org is not None:
            form.bind_version(org)
    return render(
        request,
        "organisation/organisation.html",
        {
            "org": org,
            "form": form,
            "systems": organisation_queries.management_systems(user),
            "can_manage_systems": has_perm(user, Perm.MANAGE_SYSTEMS),
        },
        status=status,
    )


@page(Perm.VIEW)
def organisation_page(request: HttpRequest) -> HttpResponse:
    return _organisation_page(request)


@require_POST
@page(Perm.EDIT_CONTEXT)
def organisation_edit(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST)
    if form.is_valid():
        try:
            organisation.save_organisation(
                Actor.from_request(request), expected_version=form.expected_version, **form.service_data()
            )
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "The organisation profile is saved.")
            return redirect("organisation")
    return _organisation_page(request, form, status=INVALID)


def _save_system(
    request: HttpRequest, form: ManagementSystemForm, ms: ManagementSystem | None
) -> ManagementSystem | None:
    if not form.is_valid():
        return None
    data = form.service_data()
    standards = data.pop("standards")
    try:
        if ms is None:
            return organisation.create_management_system(
                Actor.from_request(request), standards=standards, **data
            )
        return organisation.update_management_system(
            Actor.from_request(request),
            ms.pk,
            standards=standards,
            expected_version=form.expected_version,
            **data,
        )
    except KeelError as exc:
        add_service_error(form, exc)
        return None


@require_http_methods(["GET", "POST"])
@page(Perm.MANAGE_SYSTEMS)
def system_create(request: HttpRequest) -> HttpResponse:
    form = ManagementSystemForm(request.POST or None)
    if request.method == "POST":
        saved = _save_system(request, form, None)
        if saved is not None:
            messages.success(request, f"Management system {saved.name} created.")
            return redirect("organisation")
    return render(
        request,
        "organisation/system_form.html",
        {"form": form, "system": None},
        status=INVALID if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@page(Perm.MANAGE_SYSTEMS, perimeter=_ms_perimeter)
def system_edit(request: HttpRequest, ms: str) -> HttpResponse:
    system = organisation.get_management_system(ms)
    if request.method == "POST":
        form = ManagementSystemForm(request.POST)
        saved = _save_system(request, form, system)
        if saved is not None:
            messages.success(request, f"Management system {saved.name} saved.")
            return redirect("organisation")
    else:
        form = ManagementSystemForm(initial=ManagementSystemForm.initial_for(system))
        form.bind_version(system)
    return render(
        request,
        "organisation/system_form.html",
        {"form": form, "system": system},
        status=INVALID if form.errors else 200,
    )


# ---------------------------------------------------------------- scope


def _scope_perimeter(request: HttpRequest, scope_id: uuid.UUID, **_: Any) -> uuid.UUID:
    ms_id = ScopeStatement.objects.filter(pk=scope_id).values_list("management_system_id", flat=True).first()
    if ms_id is None:
        raise NotFound(f"No scope statement with id {scope_id}.")
    return ms_id


@page(Perm.VIEW)
def scope_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "organisation/scope_list.html",
        {"systems": organisation_queries.scope_overview(current_user(request))},
    )


def _covered_standard(system: ManagementSystem, key: str) -> Standard:
    std = system.standards.filter(key=key).first()
    if std is None:
        raise Http404(f"{system.name} does not cover a standard {key!r}.")
    return std


@dataclass(frozen=True)
class Segment:
    """A run of words of a compared text; ``changed`` marks words removed (old) or added (new)."""

    text: str
    changed: bool = False


@dataclass(frozen=True)
class ScopeDifference:
    """One field a draft changes against the approved version, as shown to the approver: the
    whole old and new text, and both as segments marking the words that differ."""

    name: str
    label: str
    old: str
    new: str
    old_parts: tuple[Segment, ...] = ()
    new_parts: tuple[Segment, ...] = ()


def word_diff(old: str, new: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    """``old`` and ``new`` as segments, the words only one of them has marked as changed."""
    a, b = re.split(r"(\s+)", old), re.split(r"(\s+)", new)
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    old_parts: list[Segment] = []
    new_parts: list[Segment] = []
    for n, (op, i1, i2, j1, j2) in enumerate(opcodes):
        # A lone shared word ("the", "and") between two changes reads better as part of them.
        inside = 0 < n < len(opcodes) - 1 and i2 - i1 <= 3
        changed = op != "equal" or inside
        _append(old_parts, "".join(a[i1:i2]), changed)
        _append(new_parts, "".join(b[j1:j2]), changed)
    return tuple(old_parts), tuple(new_parts)


def _append(parts: list[Segment], text: str, changed: bool) -> None:
    if not text:
        return
    if parts and parts[-1].changed == changed:
        parts[-1] = Segment(parts[-1].text + text, changed)
    else:
        parts.append(Segment(text, changed))


SCOPE_COMPARED = ("summary", "boundaries", "interfaces", "sites", "exclusions")
SCOPE_COMPARED_AI = ("ai_systems", "lifecycle_stages", "ai_roles")
_CHOICE_LISTS: dict[str, type[Choices]] = {"lifecycle_stages": LifecycleStage, "ai_roles": AIRole}


def _comparable(value: Any) -> Any:
    if isinstance(value, list):
        return sorted(str(v) for v in value)
    # Line endings and trailing blanks are not a change anyone approves.
    return "\n".join(line.rstrip() for line in str(value or "").replace("\r\n", "\n").split("\n")).strip()


def _shown(name: str, value: Any) -> str:
    if name in _CHOICE_LISTS:
        labels = dict(_CHOICE_LISTS[name].choices)
        return ", ".join(str(labels.get(v, v)) for v in value or [])
    return str(value or "").strip()


def scope_differences(approved: ScopeStatement, draft: ScopeStatement, ai: bool) -> list[ScopeDifference]:
    """The fields ``draft`` changes against ``approved``, in form order (the change note, which
    says why, is not compared)."""
    out = []
    for name in (*SCOPE_COMPARED, *(SCOPE_COMPARED_AI if ai else ())):
        old, new = getattr(approved, name), getattr(draft, name)
        if _comparable(old) != _comparable(new):
            label = ScopeDraftForm.base_fields[name].label or capfirst(name.replace("_", " "))
            before, after = _shown(name, old), _shown(name, new)
            out.append(ScopeDifference(name, str(label), before, after, *word_diff(before, after)))
    return out


def _scope_page(
    request: HttpRequest,
    system: ManagementSystem,
    std: Standard,
    form: ScopeDraftForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = current_user(request)
    versions = organisation_queries.scope_versions(system, std)
    approved = next((v for v in versions if v.status == ScopeStatus.APPROVED), None)
    draft = next((v for v in versions if v.status == ScopeStatus.DRAFT), None)
    can_edit = has_perm(user, Perm.EDIT_SCOPE, system)
    if form is None and can_edit:
        form = ScopeDraftForm(initial=ScopeDraftForm.initial_for(draft or approved), standard_key=std.key)
    is_ai = std.covers_ai_systems
    differences = scope_differences(approved, draft, is_ai) if approved and draft else []
    return render(
        request,
        "organisation/scope_detail.html",
        {
            "system": system,
            "standard": std,
            "versions": versions,
            "approved": approved,
            "draft": draft,
            "is_ai": is_ai,
            "differences": differences,
            "form": form,
            "can_edit": can_edit,
            "can_approve": has_perm(user, Perm.APPROVE_SCOPE, system),
        },
        status=status,
    )


@page(Perm.VIEW, perimeter=_ms_perimeter)
def scope_detail(request: HttpRequest, ms: str, standard: str) -> HttpResponse:
    system = organisation.get_management_system(ms)
    return _scope_page(request, system, _covered_standard(system, standard))


@require_POST
@page(Perm.EDIT_SCOPE, perimeter=_ms_perimeter)
def scope_draft(request: HttpRequest, ms: str, standard: str) -> HttpResponse:
    system = organisation.get_management_system(ms)
    std = _covered_standard(system, standard)
    form = ScopeDraftForm(request.POST, standard_key=std.key)
    if form.is_valid():
        try:
            draft = organisation.draft_scope(
                Actor.from_request(request), system.pk, std.key, **form.cleaned_data
            )
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Draft version {draft.version} saved.")
            return redirect("scope-detail", ms=system.short_name, standard=std.key)
    return _scope_page(request, system, std, form, status=INVALID)


@require_POST
@page(Perm.APPROVE_SCOPE, perimeter=_scope_perimeter)
def scope_approve(request: HttpRequest, scope_id: uuid.UUID) -> HttpResponse:
    scope = ScopeStatement.objects.select_related("management_system", "standard").get(pk=scope_id)
    try:
        organisation.approve_scope(Actor.from_request(request), scope.pk)
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Version {scope.version} approved.")
    return redirect("scope-detail", ms=scope.management_system.short_name, standard=scope.standard.key)
