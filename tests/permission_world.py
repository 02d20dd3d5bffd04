"""The small world the permission matrix runs in, and the principals it runs as.

A world is an organisation with two management systems, A and B (both cover both standards),
a draft scope statement in each, one interested party, one context issue, and a *target* user
(with a role and an API token) for the people-and-access operations to act on. The trail then
holds an entry of each system (drafting its scope) and an organisation-level one (the token).

A principal is a role over a perimeter — ``"auditor@A"`` is an auditor over management system
A only — or ``"no-role"`` (an account without any role) or ``"anonymous"`` (not logged in).
Every member principal is made with the world, with a logged-in session.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.test import Client

from keel.organisation.models import ManagementSystem, RoleAssignment, ScopeStatement
from keel.organisation.tests.factories import (
    TEST_PASSWORD,
    ContextIssueFactory,
    InterestedPartyFactory,
    ManagementSystemFactory,
    OrganisationFactory,
    UserFactory,
)
from keel.platform import accounts as accounts
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import Role, TrailAction
from keel.platform.models import ApiToken, TrailEntry, User
from keel.platform.permissions import has_owner_perm, has_perm
from keel.standards.models import Standard

ISO27001 = "iso27001:2022"
ISO42001 = "iso42001:2023"
PASSWORD = TEST_PASSWORD

ROLES: tuple[str, ...] = tuple(Role.values)
PERIMETERS = ("org", "A", "B")
NO_ROLE = "no-role"
ANONYMOUS = "anonymous"
# Every role over the organisation, over system A and over system B, then the two outsiders.
MEMBERS: tuple[str, ...] = (*(f"{role}@{where}" for role in ROLES for where in PERIMETERS), NO_ROLE)
PRINCIPALS: tuple[str, ...] = (*MEMBERS, ANONYMOUS)
# The SQLite and the PostgreSQL passes share the matrix out between them: together they run
# every (case, principal) pair. The core principals (an administrator and a viewer over system A,
# an administrator over the other system, the anonymous visitor) run every case in both passes,
# which reaches every backend-specific path (perimeter filters over JSON fields, refused writes
# rolled back, allowed writes committed); each other pair runs in exactly one pass, chosen by a
# stable hash of the pair. The decisions are the same Python on both backends; the matrix was
# 83 % of the suite's tests. ``KEEL_FULL_MATRIX=1`` runs every pair in a pass (a machine without
# PostgreSQL runs only the SQLite share otherwise).
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
FULL_MATRIX = os.environ.get("KEEL_FULL_MATRIX", "") == "1"
CORE_PRINCIPALS = frozenset({"admin@A", "viewer@A", "admin@B", ANONYMOUS})


def runs_here(case: object, principal: str) -> bool:
    """Whether this pass runs the matrix entry of ``case`` for ``principal``."""
    if FULL_MATRIX or principal in CORE_PRINCIPALS:
        return True
    return zlib.crc32(f"{case}|{principal}".encode()) % 2 == (1 if ON_POSTGRES else 0)


def matrix_params(cases: Iterable[object], principals: Iterable[str]) -> list[Any]:
    """The (case, principal) parameters of this pass, with the ids the matrix always had."""
    import pytest

    return [
        pytest.param(case, principal, id=f"{case}-{principal}")
        for case in cases
        for principal in principals
        if runs_here(case, principal)
    ]


class Anywhere:
    """Marks a target that is not one record but a list filtered to the caller's perimeters
    (the audit trail): allowed when the rule holds at organisation level or over any system."""

    def __repr__(self) -> str:
        return "anywhere"


ANYWHERE = Anywhere()


@dataclass(frozen=True)
class Owned:
    """A target that is a record of ``system`` owned by ``owner_id`` (``None``: nobody), for a
    rule over one's own records (``OWNED`` in keel/platform/permissions.py)."""

    system: ManagementSystem
    owner_id: uuid.UUID | None


Target = ManagementSystem | None | Anywhere | Owned


@dataclass
class World:
    a: ManagementSystem
    b: ManagementSystem
    scope_a: ScopeStatement
    scope_b: ScopeStatement
    party_id: str
    issue_id: str
    target: User
    target_role: RoleAssignment
    target_token: ApiToken
    entry_a: int  # seq of a trail entry of system A
    entry_org: int  # seq of an organisation-level trail entry
    users: dict[str, User] = field(default_factory=dict)  # every member principal, by name
    sessions: dict[str, str] = field(default_factory=dict)  # a logged-in session key, by name

    def system(self, where: str) -> ManagementSystem | None:
        return {"org": None, "A": self.a, "B": self.b}[where]

    def principal(self, name: str) -> User | None:
        """The user behind a principal name (``None`` for anonymous), made with the world."""
        if name == ANONYMOUS:
            return None
        return self.users[name]

    def client(self, user: User | None) -> Client:
        """A test client logged in as ``user`` (with the session made with the world, which
        a case that logs out or changes a password rolls back), anonymous for ``None``."""
        client = Client()
        if user is not None:
            client.cookies[settings.SESSION_COOKIE_NAME] = self.sessions[user.email]
        return client

    def add_principals(self) -> None:
        """Every member principal, each with a logged-in session."""
        for name in MEMBERS:
            if name == NO_ROLE:
                user: User = UserFactory.create(email="no-role@example.com")
            else:
                role, where = name.split("@")
                user = UserFactory.create(email=f"{role}.{where.lower()}@example.com")
                RoleAssignment.objects.create(user=user, role=role, management_system=self.system(where))
            client = Client()
            client.force_login(user)
            self.users[name] = user
            self.sessions[user.email] = client.cookies[settings.SESSION_COOKIE_NAME].value

    def own_token(self, user: User | None) -> ApiToken:
        """An API token of ``user`` (the target's when there is no user)."""
        if user is None:
            return self.target_token
        token, _secret = accounts.create_token(Actor.system("matrix"), user, "mine")
        return token


