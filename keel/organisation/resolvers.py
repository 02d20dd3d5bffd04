"""One resolver per shared reference: how a management system, an account, a requirement or a
record with a ``XX-nnn`` reference is found from what a person typed, by every caller (services,
API, pages, CLI), so that the accepted forms, the error messages and the perimeter rule are the
same everywhere.

The perimeter rule: a reference to something outside the caller's perimeter is *not found* for
that caller, with exactly the message a reference to nothing gets, and no message ever names a
record the caller may not see (the management-system message does not even repeat what was
typed, so an answer cannot differ between "no such system" and "not yours").

Platform layer: this module imports core and standards only. Domain apps resolve their own
records with :func:`record` over their perimeter queryset (for controls:
``keel.controls.queries.control_ref``).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from keel.organisation import authority as authority_rules
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.errors import ValidationFailed
from keel.platform.models import User
from keel.platform.permissions import Perm, has_perm, system_ids_with
from keel.standards.models import Requirement, Standard

M = TypeVar("M", bound=models.Model)

# Who is asking: a user (pages, API), an actor (services; the CLI operator without ``--as`` sees
# everything), or nobody (sees nothing).
Viewer = User | Actor | None

# For trusted callers that already decided the perimeter (``user=None`` in some list queries).
TRUSTED = Actor(user=None, label="trusted caller", channel="system")

UNKNOWN_SYSTEM = "No management system you can see has that id or short name."


def as_uuid(value: object) -> uuid.UUID | None:
    """``value`` as a UUID, or ``None`` when it is not one."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value).strip())
    except (ValueError, AttributeError):
        return None


def visible_system_ids(who: Viewer) -> set[uuid.UUID] | None:
    """The management systems ``who`` may view; ``None`` means all of them."""
    if isinstance(who, Actor):
        if who.user is None:
            return None if who.channel in {"cli", "system"} else set()
        who = who.user
    return system_ids_with(who, Perm.VIEW)


def management_system(
    ref: uuid.UUID | str | ManagementSystem | None, who: Viewer, *, field: str = "management_system"
) -> ManagementSystem:
    """A management system by id or short name, among those ``who`` may view.

    Unknown, empty and outside-the-perimeter references all give the same 422 on ``field``."""
    if ref is None or not str(ref).strip():
        raise ValidationFailed("Choose the management system.", {field: ["Required."]})
    if isinstance(ref, ManagementSystem):
        ms: ManagementSystem | None = ref
    else:
        pk = as_uuid(ref)
        qs = ManagementSystem.objects.all()
        ms = qs.filter(pk=pk).first() if pk is not None else qs.filter(short_name=str(ref).strip()).first()
    ids = visible_system_ids(who)
    if ms is None or (ids is not None and ms.pk not in ids):
        raise ValidationFailed(UNKNOWN_SYSTEM, {field: ["Unknown management system."]})
    return ms


def management_systems(
    refs: Iterable[uuid.UUID | str | ManagementSystem] | None,
    who: Viewer,
    *,
    field: str = "management_systems",
) -> list[ManagementSystem]:
    """Several management systems (each as :func:`management_system`), duplicates removed."""
    out: dict[uuid.UUID, ManagementSystem] = {}
    for ref in refs or ():
        ms = management_system(ref, who, field=field)
        out.setdefault(ms.pk, ms)
    return list(out.values())


def user_by_email(
    email: str | User | None,
    field: str = "owner",
    *,
    management_system: ManagementSystem | uuid.UUID | None = None,
    authority: str = Perm.VIEW,
) -> User | None:
    """The person named by email (case-insensitive) or id; ``None`` when none is given.

    With ``management_system``, the person must be able to act there: a login and a role granting
    ``authority`` (default ``view``; a caller whose owner must accept, approve… passes that
    permission); the message names what they lack (:mod:`keel.organisation.authority`).
    Without it, any person of the directory may be named, with or without a login."""
    if email is None or (isinstance(email, str) and not email.strip()):
        return None
    if isinstance(email, User):
        user: User | None = email
    elif (pk := as_uuid(email)) is not None:
        user = User.objects.filter(pk=pk).first()
    else:
        user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise ValidationFailed(f"No user with email {email!r}.", {field: ["Unknown user."]})
    if management_system is not None and not has_perm(user, authority, management_system):
        ms = (
            management_system
            if isinstance(management_system, ManagementSystem)
            else ManagementSystem.objects.filter(pk=management_system).first()
        )
        why = authority_rules.lacks(user, authority, ms) or ""
        raise ValidationFailed(
            f"The {field} of these records must be able to act on them. {why}",
            {field: ["No login or no role on this management system."]},
        )
    return user


