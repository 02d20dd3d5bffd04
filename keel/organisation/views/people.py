"""People: the directory (with or without a login), each person's page with what they own,
accounts, invitations, and the roles they hold over which perimeter."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from keel.organisation import directory
from keel.organisation import people as organisation_people
from keel.organisation import queries as organisation_queries
from keel.organisation import resolvers as organisation_resolvers
from keel.organisation.forms import (
    GrantRoleForm,
    InviteForm,
    PeopleFilterForm,
    PersonAddForm,
    PersonForm,
    UserCreateForm,
    perimeter_choices,
)
from keel.organisation.models import ManagementSystem, RoleAssignment
from keel.platform import accounts as accounts
from keel.platform import hooks
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.errors import KeelError
from keel.platform.forms import SetPasswordForm, add_service_error
from keel.platform.models import User
from keel.platform.pages import page
from keel.platform.permissions import Perm, has_perm
from keel.platform.views.common import INVALID, current_user, not_found


def _perimeter(request: HttpRequest, ref: str) -> ManagementSystem | None:
    """The perimeter chosen in a people form, resolved as the API resolves it: among the
    management systems the person acting may view (an unknown or hidden one is the same clear
    error, naming no other system); empty is the whole organisation."""
    if not ref:
        return None
    return organisation_resolvers.management_system(ref, current_user(request), field="management_system")


PAGE_SIZE = 50


def _people_page(request: HttpRequest, form: UserCreateForm | None = None, status: int = 200) -> HttpResponse:
    user = current_user(request)
    params = request.GET.copy()
    params.pop("page", None)
    departments = organisation_queries.departments()
    filters = PeopleFilterForm(params or None, departments=departments, auto_id="people-%s")
    problem = ""
    chosen = organisation_queries.PeopleFilters()
    if filters.is_bound:
        if filters.is_valid():
            chosen = filters.filters()
        else:
            problem = filters.problem()
    page_obj = Paginator(organisation_queries.people(chosen), PAGE_SIZE).get_page(request.GET.get("page", 1))
    can_manage = has_perm(user, Perm.MANAGE_USERS)
    return render(
        request,
        "organisation/people.html",
        {
            "people": list(page_obj.object_list),
            "page_obj": page_obj,
            "filters": filters,
            "problem": problem,
            "filtered": any(params.get(k) for k in ("q", "department", "login")),
            "can_manage": can_manage,
            "can_edit": has_perm(user, Perm.EDIT_PEOPLE),
            "form": (form or UserCreateForm(auto_id="new-user-%s")) if can_manage else None,
            "roles": Role.choices,
            "default_role": GrantRoleForm.DEFAULT_ROLE.value,
            "perimeters": perimeter_choices() if can_manage else [],
        },
        status=status,
    )


@page(Perm.VIEW)
def people(request: HttpRequest) -> HttpResponse:
    return _people_page(request)


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_PEOPLE)
def person_add(request: HttpRequest) -> HttpResponse:
    form = PersonAddForm(request.POST if request.method == "POST" else None, auto_id="add-person-%s")
    if request.method == "POST" and form.is_valid():
        try:
            person = directory.create_person(Actor.from_request(request), **form.cleaned_data)
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"{person.display_name} is in the directory (no login).")
            return redirect("person", user_id=person.pk)
    return render(
        request,
        "organisation/person_form.html",
        {"form": form, "person": None},
        status=INVALID if form.errors else 200,
    )


@require_POST
@page(Perm.MANAGE_USERS)
def person_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST, auto_id="new-user-%s")
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            user = organisation_people.create_user(
                Actor.from_request(request),
                data["email"],
                full_name=data["full_name"],
                job_title=data["job_title"],
                password=data["password"] or None,
                role=data["role"] or None,
                management_system=_perimeter(request, data["management_system"]),
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
        ra = organisation_people.grant_role(
            Actor.from_request(request),
            person,
            form.cleaned_data["role"],
            _perimeter(request, form.cleaned_data["management_system"]),
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
        organisation_people.revoke_role(Actor.from_request(request), ra.pk)
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Revoked: {ra}.")
    return redirect("people")


# ---------------------------------------------------------------- one person: details, password, access


@page(Perm.VIEW)
def person_detail(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    person = organisation_queries.person(user_id)
    if person is None:
        return not_found(request, f"No person with id {user_id}.")
    viewer = current_user(request)
    owned: dict[str, list[hooks.Owned]] = {}
    for found in hooks.call("person.owned", person=person, viewer=viewer):
        for item in found:
            owned.setdefault(item.kind, []).append(item)
    can_manage = has_perm(viewer, Perm.MANAGE_USERS)
    return render(
        request,
        "organisation/person_detail.html",
        {
            "person": person,
            "owned": owned,
            "owned_count": sum(len(v) for v in owned.values()),
            "can_edit": has_perm(viewer, Perm.EDIT_PEOPLE),
            "can_manage": can_manage,
            "invite_form": InviteForm(auto_id="invite-%s") if can_manage and not person.has_login else None,
        },
    )


def _person_page(
    request: HttpRequest,
    person: User,
    *,
    details_form: PersonForm | None = None,
    password_form: SetPasswordForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "organisation/person.html",
        {
            "person": person,
            "is_self": person.pk == current_user(request).pk,
            "can_manage": has_perm(current_user(request), Perm.MANAGE_USERS),
            "details_form": details_form or PersonForm.for_record(person, auto_id="person-%s"),
            "password_form": password_form or SetPasswordForm(auto_id="person-pw-%s"),
        },
        status=status,
    )


def _back_to(person: User) -> HttpResponse:
    return redirect(reverse("person-edit", args=[person.pk]))


@require_http_methods(["GET", "POST"])
@page(Perm.EDIT_PEOPLE)
def person_edit(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    person = organisation_queries.person(user_id)
    if person is None:
        return not_found(request, f"No person with id {user_id}.")
    if request.method != "POST":
        return _person_page(request, person)
    form = PersonForm(request.POST, auto_id="person-%s")
    if form.is_valid():
        try:
            directory.update_person(
                Actor.from_request(request),
                person.pk,
                expected_version=form.expected_version,
                **form.service_data(),
            )
        except KeelError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"The details of {person.display_name} are saved.")
            return redirect("person", user_id=person.pk)
    return _person_page(request, person, details_form=form, status=INVALID)


@require_POST
@page(Perm.MANAGE_USERS)
def person_invite(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    person = organisation_queries.person(user_id)
    if person is None:
        return not_found(request, f"No person with id {user_id}.")
    form = InviteForm(request.POST, auto_id="invite-%s")
    problem = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            invitation = directory.invite(
                Actor.from_request(request),
                person.pk,
                email=data["email"] or None,
                role=data["role"] or None,
                management_system=_perimeter(request, data["management_system"]),
            )
        except KeelError as exc:
            problem = exc.message
        else:
            response = render(
                request,
                "organisation/invited.html",
                {"person": invitation.person, "password": invitation.password, "role": data["role"]},
            )
            response["Cache-Control"] = "private, no-store"
            return response
    else:
        problem = " ".join(" ".join(str(x) for x in e) for e in form.errors.values())
    messages.error(request, f"{person.display_name} was not invited: {problem}")
    return redirect("person", user_id=person.pk)


@require_POST
@page(Perm.MANAGE_USERS)
def person_password(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    person = organisation_queries.person(user_id)
    if person is None:
        return not_found(request, f"No user with id {user_id}.")
    form = SetPasswordForm(request.POST, auto_id="person-pw-%s")
    if form.is_valid():
        try:
            accounts.set_password(Actor.from_request(request), person, form.cleaned_data["new_password"])
        except KeelError as exc:
            for message in exc.fields.get("password") or [exc.message]:
                form.add_error("new_password", message)
        else:
            if person.pk == current_user(request).pk:
                update_session_auth_hash(request, person)  # stay logged in after changing one's own
            messages.success(
                request,
                f"A new password is set for {person.email}; their other sessions are logged out. "
                "Give it to them over a channel you trust.",
            )
            return _back_to(person)
    return _person_page(request, person, password_form=form, status=INVALID)


def _set_active(request: HttpRequest, user_id: uuid.UUID, active: bool) -> HttpResponse:
    person = organisation_queries.person(user_id)
    if person is None:
        return not_found(request, f"No user with id {user_id}.")
    if person.is_active == active:
        messages.info(request, f"{person.email} is already {'active' if active else 'deactivated'}.")
        return _back_to(person)
    try:
        organisation_people.update_user(Actor.from_request(request), person.pk, is_active=active)
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        if active:
            messages.success(request, f"{person.email} is active again and can log in with their password.")
        else:
            messages.success(
                request,
                f"{person.email} is deactivated: they can no longer log in, and their API tokens are refused. "
                "Their roles and the trail of what they did are kept.",
            )
    return _back_to(person)


@require_POST
@page(Perm.MANAGE_USERS)
def person_deactivate(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    return _set_active(request, user_id, active=False)


@require_POST
@page(Perm.MANAGE_USERS)
def person_activate(request: HttpRequest, user_id: uuid.UUID) -> HttpResponse:
    return _set_active(request, user_id, active=True)
