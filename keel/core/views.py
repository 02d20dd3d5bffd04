"""Thin page views of the core domain: parse input, check permission, call a service, render.

Every view carries ``@page(perm, perimeter=...)``; htmx partials are the same views answering
with a fragment when ``request.htmx`` is set. Writes go through the service functions with
``Actor.from_request(request)``; a :class:`KeelError` is shown on the form and nothing changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from keel.standards import queries as standards_queries
from keel.standards.models import Standard

from . import queries
from .actor import Actor
from .choices import Role, ScopeStatus
from .errors import KeelError, NotFound
from .forms import (
    ContextIssueForm,
    GrantRoleForm,
    InterestedPartyForm,
    KeelForm,
    ManagementSystemForm,
    OrganisationForm,
    PasswordChangeForm,
    ScopeDraftForm,
    StandardFilterForm,
    TokenForm,
    TrailFilterForm,
    UserCreateForm,
    add_service_error,
    perimeter_choices,
)
from .models import ManagementSystem, RoleAssignment, ScopeStatement, User
from .pages import AUTHENTICATED, PUBLIC, page
from .permissions import Perm, has_perm, system_ids_with
from .services import access, organisation

INVALID = 422


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def is_partial(request: HttpRequest) -> bool:
    """True for an htmx request that wants a fragment (not a boosted page or a history restore)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request  # type: ignore[union-attr]


def not_found(request: HttpRequest, message: str) -> HttpResponse:
    return render(
        request, "core/error.html", {"status": 404, "title": "Not found", "message": message}, status=404
    )


# ---------------------------------------------------------------- login, logout, errors


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("dashboard")
    error = ""
    email = ""
    if request.method == "POST":
        email = request.POST.get("email", "").strip().lower()
        password = request.POST.get("password", "")
        actor = Actor.from_request(request)
        if access.login_locked(email, actor.ip):
            error = "Too many failed attempts. Wait 15 minutes and try again, or ask an administrator."
        else:
            user = authenticate(request, username=email, password=password)
            if user is None:
                access.record_login(actor, email, succeeded=False)
                error = "That email and password do not match an active account."
            else:
                login(request, user)
                access.record_login(Actor.from_request(request), email, succeeded=True, user=user)
                target = request.POST.get("next") or request.GET.get("next") or ""
                if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
                    target = ""
                return redirect(target or "dashboard")
    status = 200 if not error else (429 if "Too many" in error else 401)
    # Keep where the user was going across a failed attempt (the form posts without the query).
    next_url = request.POST.get("next") or request.GET.get("next", "")
    return render(
        request, "core/login.html", {"error": error, "email": email, "next": next_url}, status=status
    )


login_view.keel_permission = PUBLIC  # type: ignore[attr-defined]


@require_POST
@page(AUTHENTICATED)
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request,
        "core/error.html",
        {
            "status": 403,
            "title": "Not allowed",
            "message": str(exception or "") or "You are not allowed to see this page.",
        },
        status=403,
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = "There is no page at this address."
    if (
        isinstance(exception, Http404)
        and not isinstance(exception, Resolver404)
        and exception.args
        and isinstance(exception.args[0], str)
    ):
        message = exception.args[0]
    return render(
        request, "core/error.html", {"status": 404, "title": "Not found", "message": message}, status=404
    )


# ---------------------------------------------------------------- dashboard


