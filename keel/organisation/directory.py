"""The directory of people: owners, approvers and staff, with or without a login
(docs/adr/0019-people.md, docs/people.md).

A person is a row of the ``User`` table. ``has_login`` False means a directory entry only: no
usable password, every login refused. Inviting a person gives them a login (an initial password
shown once) and keeps everything they already own and the trail that names them.

Importers read owner cells through :class:`OwnerBook` (one reading rule for every importer), list
the people they would add in their dry run, and create them with :func:`add_people` inside their
own write transaction.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from keel.organisation.models import ManagementSystem
from keel.organisation.people import grant_role
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version
from keel.platform.errors import Conflict, NotFound, ValidationFailed
from keel.platform.models import NO_EMAIL_DOMAIN, User
from keel.platform.permissions import Perm, check
from keel.platform.records import reject_control_characters

PERSON_FIELDS = ("full_name", "email", "job_title", "department")
TRAIL_FIELDS = ("full_name", "email", "job_title", "department", "has_login")
MAX = {"full_name": 150, "job_title": 150, "department": 150}


# User.email's column (EmailField's default); Django's validator alone accepts up to 320.
EMAIL_MAX = 254


def _clean_email(email: str, field_name: str = "email") -> str:
    email = (email or "").strip().lower()
    if len(email) > EMAIL_MAX:
        raise ValidationFailed(
            f"An email address has at most {EMAIL_MAX} characters.",
            {field_name: [f"At most {EMAIL_MAX} characters."]},
        )
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationFailed(
            f"{email!r} is not a valid email address.", {field_name: ["Enter a valid email address."]}
        ) from None
    if email.endswith("@" + NO_EMAIL_DOMAIN):
        raise ValidationFailed(
            f"Addresses @{NO_EMAIL_DOMAIN} are kept for people whose email is not known; give a real one.",
            {field_name: ["Give a real address."]},
        )
    return email


def placeholder_email(name: str, taken: set[str] | None = None) -> str:
    """A unique stand-in address for a person whose email nobody knows yet."""
    base = slugify(name)[:60] or "person"
    taken = taken if taken is not None else set()
    candidate, n = f"{base}@{NO_EMAIL_DOMAIN}", 1
    while candidate in taken or User.objects.filter(email__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}@{NO_EMAIL_DOMAIN}"
    return candidate


def _check_lengths(data: dict[str, Any]) -> None:
    too_long = {
        k: [f"At most {MAX[k]} characters."] for k, v in data.items() if k in MAX and len(v or "") > MAX[k]
    }
    if too_long:
        raise ValidationFailed(f"Too long: {', '.join(sorted(too_long))}.", too_long)


def create_person(
    actor: Actor,
    full_name: str,
    *,
    email: str = "",
    job_title: str = "",
    department: str = "",
) -> User:
    """Add a person to the directory, without a login. A name is required; the email may be
    unknown (a stand-in address is kept until someone gives the real one)."""
    check(actor, Perm.EDIT_PEOPLE)
    data = {
        "full_name": full_name or "",
        "email": email or "",
        "job_title": job_title or "",
        "department": department or "",
    }
    reject_control_characters(data)
    data = {k: " ".join(v.split()) for k, v in data.items()}
    if not data["full_name"]:
        raise ValidationFailed("Give the person's name.", {"full_name": ["Required."]})
    _check_lengths(data)
    with transaction.atomic():
        if data["email"]:
            data["email"] = _clean_email(data["email"])
            if User.objects.filter(email__iexact=data["email"]).exists():
                raise Conflict(f"Someone with the email {data['email']} is already in the directory.")
        else:
            data["email"] = placeholder_email(data["full_name"])
        person = User(has_login=False, **data)
        person.set_unusable_password()
        _save_unique(person, lambda: person.save())
        trail.record(
            actor,
            TrailAction.CREATE,
            person,
            changes={k: [None, v] for k, v in trail.snapshot(person, TRAIL_FIELDS).items()},
        )
    return person


def update_person(
    actor: Actor, person_id: uuid.UUID | str, *, expected_version: str | None = None, **data: Any
) -> User:
    """Change a person's name, email, job title or department (the account side — active,
    password, roles — has its own services)."""
    check(actor, Perm.EDIT_PEOPLE)
    unknown = set(data) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationFailed(
            f"Unknown field(s): {', '.join(sorted(unknown))}. Allowed: {', '.join(PERSON_FIELDS)}.",
            {k: ["Unknown field."] for k in unknown},
        )
    reject_control_characters(data)
    data = {k: " ".join(str(v or "").split()) for k, v in data.items()}
    _check_lengths(data)
    if "full_name" in data and not data["full_name"]:
        raise ValidationFailed("A person needs a name.", {"full_name": ["Required."]})
    with transaction.atomic():
        person = _locked(person_id)
        check_version(person, expected_version, person.display_name)
        if "email" in data:
            if data["email"]:
                data["email"] = _clean_email(data["email"])
                if User.objects.filter(email__iexact=data["email"]).exclude(pk=person.pk).exists():
                    raise Conflict(f"Someone else has the email {data['email']}.")
            elif person.has_login:
                raise ValidationFailed(
                    "A person who logs in needs an email address.", {"email": ["Required for a login."]}
                )
            else:
                data["email"] = (
                    person.email
                    if not person.has_email
                    else placeholder_email(data.get("full_name") or person.full_name)
                )
        before = trail.snapshot(person, TRAIL_FIELDS)
        for k, v in data.items():
            setattr(person, k, v)
        changes = trail.diff(before, trail.snapshot(person, TRAIL_FIELDS))
        if changes:
            _save_unique(person, lambda: person.save(update_fields=sorted(changes)))
            trail.record(actor, TrailAction.UPDATE, person, changes=changes)
    return person


def _save_unique(person: User, save: Callable[[], None]) -> None:
    """Save in a savepoint: two writers that both checked an email was free meet the unique
    constraint here, and the second gets a 409 instead of a database error."""
    try:
        with transaction.atomic():
            save()
    except IntegrityError:
        raise Conflict(
            f"Someone with the email {person.email} was added to the directory at the same time; nothing was "
            "changed. Reload and try again."
        ) from None


def _locked(person_id: uuid.UUID | str | User) -> User:
    pk = person_id.pk if isinstance(person_id, User) else person_id
    try:
        return User.objects.select_for_update().get(pk=pk)
    except (User.DoesNotExist, ValueError, ValidationError):
        raise NotFound(f"No person with id {pk}.") from None


@dataclass
class Invitation:
    person: User
    password: str  # shown once, never stored in clear


def invite(
    actor: Actor,
    person_id: uuid.UUID | str | User,
    *,
    email: str | None = None,
    role: str | None = None,
    management_system: ManagementSystem | None = None,
) -> Invitation:
    """Give a person of the directory a login: a generated initial password, returned once for
    the administrator to pass on over a channel they trust. Everything the person owns and the
    trail that names them stay as they are. A person whose email is not known needs ``email``.
    Optionally grant a first role in the same transaction."""
    check(actor, Perm.MANAGE_USERS)
    with transaction.atomic():
        person = _locked(person_id)
        if person.has_login:
            raise Conflict(
                f"{person.display_name} can already log in; set a new password instead if they lost theirs."
            )
        if not person.is_active:
            raise Conflict(f"{person.display_name} is deactivated: activate them first.")
        before = trail.snapshot(person, TRAIL_FIELDS)
        if email:
            email = _clean_email(email)
            if User.objects.filter(email__iexact=email).exclude(pk=person.pk).exists():
                raise Conflict(f"Someone else has the email {email}.")
            person.email = email
        if not person.has_email:
            raise ValidationFailed(
                f"Keel has no email address for {person.display_name}: give the one they will log in with.",
                {"email": ["Required to log in."]},
            )
        password = secrets.token_urlsafe(15)
        try:
            password_validation.validate_password(password, person)
        except ValidationError:  # pragma: no cover - a 20-character random password passes
            password = secrets.token_urlsafe(24)
        person.set_password(password)
        person.has_login = True
        _save_unique(person, lambda: person.save(update_fields=["email", "has_login", "password"]))
        changes = trail.diff(before, trail.snapshot(person, TRAIL_FIELDS))
        changes["password_set"] = [False, True]
        trail.record(actor, TrailAction.UPDATE, person, changes=changes)
        if role:
            grant_role(actor, person, role, management_system)
    return Invitation(person, password)


# ---------------------------------------------------------------- owners in imported files

# Words that make an owner cell a job title or a team rather than a person's name.
_ROLE_WORDS = re.compile(
    r"\b(head|chief|manager|management|officer|lead|leader|director|team|department|dept|group|"
    r"owner|administrator|admin|engineer|engineering|analyst|committee|board|counsel|architect|"
    r"coordinator|specialist|desk|helpdesk|operations|ops|office|function|unit|vp|president|"
    r"secretary|controller|steward|champion|it|hr|legal|finance|security|compliance|privacy|"
    r"procurement|facilities|sre|soc|devops)\b",
    re.IGNORECASE,
)
_ACRONYM = re.compile(r"^[A-Z]{2,6}$")  # CISO, CTO, DPO, HR


def looks_like_role(text: str) -> bool:
    """True when an owner cell names a role or team ("Head of IT", "CISO", "Service desk")
    rather than a person ("Dana Whitfield")."""
    return bool(_ACRONYM.match(text.strip()) or _ROLE_WORDS.search(text))


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


@dataclass
class NewPerson:
    """A person an import would add: once per person, with the rows that name them."""

    key: str
    full_name: str
    email: str  # "" when unknown (a stand-in is chosen when the person is created)
    job_title: str
    as_written: str
    read_as: str  # "email", "name" or "role"
    rows: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.full_name,
            "email": self.email or None,
            "job_title": self.job_title or None,
            "read_as": self.read_as,
            "as_written": self.as_written,
            "rows": self.rows,
        }


@dataclass
class OwnerReading:
    person_id: uuid.UUID | None = None  # an existing person
    new_key: str = ""  # or a person to add (key of OwnerBook.new)
    warning: str = ""  # when the cell could not be read as one person


@dataclass
class OwnerBook:
    """The directory as importers read it (loaded once per plan), and the people to add.

    How an owner cell is read (docs/import.md "Owners"):
    1. with an ``@`` (``dana@example.com`` or ``Dana Whitfield <dana@example.com>``): the person
       with that email, or a new person with that email (and the name, when given);
    2. otherwise the one person with that full name (case and spaces ignored);
    3. otherwise the one person with that job title (a role-holder: "Head of IT");
    4. otherwise a new person: named by the cell; when the cell reads as a role or team
       ("Head of IT", "CISO", "Service desk"), the role is also their job title, so renaming
       them to the real person later keeps the job title that re-imports match on.
    Two people with the same name or job title make the cell ambiguous: the row is imported
    without an owner and a warning says why.
    """

    emails: dict[str, uuid.UUID]
    names: dict[str, list[uuid.UUID]]
    titles: dict[str, list[uuid.UUID]]
    labels: dict[uuid.UUID, str]
    new: dict[str, NewPerson] = field(default_factory=dict)

    @classmethod
    def load(cls) -> OwnerBook:
        emails: dict[str, uuid.UUID] = {}
        names: dict[str, list[uuid.UUID]] = {}
        titles: dict[str, list[uuid.UUID]] = {}
        labels: dict[uuid.UUID, str] = {}
        for pk, email, name, title in User.objects.filter(is_active=True).values_list(
            "pk", "email", "full_name", "job_title"
        ):
            emails[email.lower()] = pk
            labels[pk] = name or email
            if name.strip():
                names.setdefault(_norm(name), []).append(pk)
            if title.strip():
                titles.setdefault(_norm(title), []).append(pk)
        return cls(emails, names, titles, labels)

    def read(self, cell: str, row: int) -> OwnerReading:
        cell = " ".join(cell.split())
        if not cell:
            return OwnerReading()
        if "@" in cell:
            name, address = parseaddr(cell)
            address = address.strip().lower()
            try:
                if len(address) > EMAIL_MAX:
                    raise ValidationError("too long")
                validate_email(address)
            except ValidationError:
                return OwnerReading(
                    warning=f"owner {cell!r} is not a valid email address: imported without an owner"
                )
            if address in self.emails:
                return OwnerReading(person_id=self.emails[address])
            return self._add(f"email:{address}", name.strip(), address, "", cell, "email", row)
        key = _norm(cell)
        by_name = self.names.get(key, [])
        if len(by_name) == 1:
            return OwnerReading(person_id=by_name[0])
        if len(by_name) > 1:
            return OwnerReading(
                warning=f"owner {cell!r}: {len(by_name)} people have that name; write their email "
                "instead (imported without an owner)"
            )
        by_title = self.titles.get(key, [])
        if len(by_title) == 1:
            return OwnerReading(person_id=by_title[0])
        if len(by_title) > 1:
            return OwnerReading(
                warning=f"owner {cell!r}: {len(by_title)} people hold that job title; write a name or an "
                "email instead (imported without an owner)"
            )
        role = looks_like_role(cell)
        return self._add(f"name:{key}", cell, "", cell if role else "", cell, "role" if role else "name", row)

    def _add(
        self, key: str, name: str, email: str, title: str, written: str, read_as: str, row: int
    ) -> OwnerReading:
        person = self.new.get(key)
        if person is None:
            person = self.new[key] = NewPerson(key, name, email, title, written, read_as)
        if row not in person.rows:
            person.rows.append(row)
        return OwnerReading(new_key=key)

    def to_add(self) -> list[NewPerson]:
        return sorted(self.new.values(), key=lambda p: (p.full_name or p.email).lower())


def add_people(actor: Actor, people: list[NewPerson], *, source: str) -> dict[str, User]:
    """Create the people an import found, without logins, each with its trail entry. Must run
    inside the importer's write transaction (it is part of the import: all or nothing). Returns
    the new people by :attr:`NewPerson.key`.

    No permission of its own: the importer checked the import's permission (``edit_controls``
    for controls), and a person added this way has no login and no role — nothing an
    administrator would have to grant (docs/adr/0019-people.md)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("add_people() must run inside the import's transaction")
    made: dict[str, User] = {}
    taken: set[str] = set()
    entries: list[trail.Pending] = []
    for p in people:
        email = p.email
        if email and User.objects.filter(email__iexact=email).exists():
            raise Conflict(f"{email} was added to the directory while the import was prepared: import again.")
        if not email:
            email = placeholder_email(p.full_name, taken)
        taken.add(email)
        person = User(email=email, full_name=p.full_name[:150], job_title=p.job_title[:150], has_login=False)
        person.set_unusable_password()
        made[p.key] = person
    try:
        with transaction.atomic():
            User.objects.bulk_create(list(made.values()))
    except IntegrityError:
        raise Conflict(
            "Someone with one of these email addresses was added to the directory while the import ran: "
            "import again. Nothing was written."
        ) from None
    for p in people:
        person = made[p.key]
        changes = {k: [None, v] for k, v in trail.snapshot(person, TRAIL_FIELDS).items()}
        changes["source"] = [None, f"{source}, owner {p.as_written!r}"]
        entries.append(trail.Pending(TrailAction.CREATE, person, changes=changes))
    trail.record_many(actor, entries)
    return made