UNKNOWN_REQUIREMENT = "Unknown requirement."


def requirement(
    ref: str | Requirement,
    *,
    standard: Standard | str | None = None,
    field: str = "requirement",
    current: bool = False,
) -> Requirement:
    """A requirement by its full key (``iso27001:2022:A.5.1``) or, within ``standard``, by its
    bare id (``A.5.1``). ``current`` refuses one withdrawn from its standard."""
    if isinstance(ref, Requirement):
        req: Requirement | None = ref
    else:
        key = str(ref).strip()
        qs = Requirement.objects.select_related("standard")
        req = qs.filter(key=key).first()
        if req is None and standard is not None and key:
            std = Q(standard=standard) if isinstance(standard, Standard) else Q(standard__key=standard)
            req = qs.filter(std, ref_id=key).first()
        elif req is None and key:
            # a bare id (A.5.19) names a requirement when exactly one live requirement has it
            same = list(
                qs.filter(ref_id__iexact=key, withdrawn_at__isnull=True).order_by("standard__key")[:6]
            )
            if len(same) == 1:
                req = same[0]
            elif same:
                raise ValidationFailed(
                    f"{key} is in several standards: give the full key, {' or '.join(r.key for r in same)}.",
                    {field: [f"Several requirements are called {key}."]},
                )
    if req is None:
        raise ValidationFailed(
            f"No requirement {str(ref)!r}: give its full key, e.g. iso27001:2022:A.5.19.",
            {field: [UNKNOWN_REQUIREMENT]},
        )
    if current and req.withdrawn_at is not None:
        raise ValidationFailed(
            f"{req.key} was withdrawn from the standard; link its successor instead.", {field: ["Withdrawn."]}
        )
    return req


def record(
    qs: models.QuerySet[M],
    ref: uuid.UUID | str | M,
    *,
    label: str,
    example: str,
    field: str,
    ref_field: str = "ref_id",
) -> M:
    """A record of ``qs`` (the caller's perimeter, already restricted) by id or reference such as
    ``KC-012``: anything not in ``qs`` is "not found", whether it exists elsewhere or not."""
    if isinstance(ref, models.Model):
        found: M | None = qs.filter(pk=ref.pk).first()
    else:
        pk = as_uuid(ref)
        try:
            found = qs.filter(pk=pk).first() if pk is not None else None
        except ValidationError:
            found = None
        if found is None:
            found = qs.filter(**{f"{ref_field}__iexact": str(ref).strip()}).first()
    if found is None:
        raise ValidationFailed(
            f"Unknown {label} {str(ref)!r}: give its id or reference (e.g. {example}).",
            {field: [f"Unknown {label}."]},
        )
    return found


SystemRefs = ManagementSystem | uuid.UUID | None | Iterable[ManagementSystem | uuid.UUID | None]


def _ids(value: SystemRefs) -> set[uuid.UUID]:
    items = value if isinstance(value, Iterable) else [value]
    return {v.pk if isinstance(v, ManagementSystem) else v for v in items if v is not None}


def same_system(record_systems: SystemRefs, target_systems: SystemRefs, *, what: str, field: str) -> None:
    """Refuse a reference to a record of another management system than the record's own
    (a record or target of no system, organisation-wide, goes with any)."""
    mine, theirs = _ids(record_systems), _ids(target_systems)
    if mine and theirs and not mine & theirs:
        raise ValidationFailed(
            f"The {what} belongs to another management system than this record: "
            "choose one of the same management system.",
            {field: ["Another management system."]},
        )


def visible_systems(who: Viewer) -> models.QuerySet[ManagementSystem]:
    """The management systems ``who`` may view, by name (for a page's filter choices)."""
    ids = visible_system_ids(who)
    qs = ManagementSystem.objects.order_by("name")
    return qs if ids is None else qs.filter(pk__in=ids)


def in_perimeter(qs: models.QuerySet[M], who: Viewer, field: str = "management_system") -> models.QuerySet[M]:
    """``qs`` narrowed to the records of the management systems ``who`` may view."""
    ids = visible_system_ids(who)
    return qs if ids is None else qs.filter(**{f"{field}__in": ids})