@page(Perm.VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    can_trail = system_ids_with(user, Perm.VIEW_TRAIL) != set()  # its own systems' entries at least
    return render(
        request,
        "core/dashboard.html",
        {
            "systems": queries.scope_overview(user),
            "context_counts": queries.context_counts_by_standard(),
            "context": queries.context_summary(),
            "standards": standards_queries.standards_with_counts(),
            "recent": queries.recent_trail(user) if can_trail else None,
        },
    )


# ---------------------------------------------------------------- organisation and management systems


def _ms_perimeter(request: HttpRequest, ms: str, **_: Any) -> ManagementSystem:
    return organisation.get_management_system(ms)


def _organisation_page(
    request: HttpRequest, form: OrganisationForm | None = None, status: int = 200
) -> HttpResponse:
    user = _user(request)
    org = queries.organisation_or_none()
    if form is None and has_perm(user, Perm.EDIT_CONTEXT):
        form = OrganisationForm(initial=OrganisationForm.initial_for(org))
    return render(
        request,
        "core/organisation.html",
        {
            "org": org,
            "form": form,
            "systems": queries.management_systems(user),
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
            organisation.save_organisation(Actor.from_request(request), **form.cleaned_data)
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
    data = dict(form.cleaned_data)
    standards = data.pop("standards")
    try:
        if ms is None:
            return organisation.create_management_system(
                Actor.from_request(request), standards=standards, **data
            )
        return organisation.update_management_system(
            Actor.from_request(request), ms.pk, standards=standards, **data
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
        "core/system_form.html",
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
    return render(
        request,
        "core/system_form.html",
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
    return render(request, "core/scope_list.html", {"systems": queries.scope_overview(_user(request))})


def _covered_standard(system: ManagementSystem, key: str) -> Standard:
    std = system.standards.filter(key=key).first()
    if std is None:
        raise Http404(f"{system.name} does not cover a standard {key!r}.")
    return std


def _scope_page(
    request: HttpRequest,
    system: ManagementSystem,
    std: Standard,
    form: ScopeDraftForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    versions = queries.scope_versions(system, std)
    approved = next((v for v in versions if v.status == ScopeStatus.APPROVED), None)
    draft = next((v for v in versions if v.status == ScopeStatus.DRAFT), None)
    can_edit = has_perm(user, Perm.EDIT_SCOPE, system)
    if form is None and can_edit:
        form = ScopeDraftForm(initial=ScopeDraftForm.initial_for(draft or approved), standard_key=std.key)
    return render(
        request,
        "core/scope_detail.html",
        {
            "system": system,
            "standard": std,
            "versions": versions,
            "approved": approved,
            "draft": draft,
            "is_ai": std.key.startswith("iso42001"),
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


# ---------------------------------------------------------------- context


@dataclass(frozen=True)
class RecordKind:
    """One kind of context record, so parties and issues share the inline-edit views."""

    name: str
    label: str
    listing: Callable[..., QuerySet[Any]]
    form: type[KeelForm]
    save: Callable[..., Any]
    delete: Callable[..., None]

    def row_template(self) -> str:
        return f"core/_{self.name}_row.html"

    def get(self, pk: uuid.UUID) -> Any:
        obj = self.listing().filter(pk=pk).first()
        if obj is None:
            raise Http404(f"No {self.label} with id {pk}; it may have been deleted.")
        return obj

    def form_for(self, obj: Model | None, data: Any = None) -> KeelForm:
        auto_id = f"{self.name}-{obj.pk}-%s" if obj is not None else f"{self.name}-new-%s"
        if data is not None:
            return self.form(data, auto_id=auto_id)
        initial = self.form.initial_for(obj) if obj is not None else {}  # type: ignore[attr-defined]
        return self.form(initial=initial, auto_id=auto_id)


PARTY = RecordKind(
    "party",
    "interested party",
    queries.interested_parties,
    InterestedPartyForm,
    organisation.save_interested_party,
    organisation.delete_interested_party,
)
ISSUE = RecordKind(
    "issue",
    "context issue",
    queries.context_issues,
    ContextIssueForm,
    organisation.save_context_issue,
    organisation.delete_context_issue,
)


@page(Perm.VIEW)
def context_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    filter_form = StandardFilterForm(request.GET or None)
    standard = filter_form.cleaned_data["standard"] if filter_form.is_valid() else ""
    ctx = {
        "parties": queries.interested_parties(standard),
        "issues": queries.context_issues(standard),
        "filter_form": filter_form,
        "standard": standard,
        "can_edit": has_perm(user, Perm.EDIT_CONTEXT),
    }
    template = "core/_context_tables.html" if is_partial(request) else "core/context.html"
    return render(request, template, ctx)


def _save_record(request: HttpRequest, kind: RecordKind, form: KeelForm, pk: uuid.UUID | None) -> Any:
    if not form.is_valid():
        return None
    data = dict(form.cleaned_data)
    standards = data.pop("standards")
    try:
        return kind.save(Actor.from_request(request), pk, standards=standards, **data)
    except KeelError as exc:
        add_service_error(form, exc)
        return None


def _record_create(request: HttpRequest, kind: RecordKind) -> HttpResponse:
    form = kind.form_for(None, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        saved = _save_record(request, kind, form, None)
        if saved is not None:
            messages.success(request, f"The {kind.label} {saved} is recorded.")
            return redirect(reverse("context") + f"#{kind.name}-{saved.pk}")
    return render(
        request,
        "core/context_form.html",
        {"kind": kind, "form": form, "obj": None},
        status=INVALID if form.errors else 200,
    )


def _record_edit(request: HttpRequest, kind: RecordKind, pk: uuid.UUID) -> HttpResponse:
    obj = kind.get(pk)
    partial = is_partial(request)
    if request.method == "POST":
        form = kind.form_for(obj, request.POST)
        saved = _save_record(request, kind, form, obj.pk)
        if saved is not None:
            if partial:
                return render(
                    request, kind.row_template(), {"obj": kind.get(pk), "can_edit": True, "just_saved": True}
                )
            messages.success(request, f"The {kind.label} {saved} is saved.")
            return redirect(reverse("context") + f"#{kind.name}-{saved.pk}")
    else:
        form = kind.form_for(obj)
    if partial:
        # 200 so htmx swaps the form with its errors in.
        return render(request, f"core/_{kind.name}_form_row.html", {"obj": obj, "form": form, "kind": kind})
    return render(
        request,
        "core/context_form.html",
        {"kind": kind, "form": form, "obj": obj},
        status=INVALID if form.errors else 200,
    )


def _record_row(request: HttpRequest, kind: RecordKind, pk: uuid.UUID) -> HttpResponse:
    return render(
        request,
        kind.row_template(),
        {"obj": kind.get(pk), "can_edit": has_perm(_user(request), Perm.EDIT_CONTEXT)},
    )


def _record_delete(request: HttpRequest, kind: RecordKind, pk: uuid.UUID) -> HttpResponse:
    obj = kind.get(pk)
    if request.method == "POST":
        try:
            kind.delete(Actor.from_request(request), obj.pk)
        except KeelError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, f"The {kind.label} {obj} is deleted; the audit trail keeps its last state."
            )
        return redirect("context")
    return render(request, "core/confirm_delete.html", {"kind": kind, "obj": obj})


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_CONTEXT)
def party_create(request: HttpRequest) -> HttpResponse:
    return _record_create(request, PARTY)


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_CONTEXT)
def party_edit(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _record_edit(request, PARTY, pk)


@page(Perm.VIEW)
def party_row(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _record_row(request, PARTY, pk)


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_CONTEXT)
def party_delete(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _record_delete(request, PARTY, pk)


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_CONTEXT)
def issue_create(request: HttpRequest) -> HttpResponse:
    return _record_create(request, ISSUE)


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_CONTEXT)
def issue_edit(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _record_edit(request, ISSUE, pk)


@page(Perm.VIEW)
def issue_row(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _record_row(request, ISSUE, pk)


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_CONTEXT)
def issue_delete(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return _record_delete(request, ISSUE, pk)


# ---------------------------------------------------------------- people and roles


def _perimeter(short_name: str) -> ManagementSystem | None:
    return organisation.get_management_system(short_name) if short_name else None


def _people_page(request: HttpRequest, form: UserCreateForm | None = None, status: int = 200) -> HttpResponse:
    return render(
        request,
        "core/people.html",
        {
            "people": queries.users_with_roles(),
            "form": form or UserCreateForm(auto_id="new-user-%s"),
            "roles": Role.choices,
            "perimeters": perimeter_choices(),
        },
        status=status,
    )


@page(Perm.MANAGE_USERS)
def people(request: HttpRequest) -> HttpResponse:
    return _people_page(request)


@require_POST
@page(Perm.MANAGE_USERS)
def person_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST, auto_id="new-user-%s")
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            user = access.create_user(
                Actor.from_request(request),
                data["email"],
                full_name=data["full_name"],
                job_title=data["job_title"],
                password=data["password"] or None,
                role=data["role"] or None,
                management_system=_perimeter(data["management_system"]),
            )
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Account {user.email} created.")
            return redirect("people")
    return _people_page(request, form, status=INVALID)


@require_POST
@page(Perm.MANAGE_USERS)
def role_grant(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    person = User.objects.filter(pk=user_id).first()
    if person is None:
        return not_found(request, f"No user with id {user_id}.")
    form = GrantRoleForm(request.POST)
    if not form.is_valid():
        problems = "; ".join(
            f"{name}: {' '.join(str(e) for e in errs)}" for name, errs in form.errors.items()
        )
        messages.error(request, f"The role was not granted — {problems}")
        return redirect("people")
    try:
        ra = access.grant_role(
            Actor.from_request(request),
            person,
            form.cleaned_data["role"],
            _perimeter(form.cleaned_data["management_system"]),
        )
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Granted: {ra}.")
    return redirect("people")


@require_POST
@page(Perm.MANAGE_USERS)
def role_revoke(request: HttpRequest, assignment_id: uuid.UUID) -> HttpResponse:
    ra = RoleAssignment.objects.select_related("user", "management_system").filter(pk=assignment_id).first()
    if ra is None:
        return not_found(request, f"No role assignment with id {assignment_id}.")
    try:
        access.revoke_role(Actor.from_request(request), ra.pk)
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Revoked: {ra}.")
    return redirect("people")


# ---------------------------------------------------------------- audit trail


@page(Perm.VIEW_TRAIL, anywhere=True)
def trail_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    params = request.GET.copy()
    params.pop("page", None)
    form = TrailFilterForm(params or None, object_types=queries.trail_object_types())
    filters = queries.TrailFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = queries.TrailFilters(
            object_type=data["object_type"],
            actor=data["actor"],
            action=data["action"],
            channel=data["channel"],
            since=data["since"],
            until=data["until"],
        )
    page_obj, rows = queries.trail_page(user, filters, request.GET.get("page", 1))
    ctx = {"form": form, "page_obj": page_obj, "rows": rows}
    template = "core/_trail_table.html" if is_partial(request) else "core/trail.html"
    return render(request, template, ctx)


# ---------------------------------------------------------------- my account


def _account_page(
    request: HttpRequest,
    *,
    token_form: TokenForm | None = None,
    password_form: PasswordChangeForm | None = None,
    new_secret: str = "",
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    can_tokens = has_perm(user, Perm.OWN_TOKENS)
    return render(
        request,
        "core/account.html",
        {
            "tokens": queries.own_tokens(user),
            "can_tokens": can_tokens,
            "token_form": token_form or (TokenForm(auto_id="token-%s") if can_tokens else None),
            "password_form": password_form or PasswordChangeForm(auto_id="pw-%s"),
            "new_secret": new_secret,
            "now": timezone.now(),
            "assignments": user.role_assignments.select_related("management_system").order_by("role"),
        },
        status=status,
    )


@page(AUTHENTICATED)
def account(request: HttpRequest) -> HttpResponse:
    return _account_page(request)


@require_POST
@page(Perm.OWN_TOKENS)
def token_create(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST, auto_id="token-%s")
    if form.is_valid():
        try:
            _token, secret = access.create_token(
                Actor.from_request(request),
                _user(request),
                form.cleaned_data["name"],
                form.cleaned_data["expires_in_days"],
            )
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            # Rendered, not redirected: the secret exists only in this response.
            return _account_page(request, new_secret=secret, status=201)
    return _account_page(request, token_form=form, status=INVALID)


@require_POST
@page(Perm.OWN_TOKENS)
def token_revoke(request: HttpRequest, token_id: uuid.UUID) -> HttpResponse:
    token = queries.own_tokens(_user(request)).filter(pk=token_id).first()
    if token is None:
        return not_found(request, "You have no API token with that id.")
    try:
        access.revoke_token(Actor.from_request(request), token.pk)
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Token {token.name} revoked; scripts using it are now refused.")
    return redirect("account")


@require_POST
@page(AUTHENTICATED)
def password_change(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = PasswordChangeForm(request.POST, auto_id="pw-%s")
    if form.is_valid():
        if not user.check_password(form.cleaned_data["current_password"]):
            form.add_error("current_password", "This is not your current password.")
        else:
            try:
                access.set_password(Actor.from_request(request), user, form.cleaned_data["new_password"])
            except KeelError as exc:
                for message in exc.fields.get("password") or [exc.message]:
                    form.add_error("new_password", message)
            else:
                update_session_auth_hash(request, user)
                messages.success(request, "Your password is changed.")
                return redirect("account")
    return _account_page(request, password_form=form, status=INVALID)