def build_world() -> World:
    system = Actor.system("matrix")
    org = OrganisationFactory.create()
    a = ManagementSystemFactory.create(organisation=org, name="System A", short_name="sys-a")
    b = ManagementSystemFactory.create(organisation=org, name="System B", short_name="sys-b")
    # Draft scopes made directly (the service is several times slower, and every case builds a
    # world); each gets its trail entry so the trail holds records of both systems.
    iso27001 = Standard.objects.get(key=ISO27001)
    scope_a = ScopeStatement.objects.create(
        management_system=a, standard=iso27001, version=1, summary="Everything A does."
    )
    scope_b = ScopeStatement.objects.create(
        management_system=b, standard=iso27001, version=1, summary="Everything B does."
    )
    with transaction.atomic():
        entry_a = trail.record(system, TrailAction.CREATE, scope_a, changes={"version": 1}).seq
        trail.record(system, TrailAction.CREATE, scope_b, changes={"version": 1})
    party = InterestedPartyFactory.create(organisation=org)
    issue = ContextIssueFactory.create(organisation=org)
    target: User = UserFactory.create(email="target@example.com")
    target_role = RoleAssignment.objects.create(user=target, role=Role.VIEWER)
    target_token, _secret = accounts.create_token(system, target, "target token")
    entry_org = TrailEntry.objects.filter(object_id=str(target_token.pk)).values_list("seq", flat=True).last()
    assert entry_org is not None
    world = World(
        a=a,
        b=b,
        scope_a=scope_a,
        scope_b=scope_b,
        party_id=str(party.pk),
        issue_id=str(issue.pk),
        target=target,
        target_role=target_role,
        target_token=target_token,
        entry_a=entry_a,
        entry_org=entry_org,
    )
    world.add_principals()
    return world


def allowed_by_rule(user: User | None, perm: str, target: Target, world: World) -> bool:
    """What the one permission check says: ``has_perm`` on the target's management system
    (``None``: an organisation-level record); for ``ANYWHERE``, on any perimeter; for an
    ``Owned`` record, ``has_owner_perm`` with its owner."""
    if isinstance(target, Anywhere):
        return any(has_perm(user, perm, ms) for ms in (None, world.a, world.b))
    if isinstance(target, Owned):
        return has_owner_perm(user, perm, target.system, target.owner_id)
    return has_perm(user, perm, target)


def label(target: Target) -> str:
    if target is None:
        return "an organisation-level record"
    if isinstance(target, Anywhere):
        return "any perimeter (filtered list)"
    if isinstance(target, Owned):
        whose = "the caller's" if target.owner_id else "nobody's"
        return f"a record of management system {target.system.short_name}, {whose}"
    return f"management system {target.short_name}"


# Tables a refused request may write without changing anything an organisation owns: the
# session of the logged-in caller.
NOT_RECORDS = frozenset({"django_session"})
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([\w.]+)"?', re.IGNORECASE)


def trail_head() -> int:
    return TrailEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def table_checksum(table: str) -> str:
    """A digest of every row of ``table``, in primary-key order."""
    quoted = connection.ops.quote_name(table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {quoted} ORDER BY 1")  # noqa: S608 - a table name from our own SQL
        digest = hashlib.sha256()
        for row in cursor.fetchall():
            digest.update(repr(row).encode())
    return digest.hexdigest()


@contextmanager
def changes_nothing(why: str) -> Iterator[None]:
    """Checks that what runs inside (a refused request or command) changed nothing: the trail's
    head is where it was, and every table a write statement touched holds the same rows as
    before. The statements are watched as they run; a table that was written to is compared
    with itself before the request by rolling back to a savepoint taken just before it (the
    case ends right after, so nothing is lost). No write statement at all: nothing changed."""
    head = trail_head()
    written: set[str] = set()

    def watch(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        match = _WRITE.match(sql)
        if match and match.group(1) not in NOT_RECORDS:
            written.add(match.group(1))
        return execute(sql, params, many, context)

    savepoint = transaction.savepoint()
    with connection.execute_wrapper(watch):
        yield
    assert trail_head() == head, f"{why}: refused, yet the trail grew from #{head} to #{trail_head()}"
    if written:
        after = {table: table_checksum(table) for table in sorted(written)}
        transaction.savepoint_rollback(savepoint)
        before = {table: table_checksum(table) for table in sorted(written)}
        changed = sorted(t for t in written if after[t] != before[t])
        assert not changed, f"{why}: refused, yet it changed the rows of {changed}"
