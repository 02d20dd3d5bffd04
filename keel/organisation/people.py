"""People and roles: creating a user with a first role, granting and revoking roles over the
organisation or a management system."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from keel.organisation.models import ManagementSystem, RoleAssignment
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import Role, TrailAction
from keel.platform.concurrency import check_version
from keel.platform.errors import Conflict, NotFound, ValidationFailed
from keel.platform.models import User
from keel.platform.permissions import Perm, check, forget_cached_roles
from keel.platform.records import reject_control_characters


def create_user(
    actor: Actor,
    email: str,
    *,
    full_name: str = "",
    job_title: str = "",
    password: str | None = None,
    role: str | None = None,
    management_system: ManagementSystem | None = None,
) -> User:
    """Create an account, optionally with a first role. Without a password the account cannot
    log in with one until a password is set."""
    check(actor, Perm.MANAGE_USERS)
    reject_control_characters({"email": email, "full_name": full_name, "job_title": job_title})
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationFailed(
            f"{email!r} is not a valid email address.", {"email": ["Enter a valid email address."]}
        ) from None
    if role is not None and role not in Role.values:
        raise ValidationFailed(
            f"Unknown role {role!r}. Roles: {', '.join(Role.values)}.", {"role": ["Unknown role."]}
        )
    with transaction.atomic():
        if User.objects.filter(email__iexact=email).exists():
            raise Conflict(f"A user with email {email} already exists.")
        user = User(email=email, full_name=full_name.strip(), job_title=job_title.strip())
        if password:
            try:
                password_validation.validate_password(password, user)
            except ValidationError as exc:
                raise ValidationFailed(
                    "The password is too weak: " + " ".join(exc.messages), {"password": list(exc.messages)}
                ) from None
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        trail.record(
            actor,
            TrailAction.CREATE,
            user,
            changes={
                "email": [None, email],
                "full_name": [None, user.full_name],
                "job_title": [None, user.job_title],
                "password_set": [None, bool(password)],
            },
        )
        if role is not None:
            grant_role(actor, user, role, management_system)
    return user


def grant_role(
    actor: Actor, user: User, role: str, management_system: ManagementSystem | None = None
) -> RoleAssignment:
    check(actor, Perm.MANAGE_USERS)
    if role not in Role.values:
        raise ValidationFailed(
            f"Unknown role {role!r}. Roles: {', '.join(Role.values)}.", {"role": ["Unknown role."]}
        )
    with transaction.atomic():
        exists = RoleAssignment.objects.filter(
            user=user, role=role, management_system=management_system
        ).exists()
        if exists:
            raise Conflict(f"{user.email} already has the role {role} there.")
        ra = RoleAssignment.objects.create(
            user=user, role=role, management_system=management_system, granted_by=actor.user
        )
        trail.record(
            actor,
            TrailAction.GRANT,
            ra,
            management_system_id=management_system.pk if management_system else None,
            changes={
                "user": [None, user.email],
                "role": [None, role],
                "perimeter": [None, management_system.short_name if management_system else "organisation"],
            },
        )
    forget_cached_roles(user)
    return ra


def revoke_role(actor: Actor, assignment_id: uuid.UUID | str) -> None:
    check(actor, Perm.MANAGE_USERS)
    with transaction.atomic():
        _lock_administrators()  # before reading the assignment: the "last admin" rule reads them all
        try:
            # of=self: PostgreSQL cannot lock the nullable side of the outer join to the system.
            ra = (
                RoleAssignment.objects.select_related("user", "management_system")
                .select_for_update(of=("self",))
                .get(pk=assignment_id)
            )
        except (RoleAssignment.DoesNotExist, ValueError, ValidationError):
            raise NotFound(f"No role assignment with id {assignment_id}.") from None
        if ra.role == Role.ADMIN and ra.management_system_id is None:
            others = RoleAssignment.objects.filter(
                role=Role.ADMIN, management_system__isnull=True, user__is_active=True
            ).exclude(pk=ra.pk)
            if not others.exists():
                raise Conflict(
                    f"{ra.user.email} is the last administrator of the organisation (another "
                    "administrator may just have been revoked): grant the role to someone else first. "
                    "Nothing was changed."
                )
        trail.record(
            actor,
            TrailAction.REVOKE,
            ra,
            changes={
                "user": [ra.user.email, None],
                "role": [ra.role, None],
                "perimeter": [
                    ra.management_system.short_name if ra.management_system else "organisation",
                    None,
                ],
            },
        )
        ra.delete()
    forget_cached_roles(ra.user)


def _lock_administrators() -> None:
    """Lock what the "last administrator" rule reads: every organisation-wide admin role
    assignment, then their users, each in primary-key order (a fixed order, so two callers never
    deadlock). A second revocation or deactivation waits here for the first to commit, then
    counts the administrators that are really left (PostgreSQL re-reads at each statement)."""
    assignments = (
        RoleAssignment.objects.filter(role=Role.ADMIN, management_system__isnull=True)
        .select_for_update()
        .order_by("pk")
    )
    user_ids = [ra.user_id for ra in assignments]
    list(User.objects.filter(pk__in=user_ids).select_for_update().order_by("pk").values_list("pk", flat=True))


def update_user(
    actor: Actor, user_id: uuid.UUID | str, *, expected_version: str | None = None, **data: Any
) -> User:
    check(actor, Perm.MANAGE_USERS)
    allowed = {"full_name", "job_title", "is_active"}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationFailed(f"Unknown field(s): {', '.join(sorted(unknown))}.")
    reject_control_characters(data)
    with transaction.atomic():
        if data.get("is_active") is False:
            _lock_administrators()
        try:
            user = User.objects.select_for_update().get(pk=user_id)
        except (User.DoesNotExist, ValueError, ValidationError):
            raise NotFound(f"No user with id {user_id}.") from None
        check_version(user, expected_version, user.email)
        if data.get("is_active") is False and actor.user is not None and user.pk == actor.user.pk:
            raise ValidationFailed("You cannot deactivate your own account.")
        if data.get("is_active") is False and user.is_active:
            other_admins = User.objects.filter(
                is_active=True,
                role_assignments__role=Role.ADMIN,
                role_assignments__management_system__isnull=True,
            ).exclude(pk=user.pk)
            is_admin = user.role_assignments.filter(role=Role.ADMIN, management_system__isnull=True).exists()
            if is_admin and not other_admins.exists():
                raise Conflict(
                    f"{user.email} is the last active administrator; make someone else admin first."
                )
        before = trail.snapshot(user, sorted(allowed))
        for k, v in data.items():
            setattr(user, k, v)
        changes = trail.diff(before, trail.snapshot(user, sorted(allowed)))
        if changes:
            user.save(update_fields=sorted(changes))
        if changes:
            trail.record(actor, TrailAction.UPDATE, user, changes=changes)
    return user
