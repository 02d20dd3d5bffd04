"""The permission matrix: every page, htmx partial, API operation and CLI command, run as every
role over the organisation, over management system A and over management system B, as an
account without a role and (pages and API) as an anonymous visitor.

The expected answer is never written by hand per role: it is what the one permission check,
``has_perm(user, rule, management system of the target)``, says. The tables below only say how
to call each endpoint (sample arguments, a valid body) and where its target lives. They also
pin each endpoint's rule, so changing a rule is a deliberate edit here too (as in
``keel/platform/tests/test_permissions.py`` for the role table).

The matrix fails when a page, an htmx partial mode, an API operation or a CLI command exists
without a rule, or without an entry here: add the entry (and the rule) to fix it.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import nullcontext
from dataclasses import dataclass
from functools import cache
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from keel.controls.tests import import_matrix  # import of an existing ISMS
from keel.gap.tests import matrix as gap_matrix  # the gap analysis
from keel.mapping.tests import matrix as xm  # crosswalks (organisation-level records)
from keel.mapping.tests import suggest_matrix  # catalogue import and mapping suggestions
from keel.organisation import directory
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.models import User
from keel.platform.pages import AUTHENTICATED, PUBLIC
from keel.platform.permissions import Perm, has_perm, system_ids_with
from keel.platform.tests.shared_db import SharedRows
from keel.site.api import api
from keel.site.cli import PERMISSIONS, command_paths, main
from keel.site.navigation import NAV, navigation
from keel.soa.tests import factories as soa_factories  # the Statement of Applicability

from . import aiact_world as xw  # EU AI Act
from . import aisystems_world as aw  # the AI system inventory
from . import audits_world as auw  # the internal audit programme
from . import certification_world as cew  # certification cycle, auditor requests, my work
from . import changes_world as chw  # changes (keel/changes)
from . import controls_world as cw  # the control catalogue
from . import documents_world as dw  # documents and policy acknowledgement
from . import evidence_world as ew  # the evidence register
from . import impact_world as iw  # AI system impact assessments
from . import improvement_world as nw  # nonconformities and corrective actions
from . import incidents_world as incw  # incidents and their catalogue
from . import review_world as mrw  # management review
from . import risks_world as rw  # assets, classification and risk management
from . import suppliers_world as pw  # suppliers, questionnaires, supplier assessments
from . import support_world as sw  # roles, objectives, competence, awareness, concerns
from .permission_world import (
    ANONYMOUS,
    ANYWHERE,
    ISO27001,
    ISO42001,
    MEMBERS,
    PASSWORD,
    PRINCIPALS,
    Owned,
    Target,
    World,
    allowed_by_rule,
    build_world,
    changes_nothing,
    label,
    matrix_params,
)

# coverage is measured by the rest of the suite (conftest.py, ``untraced``)
pytestmark = pytest.mark.usefixtures("untraced")

Kwargs = Callable[[World, User | None], dict[str, Any]]
TargetOf = Callable[[World], Target]


def _none(world: World, user: User | None) -> dict[str, Any]:
    return {}


def _org(world: World) -> Target:
    return None


def _system_a(world: World) -> Target:
    return world.a


def _anywhere(world: World) -> Target:
    return ANYWHERE


@pytest.fixture(scope="module")
def shared_world(django_db_setup: Any, django_db_blocker: Any) -> Iterator[World]:
    """The world, built once per module (per xdist worker) in a transaction kept open; each
    case runs in a savepoint inside it and is rolled back to the world after it."""
    rows: SharedRows[World] = SharedRows(django_db_blocker)
    yield rows.open(build_world)
    rows.close()


@pytest.fixture
def world(shared_world: World, db: Any) -> World:
    return shared_world


def _allowed(user: User | None, perm: str, target: Target, world: World) -> bool:
    if perm == PUBLIC:
        return True
    if perm == AUTHENTICATED:
        return user is not None
    return allowed_by_rule(user, perm, target, world)


# ====================================================================== pages


@dataclass(frozen=True)
class PageCase:
    """One way to call a page: ``perm`` pins the view's rule; ``target`` is where the record
    lives (``None``: organisation level); ``ok`` the statuses of an allowed call."""

    name: str
    perm: str
    method: str = "GET"
    kwargs: Kwargs = _none
    data: Kwargs = _none
    query: str = ""
    htmx: bool = False
    target: TargetOf = _org
    ok: frozenset[int] = frozenset({200})
    logs_out: bool = False  # the allowed answer is a redirect to the login page

    def __str__(self) -> str:
        return (
            f"{self.name}:{self.method}{':htmx' if self.htmx else ''}{'?' + self.query if self.query else ''}"
        )


REDIRECT = frozenset({302})

_party_data: Kwargs = lambda w, u: {  # noqa: E731
    "name": "Regulator",
    "category": "regulator",
    "needs_expectations": "Timely breach reports.",
    "standards": [ISO27001],
}
_issue_data: Kwargs = lambda w, u: {  # noqa: E731
    "title": "New AI law",
    "description": "Obligations for high-risk systems.",
    "kind": "external",
    "category": "legal",
    "effect": "risk",
    "standards": [ISO42001],
}
_system_data: Kwargs = lambda w, u: {  # noqa: E731
    "name": "System C",
    "short_name": "sys-c",
    "operating_model": "federated",
    "status": "active",
    "standards": [ISO27001],
}
_party: Kwargs = lambda w, u: {"pk": w.party_id}  # noqa: E731
_issue: Kwargs = lambda w, u: {"pk": w.issue_id}  # noqa: E731
_scope_a: Kwargs = lambda w, u: {"ms": w.a.short_name, "standard": ISO27001}  # noqa: E731
_target: Kwargs = lambda w, u: {"user_id": w.target.pk}  # noqa: E731


def _newcomer(w: World, u: User | None) -> dict[str, Any]:
    """A person of the directory without a login (made inside the case, rolled back with it)."""
    person = directory.create_person(
        Actor.cli(), "Nina Newcomer", email=f"nina-{uuid.uuid4().hex[:8]}@example.com"
    )
    return {"user_id": person.pk}


def _person_data(w: World, u: User | None) -> dict[str, Any]:
    from keel.platform.concurrency import version_of

    return {
        "full_name": "Tess Target",
        "email": w.target.email,
        "job_title": "CISO",
        "version": version_of(w.target),
    }


PAGE_CASES: list[PageCase] = [
    # public and account pages
    PageCase("healthz", PUBLIC),
    PageCase("favicon", PUBLIC, ok=frozenset({301})),
    PageCase("login", PUBLIC, ok=frozenset({200, 302})),  # a logged-in user goes to the dashboard
    PageCase("logout", AUTHENTICATED, "POST", ok=REDIRECT, logs_out=True),
    PageCase("account", AUTHENTICATED),
    PageCase(
        "password-change",
        AUTHENTICATED,
        "POST",
        data=lambda w, u: {
            "current_password": PASSWORD,
            "new_password": "a-new-long-passphrase-42",
            "confirm_password": "a-new-long-passphrase-42",
        },
        ok=REDIRECT,
    ),
    PageCase("token-create", Perm.OWN_TOKENS, "POST", data=lambda w, u: {"name": "ci"}, ok=frozenset({201})),
    PageCase(
        "token-revoke",
        Perm.OWN_TOKENS,
        "POST",
        kwargs=lambda w, u: {"token_id": w.own_token(u).pk},
        ok=REDIRECT,
    ),
    # dashboard and standards (organisation-level reading)
    PageCase("dashboard", Perm.VIEW),
    PageCase("check-list", Perm.VIEW),  # the consistency check (findings filtered to the perimeter)
    PageCase("check-list", Perm.VIEW, query="rule=impact_assessment_due"),
    PageCase("pick", Perm.VIEW, kwargs=lambda w, u: {"kind": "controls"}, query="q=KC"),
    PageCase("pick", Perm.VIEW, kwargs=lambda w, u: {"kind": "requirements"}, query="q=A.5.19&format=html"),
    PageCase("standards-list", Perm.VIEW),
    PageCase("standard-detail", Perm.VIEW, kwargs=lambda w, u: {"key": ISO27001}),
    PageCase("standard-detail", Perm.VIEW, kwargs=lambda w, u: {"key": ISO42001}, query="q=data", htmx=True),
    PageCase("requirement-detail", Perm.VIEW, kwargs=lambda w, u: {"key": f"{ISO27001}:A.5.12"}),
    # organisation and management systems
    PageCase("organisation", Perm.VIEW),
    PageCase(
        "organisation-edit",
        Perm.EDIT_CONTEXT,
        "POST",
        data=lambda w, u: {"name": "Renamed Org", "climate_relevance": "not_determined"},
        ok=REDIRECT,
    ),
    PageCase("system-create", Perm.MANAGE_SYSTEMS),
    PageCase("system-create", Perm.MANAGE_SYSTEMS, "POST", data=_system_data, ok=REDIRECT),
    PageCase(
        "system-edit", Perm.MANAGE_SYSTEMS, kwargs=lambda w, u: {"ms": w.a.short_name}, target=_system_a
    ),
    PageCase(
        "system-edit",
        Perm.MANAGE_SYSTEMS,
        "POST",
        kwargs=lambda w, u: {"ms": w.a.short_name},
        data=lambda w, u: {**_system_data(w, u), "short_name": w.a.short_name, "name": "System A2"},
        target=_system_a,
        ok=REDIRECT,
    ),
    # scope: records of management system A
    PageCase("scope-list", Perm.VIEW),
    PageCase("scope-detail", Perm.VIEW, kwargs=_scope_a, target=_system_a),
    PageCase(
        "scope-draft",
        Perm.EDIT_SCOPE,
        "POST",
        kwargs=_scope_a,
        data=lambda w, u: {"summary": "A, narrower."},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "scope-approve",
        Perm.APPROVE_SCOPE,
        "POST",
        kwargs=lambda w, u: {"scope_id": w.scope_a.pk},
        target=_system_a,
        ok=REDIRECT,
    ),
    # context (organisation-level records), with the htmx filter and inline edits
    PageCase("context", Perm.VIEW),
    PageCase("context", Perm.VIEW, query=f"standard={ISO27001}", htmx=True),
    PageCase("party-create", Perm.EDIT_CONTEXT),
    PageCase("party-create", Perm.EDIT_CONTEXT, "POST", data=_party_data, ok=REDIRECT),
    PageCase("party-row", Perm.VIEW, kwargs=_party, htmx=True),
    PageCase("party-edit", Perm.EDIT_CONTEXT, kwargs=_party),
    PageCase("party-edit", Perm.EDIT_CONTEXT, kwargs=_party, htmx=True),
    PageCase("party-edit", Perm.EDIT_CONTEXT, "POST", kwargs=_party, data=_party_data, ok=REDIRECT),
    PageCase("party-edit", Perm.EDIT_CONTEXT, "POST", kwargs=_party, data=_party_data, htmx=True),
    PageCase("party-delete", Perm.EDIT_CONTEXT, kwargs=_party),
    PageCase("party-delete", Perm.EDIT_CONTEXT, "POST", kwargs=_party, ok=REDIRECT),
    PageCase("issue-create", Perm.EDIT_CONTEXT),
    PageCase("issue-create", Perm.EDIT_CONTEXT, "POST", data=_issue_data, ok=REDIRECT),
    PageCase("issue-row", Perm.VIEW, kwargs=_issue, htmx=True),
    PageCase("issue-edit", Perm.EDIT_CONTEXT, kwargs=_issue),
    PageCase("issue-edit", Perm.EDIT_CONTEXT, kwargs=_issue, htmx=True),
    PageCase("issue-edit", Perm.EDIT_CONTEXT, "POST", kwargs=_issue, data=_issue_data, ok=REDIRECT),
    PageCase("issue-edit", Perm.EDIT_CONTEXT, "POST", kwargs=_issue, data=_issue_data, htmx=True),
    PageCase("issue-delete", Perm.EDIT_CONTEXT, kwargs=_issue),
    PageCase("issue-delete", Perm.EDIT_CONTEXT, "POST", kwargs=_issue, ok=REDIRECT),
    # people and access
    PageCase("people", Perm.VIEW),
    PageCase("person", Perm.VIEW, kwargs=_target),
    PageCase("person-add", Perm.EDIT_PEOPLE),
    PageCase(
        "person-add",
        Perm.EDIT_PEOPLE,
        "POST",
        data=lambda w, u: {"full_name": "Dana Whitfield", "department": "IT"},
        ok=REDIRECT,
    ),
    PageCase(
        "person-invite",
        Perm.MANAGE_USERS,
        "POST",
        kwargs=_newcomer,
        data=lambda w, u: {"role": "", "management_system": ""},
    ),
    PageCase(
        "person-create",
        Perm.MANAGE_USERS,
        "POST",
        data=lambda w, u: {"email": "new@example.com", "role": "viewer", "management_system": ""},
        ok=REDIRECT,
    ),
    PageCase("person-edit", Perm.EDIT_PEOPLE, kwargs=_target),
    PageCase(
        "person-edit",
        Perm.EDIT_PEOPLE,
        "POST",
        kwargs=_target,
        data=_person_data,
        ok=REDIRECT,
    ),
    PageCase(
        "person-password",
        Perm.MANAGE_USERS,
        "POST",
        kwargs=_target,
        data=lambda w, u: {
            "new_password": "a-new-long-passphrase-42",
            "confirm_password": "a-new-long-passphrase-42",
        },
        ok=REDIRECT,
    ),
    PageCase("person-deactivate", Perm.MANAGE_USERS, "POST", kwargs=_target, ok=REDIRECT),
    PageCase("person-activate", Perm.MANAGE_USERS, "POST", kwargs=_target, ok=REDIRECT),
    PageCase(
        "role-grant",
        Perm.MANAGE_USERS,
        "POST",
        kwargs=lambda w, u: {"user_id": w.target.pk},
        data=lambda w, u: {"role": "auditor", "management_system": w.a.short_name},
        ok=REDIRECT,
    ),
    PageCase(
        "role-revoke",
        Perm.MANAGE_USERS,
        "POST",
        kwargs=lambda w, u: {"assignment_id": w.target_role.pk},
        ok=REDIRECT,
    ),
    # the audit trail: a list filtered to the perimeters where the user may read it
    PageCase("trail", Perm.VIEW_TRAIL, target=_anywhere),
    PageCase("trail", Perm.VIEW_TRAIL, query="action=create", htmx=True, target=_anywhere),
    # control catalogue (issue 3, controls pages): a control of system A; lists are filtered
    PageCase("control-list", Perm.VIEW, kwargs=lambda w, u: (cw.control_a(w), {})[1]),
    PageCase("control-export", Perm.VIEW),  # the controls the list shows, as XLSX
    PageCase("control-list", Perm.VIEW, query="status=planned", htmx=True),
    PageCase(
        "control-bulk",
        Perm.EDIT_OWN_CONTROLS,
        "POST",
        data=lambda w, u: {"controls": [str(cw.control_a(w).pk)], "status": "implemented"},
        target=_anywhere,
        ok=REDIRECT,
    ),
    PageCase("control-create", Perm.EDIT_CONTROLS, target=_anywhere),
    PageCase(
        "control-create",
        Perm.EDIT_CONTROLS,
        "POST",
        data=lambda w, u: {
            "title": "Key rotation",
            "type": "technical",
            "frequency": "quarterly",
            "status": "planned",
            "effectiveness": "not_assessed",
            "management_systems": [cw.editable_system(w, u)],
        },
        target=_anywhere,
        ok=REDIRECT,
    ),
    PageCase("control-detail", Perm.VIEW, kwargs=cw.control_kwargs, target=_system_a),
    # control-edit: every field with edit_controls, or its owner's fields with edit_own_controls
    PageCase("control-edit", Perm.EDIT_OWN_CONTROLS, kwargs=cw.control_kwargs, target=cw.control_a_target),
    PageCase("control-edit", Perm.EDIT_OWN_CONTROLS, kwargs=cw.owned_kwargs, target=cw.owned_target),
    PageCase(
        "control-edit",
        Perm.EDIT_OWN_CONTROLS,
        "POST",
        kwargs=cw.owned_kwargs,
        data=cw.owned_edit_data,
        target=cw.owned_target,
        ok=REDIRECT,
    ),
    PageCase(
        "control-edit",
        Perm.EDIT_OWN_CONTROLS,
        "POST",
        kwargs=cw.control_kwargs,
        data=lambda w, u: {
            "ref_id": cw.CONTROL_REF,
            "title": "Supplier and AI-component due diligence",
            "type": "process",
            "frequency": "per_event",
            "status": "in_progress",
            "effectiveness": "not_assessed",
            "management_systems": [w.a.short_name],
        },
        target=cw.control_a_target,
        ok=REDIRECT,
    ),
    PageCase("control-delete", Perm.EDIT_CONTROLS, kwargs=cw.control_kwargs, target=_system_a),
    PageCase(
        "control-delete", Perm.EDIT_CONTROLS, "POST", kwargs=cw.control_kwargs, target=_system_a, ok=REDIRECT
    ),
    PageCase(
        "control-link-add",
        Perm.EDIT_CONTROLS,
        "POST",
        kwargs=cw.control_kwargs,
        data=lambda w, u: {"requirement": cw.UNLINKED, "coverage": "partial", "note": "AI questions."},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "control-link-add",
        Perm.EDIT_CONTROLS,
        "POST",
        kwargs=cw.control_kwargs,
        data=lambda w, u: {"requirement": cw.UNLINKED, "coverage": "partial"},
        htmx=True,
        target=_system_a,
    ),
    PageCase("control-link-row", Perm.VIEW, kwargs=cw.link_kwargs, htmx=True, target=_system_a),
    PageCase("control-link-edit", Perm.EDIT_CONTROLS, kwargs=cw.link_kwargs, target=_system_a),
    PageCase("control-link-edit", Perm.EDIT_CONTROLS, kwargs=cw.link_kwargs, htmx=True, target=_system_a),
    PageCase(
        "control-link-edit",
        Perm.EDIT_CONTROLS,
        "POST",
        kwargs=cw.link_kwargs,
        data=lambda w, u: {"coverage": "partial", "note": "Onboarding only."},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "control-link-edit",
        Perm.EDIT_CONTROLS,
        "POST",
        kwargs=cw.link_kwargs,
        data=lambda w, u: {"coverage": "partial", "note": "Onboarding only."},
        htmx=True,
        target=_system_a,
    ),
    PageCase(
        "control-link-delete",
        Perm.EDIT_CONTROLS,
        "POST",
        kwargs=cw.link_kwargs,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "control-link-delete", Perm.EDIT_CONTROLS, "POST", kwargs=cw.link_kwargs, htmx=True, target=_system_a
    ),
    PageCase("control-templates", Perm.VIEW),
    PageCase("control-templates", Perm.VIEW, query=f"standard={ISO42001}&q=supplier", htmx=True),
    PageCase(
        "control-adopt",
        Perm.EDIT_CONTROLS,
        "POST",
        data=lambda w, u: {"templates": [cw.template_key()], "management_system": cw.editable_system(w, u)},
        target=_anywhere,
        ok=REDIRECT,
    ),
    PageCase("control-matrix", Perm.VIEW, kwargs=lambda w, u: (cw.control_a(w), {})[1]),
    PageCase("control-matrix", Perm.VIEW, query=f"first={ISO42001}&part=clauses", htmx=True),
    # the Statement of Applicability (keel/soa): SoAs are records of management system A
    PageCase("soa-list", Perm.VIEW),
    PageCase("soa-create", Perm.EDIT_SOA, target=_anywhere),
    PageCase(
        "soa-create", Perm.EDIT_SOA, "POST", data=soa_factories.create_form, target=_anywhere, ok=REDIRECT
    ),
    # the SoA import pages (keel/soa/importing_views.py): upload → dry-run report → apply
    PageCase("soa-import", Perm.EDIT_SOA, target=_anywhere),
    PageCase("soa-import", Perm.EDIT_SOA, "POST", data=import_matrix.soa_page_upload, target=_anywhere),
    PageCase(
        "soa-import-confirm", Perm.EDIT_SOA, "POST", data=import_matrix.soa_page_confirm, target=_anywhere
    ),
    PageCase("soa-detail", Perm.VIEW, kwargs=soa_factories.page_soa, target=_system_a),
    PageCase("soa-row", Perm.VIEW, kwargs=soa_factories.page_row, target=_system_a),
    PageCase("soa-row", Perm.VIEW, kwargs=soa_factories.page_row, htmx=True, target=_system_a),
    PageCase("soa-row-edit", Perm.EDIT_SOA, kwargs=soa_factories.page_row, target=_system_a),
    PageCase("soa-row-edit", Perm.EDIT_SOA, kwargs=soa_factories.page_row, htmx=True, target=_system_a),
    PageCase(
        "soa-row-edit",
        Perm.EDIT_SOA,
        "POST",
        kwargs=soa_factories.page_row,
        data=soa_factories.row_form,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "soa-row-edit",
        Perm.EDIT_SOA,
        "POST",
        kwargs=soa_factories.page_row,
        data=soa_factories.row_form,
        htmx=True,
        target=_system_a,
    ),
    PageCase(
        "soa-approve",
        Perm.APPROVE_SOA,
        "POST",
        kwargs=soa_factories.page_soa_unapproved,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase("soa-compare", Perm.VIEW, kwargs=soa_factories.page_soa, target=_system_a),
    PageCase("soa-export", Perm.VIEW, kwargs=soa_factories.page_soa, query="format=json", target=_system_a),
    PageCase(
        "soa-export",
        Perm.VIEW,
        kwargs=soa_factories.page_soa,
        query="format=xlsx&version=1",
        target=_system_a,
    ),
    PageCase("soa-version", Perm.VIEW, kwargs=soa_factories.page_version, target=_system_a),
    # the evidence register (keel/evidence): evidence of system A; the list is filtered
    PageCase("evidence-list", Perm.VIEW, kwargs=lambda w, u: (ew.file_a(w), {})[1]),
    PageCase("evidence-list", Perm.VIEW, query="validity=no_expiry", htmx=True),
    PageCase("evidence-create", Perm.EDIT_EVIDENCE, target=_anywhere),
    PageCase(
        "evidence-create", Perm.EDIT_EVIDENCE, "POST", data=ew.new_link_form, target=_anywhere, ok=REDIRECT
    ),
    PageCase("evidence-detail", Perm.VIEW, kwargs=ew.file_kwargs, target=_system_a),
    PageCase("evidence-download", Perm.VIEW, kwargs=ew.download_kwargs, target=_system_a),
    PageCase("evidence-edit", Perm.EDIT_EVIDENCE, kwargs=ew.file_kwargs, target=_system_a),
    PageCase(
        "evidence-edit",
        Perm.EDIT_EVIDENCE,
        "POST",
        kwargs=ew.file_kwargs,
        data=lambda w, u: {
            "ref_id": ew.FILE_REF,
            "title": "Supplier assessment 2026",
            "management_systems": [w.a.short_name],
        },
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase("evidence-withdraw", Perm.EDIT_EVIDENCE, kwargs=ew.file_kwargs, target=_system_a),
    PageCase(
        "evidence-withdraw",
        Perm.EDIT_EVIDENCE,
        "POST",
        kwargs=ew.file_kwargs,
        data=lambda w, u: {"reason": "Superseded"},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "evidence-version-add",
        Perm.EDIT_EVIDENCE,
        "POST",
        kwargs=ew.file_kwargs,
        data=ew.new_version_form,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "evidence-control-link",
        Perm.EDIT_EVIDENCE,
        "POST",
        kwargs=ew.link_kwargs,
        data=lambda w, u: {"control": cw.CONTROL_REF},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "evidence-control-link",
        Perm.EDIT_EVIDENCE,
        "POST",
        kwargs=ew.link_kwargs,
        data=lambda w, u: {"control": cw.CONTROL_REF},
        htmx=True,
        target=_system_a,
    ),
    PageCase(
        "evidence-control-unlink",
        Perm.EDIT_EVIDENCE,
        "POST",
        kwargs=lambda w, u: {**ew.file_kwargs(w, u), "control": cw.CONTROL_REF},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "evidence-control-unlink",
        Perm.EDIT_EVIDENCE,
        "POST",
        kwargs=lambda w, u: {**ew.file_kwargs(w, u), "control": cw.CONTROL_REF},
        htmx=True,
        target=_system_a,
    ),
    PageCase(
        "evidence-requirement-link",
        Perm.EDIT_EVIDENCE,
        "POST",
        kwargs=ew.link_kwargs,
        data=lambda w, u: {"requirement": cw.UNLINKED},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "evidence-requirement-link",
        Perm.EDIT_EVIDENCE,
        "POST",
        kwargs=ew.link_kwargs,
        data=lambda w, u: {"requirement": cw.UNLINKED},
        htmx=True,
        target=_system_a,
    ),
    PageCase(
        "evidence-requirement-unlink",
        Perm.EDIT_EVIDENCE,
        "POST",
        kwargs=lambda w, u: {**ew.file_kwargs(w, u), "key": cw.LINKED},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "evidence-requirement-unlink",
        Perm.EDIT_EVIDENCE,
        "POST",
        kwargs=lambda w, u: {**ew.file_kwargs(w, u), "key": cw.LINKED},
        htmx=True,
        target=_system_a,
    ),
    # documents (keel/documents): records of system A made on demand (tests/documents_world.py)
    PageCase("document-list", Perm.VIEW, kwargs=lambda w, u: (dw.approved(w), {})[1]),
    PageCase("document-list", Perm.VIEW, query="kind=policy", htmx=True),
    PageCase("document-create", Perm.EDIT_DOCUMENTS, target=_anywhere),
    PageCase(
        "document-create",
        Perm.EDIT_DOCUMENTS,
        "POST",
        data=dw.new_document_form,
        target=_anywhere,
        ok=REDIRECT,
    ),
    PageCase("document-coverage", Perm.VIEW, kwargs=lambda w, u: (dw.approved(w), {})[1]),
    PageCase("acknowledgement-list", Perm.VIEW, kwargs=lambda w, u: (dw.ack(w, None), {})[1]),
    PageCase("document-acknowledge", AUTHENTICATED, "POST", kwargs=dw.own_ack_kwargs, ok=REDIRECT),
    PageCase("document-acknowledge-link", PUBLIC, kwargs=dw.token_kwargs),
    PageCase(
        "acknowledgement-resend",
        Perm.EDIT_DOCUMENTS,
        "POST",
        kwargs=dw.link_ack_kwargs,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase("document-acknowledge-link", PUBLIC, "POST", kwargs=dw.token_kwargs),
    PageCase("document-detail", Perm.VIEW, kwargs=dw.approved_kwargs, target=_system_a),
    PageCase("document-edit", Perm.EDIT_DOCUMENTS, kwargs=dw.approved_kwargs, target=_system_a),
    PageCase(
        "document-edit",
        Perm.EDIT_DOCUMENTS,
        "POST",
        kwargs=dw.approved_kwargs,
        data=dw.edit_form,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase("document-retire", Perm.EDIT_DOCUMENTS, kwargs=dw.approved_kwargs, target=_system_a),
    PageCase(
        "document-retire",
        Perm.EDIT_DOCUMENTS,
        "POST",
        kwargs=dw.approved_kwargs,
        data=lambda w, u: {"reason": "Replaced"},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "document-version-add",
        Perm.EDIT_DOCUMENTS,
        "POST",
        kwargs=dw.approved_kwargs,
        data=lambda w, u: {"change": "minor", "body": "Matrix policy text, amended."},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase("document-version", Perm.VIEW, kwargs=dw.version_kwargs, target=_system_a),
    PageCase("document-download", Perm.VIEW, kwargs=dw.upload_kwargs, target=_system_a),
    # a draft has no PDF as issued: the refusal is cheap and says why (400), no PDF is laid out
    PageCase(
        "document-pdf",
        Perm.VIEW,
        kwargs=lambda w, u: {**dw.draft_kwargs(w, u), "number": 1},
        target=_system_a,
        ok=frozenset({400}),
    ),
    PageCase(
        "document-submit", Perm.EDIT_DOCUMENTS, "POST", kwargs=dw.draft_kwargs, target=_system_a, ok=REDIRECT
    ),
    PageCase(
        "document-send-back",
        Perm.EDIT_DOCUMENTS,
        "POST",
        kwargs=dw.review_kwargs,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "document-approve",
        Perm.APPROVE_DOCUMENTS,
        "POST",
        kwargs=dw.review_kwargs,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "document-publish",
        Perm.EDIT_DOCUMENTS,
        "POST",
        kwargs=dw.approved_kwargs,
        data=lambda w, u: {"audience": "people", "people": [dw.author().email]},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "document-requirement-link",
        Perm.EDIT_DOCUMENTS,
        "POST",
        kwargs=dw.approved_kwargs,
        data=lambda w, u: {"requirement": "iso42001:2023:5.2"},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "document-requirement-unlink",
        Perm.EDIT_DOCUMENTS,
        "POST",
        kwargs=lambda w, u: {**dw.approved_kwargs(w, u), "key": "iso27001:2022:5.2"},
        target=_system_a,
        ok=REDIRECT,
    ),
    # the gap analysis (keel/gap): the page lists the user's systems; the rest targets system A
    PageCase("gap-analysis", Perm.VIEW, target=_anywhere),
    PageCase("gap-analysis", Perm.VIEW, query="status=gap", htmx=True, target=_anywhere),
    PageCase("gap-requirement", Perm.VIEW, kwargs=gap_matrix.page_requirement, target=_system_a),
    PageCase("gap-requirement", Perm.VIEW, kwargs=gap_matrix.page_requirement, htmx=True, target=_system_a),
    PageCase(
        "gap-decide",
        Perm.EDIT_SOA,
        "POST",
        kwargs=gap_matrix.page_requirement,
        data=gap_matrix.decide_form,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "gap-decide",
        Perm.EDIT_SOA,
        "POST",
        kwargs=gap_matrix.page_requirement,
        data=gap_matrix.decide_form,
        htmx=True,
        target=_system_a,
    ),
    PageCase(
        "gap-scope",
        Perm.EDIT_SOA,
        "POST",
        kwargs=lambda w, u: {"ms_id": w.a.pk, "key": gap_matrix.SCOPE_CLAUSE},
        data=gap_matrix.scope_form,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "gap-scope",
        Perm.EDIT_SOA,
        "POST",
        kwargs=lambda w, u: {"ms_id": w.a.pk, "key": gap_matrix.SCOPE_CLAUSE},
        data=gap_matrix.scope_form,
        htmx=True,
        target=_system_a,
    ),
    PageCase(
        "gap-export",
        Perm.VIEW,
        kwargs=gap_matrix.page_system,
        query=f"target={gap_matrix.TARGET}&format=json",
        target=_system_a,
    ),
    PageCase(
        "gap-draft-soa",
        Perm.EDIT_SOA,
        "POST",
        kwargs=gap_matrix.page_system,
        data=gap_matrix.draft_form,
        target=_system_a,
        ok=REDIRECT,
    ),
    # import wizard (keel/controls/importing): upload → preview → confirm, into an editable system
    PageCase("control-import", Perm.EDIT_CONTROLS, target=_anywhere),
    PageCase(
        "control-import", Perm.EDIT_CONTROLS, "POST", data=import_matrix.page_upload_data, target=_anywhere
    ),
    PageCase(
        "control-import-confirm",
        Perm.EDIT_CONTROLS,
        "POST",
        data=import_matrix.page_confirm_data,
        target=_anywhere,
    ),
    # the AI system inventory (keel/aisystems): an AI system and a dataset of system A
    PageCase("ai-system-list", Perm.VIEW, kwargs=aw.none_but_built),
    PageCase("ai-system-list", Perm.VIEW, query="stage=design", htmx=True),
    PageCase("ai-system-create", Perm.EDIT_AI_SYSTEMS, target=_anywhere),
    PageCase(
        "ai-system-create",
        Perm.EDIT_AI_SYSTEMS,
        "POST",
        data=lambda w, u: aw.system_form(w, u, aw.editable_system(w, u)),
        target=_anywhere,
        ok=REDIRECT,
    ),
    PageCase("ai-system-detail", Perm.VIEW, kwargs=aw.system_kwargs, target=_system_a),
    PageCase("ai-system-edit", Perm.EDIT_AI_SYSTEMS, kwargs=aw.system_kwargs, target=_system_a),
    PageCase(
        "ai-system-edit",
        Perm.EDIT_AI_SYSTEMS,
        "POST",
        kwargs=aw.system_kwargs,
        data=aw.system_form,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "ai-system-stage",
        Perm.EDIT_AI_SYSTEMS,
        "POST",
        kwargs=aw.system_kwargs,
        data=lambda w, u: {"stage": "development"},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase("ai-model-create", Perm.EDIT_AI_SYSTEMS, kwargs=aw.system_kwargs, target=_system_a),
    PageCase(
        "ai-model-create",
        Perm.EDIT_AI_SYSTEMS,
        "POST",
        kwargs=aw.system_kwargs,
        data=lambda w, u: {"name": "gbm-2", "version": "2", "model_type": "regressor"},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase("ai-model-version-create", Perm.EDIT_AI_SYSTEMS, kwargs=aw.system_kwargs, target=_system_a),
    PageCase(
        "ai-model-version-create",
        Perm.EDIT_AI_SYSTEMS,
        "POST",
        kwargs=aw.system_kwargs,
        data=lambda w, u: {"model": "gbm", "label": "2"},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "ai-model-version-edit", Perm.EDIT_AI_SYSTEMS, kwargs=aw.system_version_kwargs, target=_system_a
    ),
    PageCase(
        "ai-model-version-edit",
        Perm.EDIT_AI_SYSTEMS,
        "POST",
        kwargs=aw.system_version_kwargs,
        data=lambda w, u: {"label": "1", "notes": "First."},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "ai-model-version-deploy",
        Perm.EDIT_AI_SYSTEMS,
        "POST",
        kwargs=aw.gate_kwargs,
        data=lambda w, u: {"model_version": "gbm@1"},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase("ai-record-create", Perm.EDIT_AI_SYSTEMS, kwargs=aw.system_kwargs, target=_system_a),
    PageCase(
        "ai-record-create",
        Perm.EDIT_AI_SYSTEMS,
        "POST",
        kwargs=aw.system_kwargs,
        data=lambda w, u: {"kind": "design", "title": "Design notes", "body": "Trees."},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase("ai-record-detail", Perm.VIEW, kwargs=aw.system_record_kwargs, target=_system_a),
    PageCase("ai-record-edit", Perm.EDIT_AI_SYSTEMS, kwargs=aw.system_record_kwargs, target=_system_a),
    PageCase(
        "ai-record-edit",
        Perm.EDIT_AI_SYSTEMS,
        "POST",
        kwargs=aw.system_record_kwargs,
        data=lambda w, u: {"kind": "event_logs", "title": "Decision logs", "body": "All scores."},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "ai-record-approve",
        Perm.EDIT_AI_SYSTEMS,
        "POST",
        kwargs=aw.system_record_kwargs,
        data=lambda w, u: {"note": "Fine."},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "ai-record-withdraw",
        Perm.EDIT_AI_SYSTEMS,
        "POST",
        kwargs=aw.system_record_kwargs,
        data=lambda w, u: {"note": "Replaced."},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase("ai-evaluation-create", Perm.RECORD_AI_RESULTS, kwargs=aw.system_kwargs, target=_system_a),
    PageCase(
        "ai-evaluation-create",
        Perm.RECORD_AI_RESULTS,
        "POST",
        kwargs=aw.system_kwargs,
        data=lambda w, u: {**aw.MEASURE, "model_version": "gbm@1"},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase("ai-metric-create", Perm.EDIT_AI_SYSTEMS, kwargs=aw.system_kwargs, target=_system_a),
    PageCase(
        "ai-metric-create",
        Perm.EDIT_AI_SYSTEMS,
        "POST",
        kwargs=aw.system_kwargs,
        data=lambda w, u: {
            "short_name": "latency",
            "name": "Latency",
            "direction": "lower",
            "threshold": "300",
        },
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase("ai-reading-create", Perm.RECORD_AI_RESULTS, kwargs=aw.system_kwargs, target=_system_a),
    PageCase(
        "ai-reading-create",
        Perm.RECORD_AI_RESULTS,
        "POST",
        kwargs=aw.system_kwargs,
        data=lambda w, u: {"metric": "accuracy", "value": "0.95"},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "ai-flag-close",
        Perm.EDIT_AI_SYSTEMS,
        "POST",
        kwargs=aw.flag_kwargs,
        data=lambda w, u: {"note": "Retrained."},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase("dataset-list", Perm.VIEW, kwargs=aw.none_but_built),
    PageCase("dataset-list", Perm.VIEW, query="acquisition=collected", htmx=True),
    PageCase("dataset-create", Perm.EDIT_AI_SYSTEMS, target=_anywhere),
    PageCase(
        "dataset-create",
        Perm.EDIT_AI_SYSTEMS,
        "POST",
        data=lambda w, u: aw.dataset_form(w, u, aw.editable_system(w, u)),
        target=_anywhere,
        ok=REDIRECT,
    ),
    PageCase("dataset-detail", Perm.VIEW, kwargs=aw.dataset_kwargs, target=_system_a),
    PageCase("dataset-edit", Perm.EDIT_AI_SYSTEMS, kwargs=aw.dataset_kwargs, target=_system_a),
    PageCase(
        "dataset-edit",
        Perm.EDIT_AI_SYSTEMS,
        "POST",
        kwargs=aw.dataset_kwargs,
        data=aw.dataset_form,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase("dataset-check-create", Perm.RECORD_AI_RESULTS, kwargs=aw.dataset_kwargs, target=_system_a),
    PageCase(
        "dataset-check-create",
        Perm.RECORD_AI_RESULTS,
        "POST",
        kwargs=aw.dataset_kwargs,
        data=lambda w, u: {**aw.MEASURE, "model_version": "gbm@1"},
        target=_system_a,
        ok=REDIRECT,
    ),
    # crosswalks (keel/mapping): organisation-level records, read with view, changed with edit_mappings
    PageCase("crosswalk-list", Perm.VIEW),
    PageCase("crosswalk-detail", Perm.VIEW, kwargs=xm.key_kwargs),
    PageCase("crosswalk-detail", Perm.VIEW, kwargs=xm.key_kwargs, query="relation=subset", htmx=True),
    PageCase("crosswalk-export", Perm.VIEW, kwargs=xm.key_kwargs),
    PageCase("crosswalk-relation-add", Perm.EDIT_MAPPINGS, kwargs=xm.key_kwargs),
    PageCase(
        "crosswalk-relation-add",
        Perm.EDIT_MAPPINGS,
        "POST",
        kwargs=xm.key_kwargs,
        data=xm.new_relation,
        ok=REDIRECT,
    ),
    PageCase("crosswalk-import", Perm.EDIT_MAPPINGS),
    PageCase("crosswalk-import", Perm.EDIT_MAPPINGS, "POST", data=import_matrix.crosswalk_page_upload),
    PageCase(
        "crosswalk-import-confirm", Perm.EDIT_MAPPINGS, "POST", data=import_matrix.crosswalk_page_confirm
    ),
    PageCase("crosswalk-relation-row", Perm.VIEW, kwargs=xm.relation_kwargs, htmx=True),
    PageCase("crosswalk-relation-edit", Perm.EDIT_MAPPINGS, kwargs=xm.relation_kwargs),
    PageCase("crosswalk-relation-edit", Perm.EDIT_MAPPINGS, kwargs=xm.relation_kwargs, htmx=True),
    PageCase(
        "crosswalk-relation-edit",
        Perm.EDIT_MAPPINGS,
        "POST",
        kwargs=xm.relation_kwargs,
        data=xm.edit_data,
        htmx=True,
    ),
    PageCase(
        "crosswalk-relation-withdraw", Perm.EDIT_MAPPINGS, "POST", kwargs=xm.relation_kwargs, ok=REDIRECT
    ),
    PageCase("crosswalk-relation-withdraw", Perm.EDIT_MAPPINGS, "POST", kwargs=xm.relation_kwargs, htmx=True),
    # risk management (keel/risks) and assets (keel/assets): records of system A; lists filtered
    # AI system impact assessments (keel/impact): a draft of system A's AI system
    PageCase(
        "impact-assessment-start",
        Perm.EDIT_AI_SYSTEMS,
        "POST",
        kwargs=iw.with_methodology,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase("impact-assessment-detail", Perm.VIEW, kwargs=iw.assessment_kwargs, target=_system_a),
    PageCase("impact-assessment-pdf", Perm.VIEW, kwargs=iw.assessment_kwargs, target=_system_a),
    PageCase("impact-assessment-edit", Perm.EDIT_AI_SYSTEMS, kwargs=iw.assessment_kwargs, target=_system_a),
    PageCase(
        "impact-assessment-edit",
        Perm.EDIT_AI_SYSTEMS,
        "POST",
        kwargs=iw.assessment_kwargs,
        data=lambda w, u: {"scope": "Scoring A in the EU"},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "impact-assessment-approve",
        Perm.APPROVE_IMPACT_ASSESSMENTS,
        "POST",
        kwargs=iw.assessment_kwargs,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase("impact-create", Perm.EDIT_AI_SYSTEMS, kwargs=iw.assessment_kwargs, target=_system_a),
    PageCase(
        "impact-create",
        Perm.EDIT_AI_SYSTEMS,
        "POST",
        kwargs=iw.assessment_kwargs,
        data=iw.impact_form,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase("impact-edit", Perm.EDIT_AI_SYSTEMS, kwargs=iw.impact_kwargs, target=_system_a),
    PageCase(
        "impact-edit",
        Perm.EDIT_AI_SYSTEMS,
        "POST",
        kwargs=iw.impact_kwargs,
        data=iw.impact_form,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "impact-raise-risk", Perm.EDIT_RISKS, "POST", kwargs=iw.impact_kwargs, target=_system_a, ok=REDIRECT
    ),
    # EU AI Act (keel/aiact): system A's AI system classified high-risk for its deployer
    PageCase("aiact-overview", Perm.VIEW, kwargs=lambda w, u: xw.none_but_built(w, u)),
    PageCase("aiact-export-xlsx", Perm.VIEW),
    PageCase("aiact-export-pdf", Perm.VIEW),
    PageCase("aiact-operating-model", Perm.VIEW),
    PageCase(
        "aiact-operating-model-advise",
        Perm.MANAGE_SYSTEMS,
        "POST",
        data=lambda w, u: xw.ADVICE,
        ok=REDIRECT,
    ),
    PageCase("aiact-restructure-split", Perm.MANAGE_USERS),
    PageCase("aiact-restructure-split", Perm.MANAGE_USERS, "POST", ok=frozenset({422})),
    PageCase("aiact-restructure-merge", Perm.MANAGE_USERS),
    PageCase("aiact-restructure-merge", Perm.MANAGE_USERS, "POST", ok=frozenset({422})),
    PageCase("aiact-restructure-result", Perm.MANAGE_USERS, ok=REDIRECT),
    PageCase("aiact-fria", Perm.EDIT_AI_SYSTEMS, kwargs=xw.fria_kwargs, target=_system_a),
    PageCase(
        "aiact-fria",
        Perm.EDIT_AI_SYSTEMS,
        "POST",
        kwargs=xw.fria_kwargs,
        data=lambda w, u: {"complaints": "Complaints desk.", "status": "draft"},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "aiact-fria-start",
        Perm.EDIT_AI_SYSTEMS,
        "POST",
        kwargs=xw.system_kwargs,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "ai-system-document-link",
        Perm.EDIT_AI_SYSTEMS,
        "POST",
        kwargs=xw.system_kwargs,
        data=lambda w, u: {"document": "DOC-404", "purpose": "user_notice"},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "ai-system-document-unlink",
        Perm.EDIT_AI_SYSTEMS,
        "POST",
        kwargs=xw.document_link_kwargs,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase("aiact-system", Perm.VIEW, kwargs=xw.system_kwargs, target=_system_a),
    PageCase("aiact-system-pdf", Perm.VIEW, kwargs=xw.system_kwargs, target=_system_a),
    PageCase("aiact-classify", Perm.EDIT_AI_SYSTEMS, kwargs=xw.system_kwargs, target=_system_a),
    PageCase(
        "aiact-classify",
        Perm.EDIT_AI_SYSTEMS,
        "POST",
        kwargs=xw.system_kwargs,
        data=xw.classify_form,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "aiact-obligation-status",
        Perm.EDIT_AI_SYSTEMS,
        "POST",
        kwargs=xw.obligation_kwargs,
        data=lambda w, u: {"status": "in_progress"},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase("risk-list", Perm.VIEW, kwargs=lambda w, u: (rw.risk_a(w, u), {})[1]),
    PageCase("risk-list", Perm.VIEW, query="register=is", htmx=True),
    PageCase("risk-heatmap", Perm.VIEW, kwargs=lambda w, u: (rw.risk_a(w, u), {})[1]),
    PageCase("risk-export", Perm.VIEW, query="register=is"),
    PageCase("risk-create", Perm.EDIT_RISKS, kwargs=lambda w, u: (rw.methodology(), {})[1], target=_anywhere),
    PageCase("risk-create", Perm.EDIT_RISKS, "POST", data=rw.risk_form, target=_anywhere, ok=REDIRECT),
    PageCase("risk-detail", Perm.VIEW, kwargs=rw.risk_kwargs, target=_system_a),
    PageCase("risk-edit", Perm.EDIT_RISKS, kwargs=rw.risk_kwargs, target=_system_a),
    PageCase(
        "risk-edit",
        Perm.EDIT_RISKS,
        "POST",
        kwargs=rw.risk_kwargs,
        data=rw.risk_form,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase("risk-approve", Perm.ACCEPT_RISKS, "POST", kwargs=rw.risk_kwargs, target=_system_a, ok=REDIRECT),
    PageCase(
        "risk-exception",
        Perm.ACCEPT_RISKS,
        "POST",
        kwargs=rw.high_risk_kwargs,
        data=lambda w, u: {"reason": "Budget next quarter", "expires": "2099-01-01"},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "risk-exception-approve",
        Perm.EDIT_RISKS,
        "POST",
        kwargs=rw.pending_kwargs,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "risk-status",
        Perm.EDIT_RISKS,
        "POST",
        kwargs=rw.risk_kwargs,
        data=lambda w, u: {"status": "closed", "reason": "The process was retired."},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "risk-action-add",
        Perm.EDIT_RISKS,
        "POST",
        kwargs=rw.risk_kwargs,
        data=lambda w, u: {"title": "Roll out MDM"},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "risk-action-status",
        Perm.EDIT_RISKS,
        "POST",
        kwargs=rw.action_kwargs,
        data=lambda w, u: {"status": "done"},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase("risk-methodology", Perm.VIEW, kwargs=lambda w, u: (rw.methodology(), {})[1]),
    PageCase("risk-methodology-new", Perm.EDIT_RISKS),
    PageCase("risk-methodology-new", Perm.EDIT_RISKS, "POST", data=rw.methodology_form, ok=REDIRECT),
    PageCase("risk-snapshots", Perm.VIEW),
    PageCase(
        "risk-snapshot-take",
        Perm.EDIT_RISKS,
        "POST",
        data=lambda w, u: {"register": "is", "cycle": "2026 Q4"},
        ok=REDIRECT,
    ),
    PageCase("risk-snapshot", Perm.VIEW, kwargs=rw.snapshot_kwargs),
    PageCase("asset-list", Perm.VIEW, kwargs=lambda w, u: (rw.asset_a(w), {})[1]),
    PageCase("asset-list", Perm.VIEW, query="type=software", htmx=True),
    PageCase("asset-create", Perm.EDIT_ASSETS, target=_anywhere),
    PageCase("asset-create", Perm.EDIT_ASSETS, "POST", data=rw.asset_form, target=_anywhere, ok=REDIRECT),
    PageCase("asset-import", Perm.EDIT_ASSETS),
    PageCase("asset-import", Perm.EDIT_ASSETS, "POST", data=import_matrix.asset_page_upload),
    PageCase("asset-import-confirm", Perm.EDIT_ASSETS, "POST", data=import_matrix.asset_page_confirm),
    PageCase("asset-detail", Perm.VIEW, kwargs=rw.asset_kwargs, target=_system_a),
    PageCase("asset-edit", Perm.EDIT_ASSETS, kwargs=rw.asset_kwargs, target=_system_a),
    PageCase(
        "asset-edit",
        Perm.EDIT_ASSETS,
        "POST",
        kwargs=rw.asset_kwargs,
        data=lambda w, u: {
            "ref_id": "AS-900",
            "name": "Customer DB",
            "type": "information",
            "management_system": w.a.short_name,
        },
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase("asset-retire", Perm.EDIT_ASSETS, "POST", kwargs=rw.asset_kwargs, target=_system_a, ok=REDIRECT),
    PageCase("classification", Perm.VIEW),
    PageCase("classification-create", Perm.EDIT_ASSETS),
    PageCase(
        "classification-create",
        Perm.EDIT_ASSETS,
        "POST",
        data=lambda w, u: {"key": "secret", "name": "Secret", "rank": "4"},
        ok=REDIRECT,
    ),
    PageCase("classification-edit", Perm.EDIT_ASSETS, kwargs=rw.level_kwargs),
    PageCase(
        "classification-edit",
        Perm.EDIT_ASSETS,
        "POST",
        kwargs=rw.level_kwargs,
        data=lambda w, u: {"key": "internal", "name": "Internal use", "rank": "2"},
        ok=REDIRECT,
    ),
    # mapping suggestions (keel/mapping/suggest): a decision on control A's suggestion
    PageCase("mapping-suggestions", Perm.VIEW),
    PageCase(
        "mapping-suggestion-decide",
        Perm.EDIT_CONTROLS,
        "POST",
        data=suggest_matrix.decision_form,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "mapping-suggestion-decide",
        Perm.EDIT_CONTROLS,
        "POST",
        data=suggest_matrix.decision_form,
        htmx=True,
        target=_system_a,
    ),
]


# internal audits (keel/audits): organisation-wide records (tests/audits_world.py)
PAGE_CASES += [
    PageCase("audit-programme-list", Perm.VIEW, kwargs=lambda w, u: (auw.audit(w), {})[1]),
    PageCase("audit-programme-list", Perm.VIEW, query="status=planned", htmx=True),
    PageCase("audit-programme-create", Perm.EDIT_AUDITS),
    PageCase("audit-programme-create", Perm.EDIT_AUDITS, "POST", data=auw.programme_form, ok=REDIRECT),
    PageCase("audit-programme-detail", Perm.VIEW, kwargs=auw.programme_kwargs),
    PageCase("audit-programme-edit", Perm.EDIT_AUDITS, kwargs=auw.programme_kwargs),
    PageCase("audit-programme-coverage", Perm.VIEW, kwargs=auw.programme_kwargs),
    PageCase("audit-create", Perm.EDIT_AUDITS),
    PageCase("audit-create", Perm.EDIT_AUDITS, "POST", data=auw.audit_form, ok=REDIRECT),
    PageCase("audit-detail", Perm.VIEW, kwargs=auw.audit_kwargs),
    PageCase("audit-edit", Perm.EDIT_AUDITS, kwargs=auw.audit_kwargs),
    PageCase(
        "audit-move",
        Perm.EDIT_AUDITS,
        "POST",
        kwargs=auw.audit_kwargs,
        data=lambda w, u: {"to": "reported"},
        ok=REDIRECT,
    ),
    PageCase("audit-report", Perm.VIEW, kwargs=auw.audit_kwargs),
    PageCase(
        "audit-finding-create",
        Perm.RECORD_AUDIT_RESULTS,
        "POST",
        kwargs=auw.audit_kwargs,
        data=lambda w, u: {"grade": "ofi", "title": "T", "description": "D"},
        ok=REDIRECT,
    ),
    PageCase(
        "audit-finding-raise", Perm.RECORD_AUDIT_RESULTS, "POST", kwargs=auw.finding_kwargs, ok=REDIRECT
    ),
    PageCase("audit-item", Perm.VIEW, kwargs=auw.item_kwargs),
    PageCase(
        "audit-item-result",
        Perm.RECORD_AUDIT_RESULTS,
        "POST",
        kwargs=auw.item_kwargs,
        data=lambda w, u: {"result": "conforming"},
        ok=REDIRECT,
    ),
    PageCase(
        "audit-sample-draw",
        Perm.RECORD_AUDIT_RESULTS,
        "POST",
        kwargs=auw.control_item_kwargs,
        data=lambda w, u: {"period_start": "2026-01-01", "period_end": "2026-03-31", "seed": "3"},
        ok=REDIRECT,
    ),
    PageCase(
        "audit-sample-record",
        Perm.RECORD_AUDIT_RESULTS,
        "POST",
        kwargs=auw.sample_kwargs,
        data=lambda w, u: {"result": "effective"},
        ok=REDIRECT,
    ),
]
# support records (keel/support): records of A; one set of generic pages per kind
for _kind in sw.KINDS:
    PAGE_CASES += [
        PageCase(f"{_kind.slug}-list", Perm.VIEW),
        PageCase(f"{_kind.slug}-list", Perm.VIEW, query="q=x", htmx=True),
        PageCase(f"{_kind.slug}-create", _kind.create_perm, target=_anywhere),
        PageCase(f"{_kind.slug}-detail", Perm.VIEW, kwargs=sw.kwargs_for(_kind.slug), target=_system_a),
        PageCase(f"{_kind.slug}-edit", _kind.edit_perm, kwargs=sw.kwargs_for(_kind.slug), target=_system_a),
    ]
PAGE_CASES += [
    PageCase(
        "objective-reading-add",
        Perm.RECORD_READINGS,
        "POST",
        kwargs=sw.kwargs_for("objective"),
        data=sw.reading_form,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "objective-pull",
        Perm.RECORD_READINGS,
        "POST",
        kwargs=sw.kwargs_for("objective"),
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "awareness-completion-add",
        Perm.RECORD_READINGS,
        "POST",
        kwargs=sw.kwargs_for("awareness-campaign"),
        data=sw.completion_form,
        target=_system_a,
        ok=REDIRECT,
    ),
]

# nonconformities and corrective actions (keel/improvement): records of A
PAGE_CASES += [
    PageCase("nonconformity-list", Perm.VIEW),
    PageCase("nonconformity-list", Perm.VIEW, query="q=x", htmx=True),
    PageCase("nonconformity-create", Perm.RAISE_NONCONFORMITIES, target=_anywhere),
    PageCase("nonconformity-detail", Perm.VIEW, kwargs=nw.nc_a_kwargs, target=_system_a),
    PageCase("nonconformity-edit", Perm.MANAGE_NONCONFORMITIES, kwargs=nw.nc_a_kwargs, target=_system_a),
    PageCase(
        "nonconformity-edit",
        Perm.MANAGE_NONCONFORMITIES,
        "POST",
        kwargs=nw.nc_a_kwargs,
        data=nw.edit_form,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "nonconformity-correction",
        Perm.WORK_OWN_NONCONFORMITIES,
        "POST",
        kwargs=nw.owned_kwargs,
        data=nw.correction_form,
        target=nw.owned_target,
        ok=REDIRECT,
    ),
    PageCase(
        "nonconformity-root-cause",
        Perm.WORK_OWN_NONCONFORMITIES,
        "POST",
        kwargs=nw.owned_kwargs,
        data=nw.root_cause_form,
        target=nw.owned_target,
        ok=REDIRECT,
    ),
    PageCase(
        "nonconformity-action-add",
        Perm.WORK_OWN_NONCONFORMITIES,
        "POST",
        kwargs=nw.owned_kwargs,
        data=nw.action_form,
        target=nw.owned_target,
        ok=REDIRECT,
    ),
    PageCase(
        "nonconformity-effectiveness",
        Perm.MANAGE_NONCONFORMITIES,
        "POST",
        kwargs=nw.ready_for_check_kwargs,
        data=nw.effectiveness_form,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "nonconformity-close",
        Perm.MANAGE_NONCONFORMITIES,
        "POST",
        kwargs=nw.ready_to_close_kwargs,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase("corrective-action-list", Perm.VIEW),
    PageCase(
        "corrective-action-done",
        Perm.WORK_OWN_NONCONFORMITIES,
        "POST",
        kwargs=nw.owned_action_kwargs,
        data=nw.done_form,
        target=nw.owned_action_target,
        ok=REDIRECT,
    ),
]

# management review (keel.review): read over one of a review's systems, changed over every one
PAGE_CASES += [
    PageCase("management-review-list", Perm.VIEW, kwargs=lambda w, u: (mrw.review_a(w), {})[1]),
    PageCase("management-review-list", Perm.VIEW, htmx=True),
    PageCase("management-review-create", Perm.EDIT_REVIEWS, target=_anywhere),
    PageCase(
        "management-review-create",
        Perm.EDIT_REVIEWS,
        "POST",
        data=mrw.new_review_form,
        target=_anywhere,
        ok=REDIRECT,
    ),
    PageCase("management-review-detail", Perm.VIEW, kwargs=mrw.review_kwargs, target=_system_a),
    PageCase("management-review-edit", Perm.EDIT_REVIEWS, kwargs=mrw.review_kwargs, target=_system_a),
    PageCase(
        "management-review-edit",
        Perm.EDIT_REVIEWS,
        "POST",
        kwargs=mrw.review_kwargs,
        data=lambda w, u: {"title": "Renamed", "chair": w.target.email},
        target=_system_a,
        ok=frozenset({302, 422}),
    ),
    PageCase(
        "management-review-hold",
        Perm.EDIT_REVIEWS,
        "POST",
        kwargs=mrw.review_kwargs,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "management-review-approve",
        Perm.EDIT_REVIEWS,
        "POST",
        kwargs=mrw.held_kwargs,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase("management-review-minutes", Perm.VIEW, kwargs=mrw.held_kwargs, target=_system_a),
    PageCase("management-review-pdf", Perm.VIEW, kwargs=mrw.held_kwargs, target=_system_a),
    PageCase(
        "review-item-notes",
        Perm.EDIT_REVIEWS,
        "POST",
        kwargs=lambda w, u: {**mrw.review_kwargs(w, u), "position": 1},
        data=lambda w, u: {"notes": "Discussed."},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "review-decision-add",
        Perm.EDIT_REVIEWS,
        "POST",
        kwargs=mrw.held_kwargs,
        data=lambda w, u: {"text": "Carry on."},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "review-action-add",
        Perm.EDIT_REVIEWS,
        "POST",
        kwargs=mrw.held_kwargs,
        data=lambda w, u: {"title": "Renew", "owner": w.target.email, "due_on": "2026-02-01"},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase("review-action-list", Perm.VIEW, kwargs=lambda w, u: (mrw.action_a(w), {})[1]),
    PageCase("review-action-list", Perm.VIEW, htmx=True),
    PageCase("review-action-detail", Perm.VIEW, kwargs=mrw.action_kwargs, target=_system_a),
    PageCase(
        "review-action-status",
        Perm.EDIT_REVIEWS,
        "POST",
        kwargs=mrw.action_kwargs,
        data=lambda w, u: {"status": "open", "outcome": ""},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "review-action-nonconformity",
        Perm.EDIT_REVIEWS,
        "POST",
        kwargs=mrw.action_kwargs,
        target=_system_a,
        ok=REDIRECT,
    ),
]


# suppliers (keel/suppliers): suppliers and assessments of system A; organisation-level questionnaires
_EDIT_SUP, _APPROVE_SUP = Perm.EDIT_SUPPLIERS, Perm.APPROVE_SUPPLIERS
PAGE_CASES += [
    PageCase("supplier-list", Perm.VIEW),
    PageCase("supplier-list", Perm.VIEW, query="q=x", htmx=True),
    PageCase("supplier-create", _EDIT_SUP, target=_anywhere),
    PageCase("supplier-detail", Perm.VIEW, kwargs=pw.ref, target=_system_a),
    PageCase("supplier-edit", _EDIT_SUP, kwargs=pw.ref, target=_system_a),
    PageCase(
        "supplier-move",
        _EDIT_SUP,
        "POST",
        kwargs=pw.requested_ref,
        data=lambda w, u: {"to": "due_diligence"},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "supplier-contact-add",
        _EDIT_SUP,
        "POST",
        kwargs=pw.ref,
        data=lambda w, u: {"name": "Bo", "email": "", "role": ""},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "supplier-contact-remove", _EDIT_SUP, "POST", kwargs=pw.contact_kwargs, target=_system_a, ok=REDIRECT
    ),
    PageCase(
        "supplier-contract-add",
        _EDIT_SUP,
        "POST",
        kwargs=pw.ref,
        data=lambda w, u: {"title": "DPA", "starts_on": "2026-01-01"},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "supplier-review-add",
        _EDIT_SUP,
        "POST",
        kwargs=pw.active_ref,
        data=lambda w, u: {"outcome": "continue"},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "supplier-assessment-send",
        _EDIT_SUP,
        "POST",
        kwargs=pw.ref,
        data=lambda w, u: {
            "questionnaire": str(pw.questionnaire(w).pk),
            "recipient_email": "kim.lee@vendor.example",
            "days": 30,
        },
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase("supplier-assessment-detail", Perm.VIEW, kwargs=pw.sent_ref, target=_system_a),
    PageCase(
        "supplier-assessment-review",
        _APPROVE_SUP,
        "POST",
        kwargs=pw.answered_ref,
        data=lambda w, u: {"decision": "acceptable", "notes": ""},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "supplier-assessment-withdraw", _EDIT_SUP, "POST", kwargs=pw.sent_ref, target=_system_a, ok=REDIRECT
    ),
    PageCase(
        "supplier-assessment-extend", _EDIT_SUP, "POST", kwargs=pw.sent_ref, target=_system_a, ok=REDIRECT
    ),
    PageCase(
        "supplier-assessment-resend", _EDIT_SUP, "POST", kwargs=pw.sent_ref, target=_system_a, ok=REDIRECT
    ),
    PageCase("questionnaire-list", Perm.VIEW),
    PageCase("questionnaire-create", _EDIT_SUP),
    PageCase("questionnaire-seed", _EDIT_SUP, "POST", ok=REDIRECT),
    PageCase("questionnaire-detail", Perm.VIEW, kwargs=pw.questionnaire_ref),
    PageCase("questionnaire-publish", _EDIT_SUP, "POST", kwargs=pw.draft_ref, ok=REDIRECT),
    PageCase(
        "question-add",
        _EDIT_SUP,
        "POST",
        kwargs=pw.draft_ref,
        data=lambda w, u: {"text": "Why?", "answer_type": "text", "weight": 1},
        ok=REDIRECT,
    ),
    PageCase(
        "question-edit",
        _EDIT_SUP,
        "POST",
        kwargs=pw.question_kwargs,
        data=lambda w, u: {"text": "Why not?", "answer_type": "yes_no", "weight": 1},
        ok=REDIRECT,
    ),
    PageCase(
        "question-move",
        _EDIT_SUP,
        "POST",
        kwargs=pw.question_kwargs,
        data=lambda w, u: {"direction": "down"},
        ok=REDIRECT,
    ),
    PageCase("question-remove", _EDIT_SUP, "POST", kwargs=pw.question_kwargs, ok=REDIRECT),
    PageCase("supplier-answer-link", PUBLIC, kwargs=pw.token_kwargs),
    PageCase(
        "supplier-answer-link", PUBLIC, "POST", kwargs=pw.token_kwargs, data=lambda w, u: {"action": "draft"}
    ),
]

# incidents (keel/incidents): an incident of system A; the catalogue is organisation-level
PAGE_CASES += [
    PageCase("incident-list", Perm.VIEW),
    PageCase("incident-list", Perm.VIEW, query="status=open", htmx=True),
    PageCase("incident-create", Perm.REPORT_INCIDENTS, target=_anywhere),
    PageCase(
        "incident-create", Perm.REPORT_INCIDENTS, "POST", data=incw.report_form, target=_anywhere, ok=REDIRECT
    ),
    PageCase("incident-detail", Perm.VIEW, kwargs=incw.kwargs, target=_system_a),
    PageCase("incident-edit", Perm.HANDLE_INCIDENTS, kwargs=incw.kwargs, target=_system_a),
    PageCase(
        "incident-edit",
        Perm.HANDLE_INCIDENTS,
        "POST",
        kwargs=incw.kwargs,
        data=incw.edit_form,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "incident-advance",
        Perm.HANDLE_INCIDENTS,
        "POST",
        kwargs=incw.kwargs,
        data=lambda w, u: {"to": "triage"},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "incident-timeline",
        Perm.HANDLE_INCIDENTS,
        "POST",
        kwargs=incw.kwargs,
        data=lambda w, u: {"kind": "note", "text": "Called."},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "incident-review",
        Perm.HANDLE_INCIDENTS,
        "POST",
        kwargs=incw.kwargs,
        data=incw.review_form,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "incident-nonconformity",
        Perm.HANDLE_INCIDENTS,
        "POST",
        kwargs=incw.reviewed_kwargs,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "incident-step",
        Perm.HANDLE_INCIDENTS,
        "POST",
        kwargs=incw.step_kwargs,
        data=lambda w, u: {"done": "1"},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "incident-clock-met",
        Perm.HANDLE_INCIDENTS,
        "POST",
        kwargs=incw.clock_kwargs,
        data=lambda w, u: {"note": "Sent."},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase("incident-type-list", Perm.VIEW),
    PageCase("incident-type-create", Perm.HANDLE_INCIDENTS, "POST", data=incw.type_form, ok=REDIRECT),
    PageCase("incident-type-detail", Perm.VIEW, kwargs=incw.type_kwargs),
    PageCase(
        "incident-type-edit",
        Perm.HANDLE_INCIDENTS,
        "POST",
        kwargs=incw.type_kwargs,
        data=incw.type_form,
        ok=REDIRECT,
    ),
    PageCase(
        "incident-type-step-add",
        Perm.HANDLE_INCIDENTS,
        "POST",
        kwargs=incw.type_kwargs,
        data=lambda w, u: {"stage": "contain", "text": "Call them.", "role": "Lead"},
        ok=REDIRECT,
    ),
    PageCase("incident-clock-list", Perm.VIEW),
    PageCase("incident-clock-create", Perm.HANDLE_INCIDENTS, "POST", data=incw.clock_form, ok=REDIRECT),
    PageCase("incident-clock-detail", Perm.VIEW, kwargs=incw.clock_slug_kwargs),
    PageCase(
        "incident-clock-edit",
        Perm.HANDLE_INCIDENTS,
        "POST",
        kwargs=incw.clock_slug_kwargs,
        data=incw.clock_form,
        ok=REDIRECT,
    ),
    PageCase(
        "incident-clock-variant-add",
        Perm.HANDLE_INCIDENTS,
        "POST",
        kwargs=incw.clock_slug_kwargs,
        data=lambda w, u: {"condition": "death", "duration": "1", "unit": "days"},
        ok=REDIRECT,
    ),
]

# changes (keel/changes): one standard change of A per workflow state, requested by the target
PAGE_CASES += [
    PageCase("change-list", Perm.VIEW),
    PageCase("change-list", Perm.VIEW, query="q=x", htmx=True),
    PageCase("change-create", Perm.EDIT_CHANGES, target=_anywhere),
    PageCase("change-create", Perm.EDIT_CHANGES, "POST", data=chw.create_form, target=_anywhere, ok=REDIRECT),
    PageCase("change-detail", Perm.VIEW, kwargs=chw.kwargs("submitted"), target=_system_a),
    PageCase("change-edit", Perm.EDIT_CHANGES, kwargs=chw.kwargs("draft"), target=_system_a),
    PageCase(
        "change-edit",
        Perm.EDIT_CHANGES,
        "POST",
        kwargs=chw.kwargs("draft"),
        data=chw.edit_form,
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "change-submit", Perm.EDIT_CHANGES, "POST", kwargs=chw.kwargs("draft"), target=_system_a, ok=REDIRECT
    ),
    PageCase(
        "change-approve",
        Perm.APPROVE_CHANGES,
        "POST",
        kwargs=chw.kwargs("submitted"),
        data=lambda w, u: {"note": "Fine."},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "change-reject",
        Perm.APPROVE_CHANGES,
        "POST",
        kwargs=chw.kwargs("submitted"),
        data=lambda w, u: {"note": "Not now."},
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "change-implement",
        Perm.EDIT_CHANGES,
        "POST",
        kwargs=chw.kwargs("approved"),
        target=_system_a,
        ok=REDIRECT,
    ),
    PageCase(
        "change-close",
        Perm.EDIT_CHANGES,
        "POST",
        kwargs=chw.kwargs("implemented"),
        data=lambda w, u: {"note": "Worked."},
        target=_system_a,
        ok=REDIRECT,
    ),
]


def _walk(patterns: list[Any], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            if p.namespace == api.urls_namespace:
                continue  # the JSON API: covered operation by operation below
            yield from _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


@cache
def page_views() -> dict[str, Callable[..., HttpResponse]]:
    """Every page view by URL name (an unnamed one by its route)."""
    return {p.name or f"<unnamed {route}>": p.callback for route, p in _walk(get_resolver().url_patterns)}


def _has_partial_mode(func: Callable[..., Any], depth: int = 2) -> bool:
    """True when the view (or a helper of its module it calls) answers htmx with a fragment."""
    func = inspect.unwrap(func)
    code = getattr(func, "__code__", None)
    if code is None:
        return False
    if "is_partial" in code.co_names or "htmx" in code.co_names:
        return True
    if depth == 0:
        return False
    module = getattr(func, "__module__", None)
    helpers = (func.__globals__.get(n) for n in code.co_names)
    return any(
        inspect.isfunction(h) and h.__module__ == module and _has_partial_mode(h, depth - 1) for h in helpers
    )


# ---------------------------------------------------------------- my work and certification (issue 15)
PAGE_CASES += [
    PageCase("my-work", Perm.VIEW),
    PageCase("certification-cycle", Perm.VIEW),
    PageCase("certification-audit", Perm.VIEW, kwargs=cew.audit_ref),
    PageCase(
        "certification-audit-record",
        Perm.EDIT_CERTIFICATION,
        "POST",
        kwargs=cew.audit_ref,
        data=lambda w, u: {"status": "planned", "outcome": ""},
        ok=REDIRECT,
    ),
    PageCase(
        "certification-finding-add",
        Perm.EDIT_CERTIFICATION,
        "POST",
        kwargs=cew.audit_ref,
        data=lambda w, u: {"grade": "ofi", "title": "Automate it"},
        ok=REDIRECT,
    ),
    PageCase(
        "auditor-request-add",
        Perm.EDIT_CERTIFICATION,
        "POST",
        kwargs=cew.cycle_ref,
        data=lambda w, u: {"text": "Show the SoA"},
        ok=REDIRECT,
    ),
    PageCase(
        "auditor-request-link",
        Perm.EDIT_CERTIFICATION,
        "POST",
        kwargs=cew.request_ref,
        data=lambda w, u: {"record": ""},
        ok=frozenset({422}),  # allowed: the form says to choose a record
    ),
    PageCase(
        "auditor-request-status",
        Perm.EDIT_CERTIFICATION,
        "POST",
        kwargs=cew.request_ref,
        data=lambda w, u: {"status": "open"},
        ok=REDIRECT,
    ),
    # the form pages that create certification records (GET shows the form)
    PageCase("certification-cycle-new", Perm.EDIT_CERTIFICATION),
    PageCase(
        "certification-cycle-new",
        Perm.EDIT_CERTIFICATION,
        "POST",
        data=lambda w, u: {"title": "ISO/IEC 42001", "standards": [ISO27001], "certification_body": "CB"},
        ok=REDIRECT,
    ),
    PageCase("certification-audit-new", Perm.EDIT_CERTIFICATION, kwargs=cew.cycle_ref),
    PageCase(
        "certification-audit-new",
        Perm.EDIT_CERTIFICATION,
        "POST",
        kwargs=cew.cycle_ref,
        data=lambda w, u: {"kind": "stage_2", "planned_start": "2026-03-01"},
        ok=REDIRECT,
    ),
    PageCase("certification-audit-record", Perm.EDIT_CERTIFICATION, kwargs=cew.audit_ref),
    PageCase("certification-finding-add", Perm.EDIT_CERTIFICATION, kwargs=cew.audit_ref),
    PageCase("auditor-request-add", Perm.EDIT_CERTIFICATION, kwargs=cew.cycle_ref),
    PageCase("auditor-request-link", Perm.EDIT_CERTIFICATION, kwargs=cew.request_ref),
    PageCase("auditor-request-status", Perm.EDIT_CERTIFICATION, kwargs=cew.request_ref),
    PageCase(
        "certification-integration-answer",
        Perm.EDIT_CERTIFICATION,
        "POST",
        data=lambda w, u: {"question": "one_risk_approach", "answer": "yes"},
        ok=REDIRECT,
    ),
]


def test_every_page_has_a_rule_and_a_matrix_entry() -> None:
    views = page_views()
    no_rule = sorted(n for n, v in views.items() if not getattr(v, "keel_permission", None))
    assert not no_rule, f"page views without a rule (decorate them with @page(perm)): {no_rule}"
    covered = {c.name for c in PAGE_CASES}
    missing = sorted(set(views) - covered)
    assert not missing, "".join(f"\nadd a matrix entry for {name}" for name in missing)
    stale = sorted(covered - set(views))
    assert not stale, f"matrix entries for pages that no longer exist: {stale}"
    drift = sorted(
        f"{c}: the view says {views[c.name].keel_permission!r}, the matrix {c.perm!r}"  # type: ignore[attr-defined]
        for c in PAGE_CASES
        if views[c.name].keel_permission != c.perm  # type: ignore[attr-defined]
    )
    assert not drift, (
        "a page's rule changed; change it in the matrix too if that is deliberate:\n" + "\n".join(drift)
    )
    with_htmx = {c.name for c in PAGE_CASES if c.htmx}
    partial = sorted(n for n, v in views.items() if _has_partial_mode(v) and n not in with_htmx)
    assert not partial, f"add an htmx (HX-Request) matrix entry for the partial mode of: {partial}"


def test_the_partial_mode_detector_finds_the_known_partials() -> None:
    # The detector above is what makes a new partial mode fail without an htmx entry.
    views = page_views()
    for name in ("context", "party-edit", "issue-edit", "trail", "standard-detail"):
        assert _has_partial_mode(views[name]), name
    assert not _has_partial_mode(views["people"])


def _is_login_redirect(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(("case", "principal"), matrix_params(PAGE_CASES, PRINCIPALS))
def test_page(case: PageCase, principal: str, world: World) -> None:
    # Given the principal and the page's declared rule
    perm: str | None = getattr(page_views()[case.name], "keel_permission", None)
    assert perm, f"{case.name} has no rule: decorate its view with @page(perm)"
    user = world.principal(principal)
    client = world.client(user)
    url = reverse(case.name, kwargs=case.kwargs(world, user)) + (f"?{case.query}" if case.query else "")
    target = case.target(world)  # after the kwargs, which may make the record (and its owner)
    if getattr(page_views()[case.name], "keel_owner", False):
        assert isinstance(target, Owned), f"{case}: a rule over one's own records needs an Owned target"
    allowed = _allowed(user, perm, target, world)
    headers = {"HX-Request": "true"} if case.htmx else {}
    why = f"{case} as {principal}: rule {str(perm)!r} on {label(target)}"
    refused_write = case.method != "GET" and not (allowed and user is not None) and perm != PUBLIC

    data = case.data(world, user)  # before the check: it may make the records it names

    # When (a refused write is checked to change nothing)
    with changes_nothing(why) if refused_write else nullcontext():
        if case.method == "GET":
            response = client.get(url, headers=headers)
        else:
            response = client.post(url, data, headers=headers)

    # Then
    status = response.status_code
    if user is None and perm != PUBLIC:
        assert _is_login_redirect(response), f"{why}: expected a redirect to the login page, got {status}"
    elif allowed:
        assert status in case.ok, f"{why} is allowed: expected {sorted(case.ok)}, got {status}"
        assert case.logs_out or not _is_login_redirect(response), f"{why} is allowed but went to login"
        if case.htmx and status == 200:
            assert b"<html" not in response.content, f"{why}: htmx got a whole page, not a fragment"
    else:
        assert status == 403, f"{why} is not allowed: expected 403, got {status}"


@pytest.mark.parametrize("principal", MEMBERS)
def test_navigation_links_exactly_the_pages_that_let_the_user_in(principal: str, world: World) -> None:
    # Given the user's navigation
    user = world.principal(principal)
    request = RequestFactory().get("/")
    request.user = user  # type: ignore[assignment]
    items: list[dict[str, Any]] = [i for section in navigation(request) for i in section["items"]]  # type: ignore[attr-defined]
    shown = {i["url"] for i in items if i["url"]}
    client = world.client(user)
    for item in NAV:
        if not item.url_name:
            continue
        url = reverse(item.url_name)
        # When the user follows the link
        status = client.get(url).status_code
        # Then a link shown opens; a page link hidden is refused (the API docs are not a page)
        if url in shown:
            assert status != 403, f"{principal} sees a link to {url} that answers 403"
        elif resolve(url).namespace != api.urls_namespace:
            assert status == 403, f"{principal} does not see a link to {url} that answers {status}"


@pytest.mark.parametrize(
    ("principal", "sees", "hidden"),
    [("auditor@A", "System A", "System B"), ("auditor@B", "System B", "System A")],
)
def test_trail_page_shows_a_reader_over_one_system_only_that_systems_entries(
    principal: str, sees: str, hidden: str, world: World
) -> None:
    # Given an auditor over one management system (the trail holds an entry of each system)
    user = world.principal(principal)
    client = world.client(user)

    # When they open the audit trail
    response = client.get(reverse("trail"))

    # Then they see their system's entries and nothing of the other system
    assert response.status_code == 200
    text = response.content.decode()
    assert f"{sees} / {ISO27001}" in text
    assert hidden not in text


# ====================================================================== API


Check = Callable[[World, User, Any], None]


@dataclass(frozen=True)
class ApiCase:
    """One call of an operation. ``perm`` is the rule that decides *this* call (for the main
    case of an operation, the one it declares); ``filtered`` checks the items a list shows."""

    method: str
    path: str
    perm: str
    params: Kwargs = _none
    body: Kwargs | None = None
    multipart: Kwargs | None = None  # form fields and files, sent as multipart/form-data
    query: str = ""
    target: TargetOf = _org
    ok: frozenset[int] = frozenset({200})
    denied: frozenset[int] = frozenset({403})
    filtered: Check | None = None
    note: str = ""

    def __str__(self) -> str:
        return f"{self.method} {self.path}{'?' + self.query if self.query else ''}{' ' + self.note if self.note else ''}"


PREFIX = "/api/v1"
CREATED = frozenset({201})
GONE = frozenset({204})
# A management system named in the query that the caller may not see is answered like one that
# does not exist (the resolver's 422, docs/adr/0017): a refusal that tells nothing about it.
HIDDEN_SYSTEM = frozenset({403, 422})


def _visible_systems(user: User) -> set[Any] | None:
    return system_ids_with(user, Perm.VIEW)


def _only_visible_systems(world: World, user: User, body: Any) -> None:
    ids = {str(i["id"]) for i in body["items"]}
    visible = _visible_systems(user)
    expected = {str(world.a.pk), str(world.b.pk)} if visible is None else {str(i) for i in visible}
    assert ids == expected, f"listed systems {ids}, expected exactly {expected}"


def _only_visible_scopes(world: World, user: User, body: Any) -> None:
    visible = _visible_systems(user)
    listed = {str(i["management_system"]) for i in body["items"]}
    expected = {str(world.a.pk), str(world.b.pk)} if visible is None else {str(i) for i in visible}
    assert listed == expected, f"listed scope statements of {listed}, expected {expected}"


def _only_visible_trail(world: World, user: User, body: Any) -> None:
    visible = system_ids_with(user, Perm.VIEW_TRAIL)
    systems = {i["management_system"] for i in body["items"]}
    if visible is None:
        assert None in systems and str(world.a.pk) in systems, "an organisation-wide reader sees every entry"
    else:
        expected = {str(i) for i in visible}
        assert systems == expected, f"entries of {systems} shown, expected those of {expected}"


def _only_own_tokens(world: World, user: User, body: Any) -> None:
    owners = {i["user"] for i in body["items"]}
    if has_perm(user, Perm.MANAGE_USERS):
        assert world.target.email in owners, "an administrator sees everyone's tokens"
    else:
        assert owners <= {user.email}, f"tokens of {owners} shown to {user.email}"


_scope_id: Kwargs = lambda w, u: {"scope_id": w.scope_a.pk}  # noqa: E731
_ms_ref: Kwargs = lambda w, u: {"ref": w.a.short_name}  # noqa: E731
_party_id: Kwargs = lambda w, u: {"party_id": w.party_id}  # noqa: E731
_issue_id: Kwargs = lambda w, u: {"issue_id": w.issue_id}  # noqa: E731
_user_id: Kwargs = lambda w, u: {"user_id": w.target.pk}  # noqa: E731
_party_body: Kwargs = lambda w, u: {  # noqa: E731
    "name": "Regulator",
    "category": "regulator",
    "needs_expectations": "Timely breach reports.",
    "standards": [ISO27001],
}
_issue_body: Kwargs = lambda w, u: {  # noqa: E731
    "title": "New AI law",
    "description": "Obligations for high-risk systems.",
    "kind": "external",
    "category": "legal",
    "standards": [ISO42001],
}

API_CASES: list[ApiCase] = [
    # the standards library
    ApiCase("GET", "/standards", Perm.VIEW),
    ApiCase("GET", "/standards/{key}", Perm.VIEW, params=lambda w, u: {"key": ISO27001}),
    ApiCase("GET", "/requirements", Perm.VIEW, query=f"standard={ISO42001}&kind=annex_control"),
    ApiCase("GET", "/requirements/{key}", Perm.VIEW, params=lambda w, u: {"key": f"{ISO42001}:A.6.1"}),
    # management systems: a role over one system lists only that one
    ApiCase("GET", "/management-systems", Perm.VIEW, filtered=_only_visible_systems),
    ApiCase("GET", "/management-systems/{ref}", Perm.VIEW, params=_ms_ref, target=_system_a),
    ApiCase(
        "POST",
        "/management-systems",
        Perm.MANAGE_SYSTEMS,
        body=lambda w, u: {
            "name": "System C",
            "short_name": "sys-c",
            "operating_model": "federated",
            "standards": [ISO42001],
        },
        ok=CREATED,
    ),
    ApiCase(
        "PATCH",
        "/management-systems/{ref}",
        Perm.MANAGE_SYSTEMS,
        params=_ms_ref,
        body=lambda w, u: {"description": "Changed."},
        target=_system_a,
    ),
    # scope statements: records of one management system
    ApiCase("GET", "/scope-statements", Perm.VIEW, filtered=_only_visible_scopes),
    ApiCase("GET", "/scope-statements/{scope_id}", Perm.VIEW, params=_scope_id, target=_system_a),
    ApiCase(
        "POST",
        "/scope-statements",
        Perm.EDIT_SCOPE,
        body=lambda w, u: {"management_system": w.a.short_name, "standard": ISO27001, "sites": "Lyon"},
        target=_system_a,
    ),
    ApiCase(
        "POST", "/scope-statements/{scope_id}/approve", Perm.APPROVE_SCOPE, params=_scope_id, target=_system_a
    ),
    # context: organisation-level records
    ApiCase("GET", "/interested-parties", Perm.VIEW),
    ApiCase("GET", "/interested-parties/{party_id}", Perm.VIEW, params=_party_id),
    ApiCase("POST", "/interested-parties", Perm.EDIT_CONTEXT, body=_party_body, ok=CREATED),
    ApiCase(
        "PATCH",
        "/interested-parties/{party_id}",
        Perm.EDIT_CONTEXT,
        params=_party_id,
        body=lambda w, u: {"requirements": "Reports within 72 hours."},
    ),
    ApiCase("DELETE", "/interested-parties/{party_id}", Perm.EDIT_CONTEXT, params=_party_id, ok=GONE),
    ApiCase("GET", "/context-issues", Perm.VIEW),
    ApiCase("GET", "/context-issues/{issue_id}", Perm.VIEW, params=_issue_id),
    ApiCase("POST", "/context-issues", Perm.EDIT_CONTEXT, body=_issue_body, ok=CREATED),
    ApiCase(
        "PATCH",
        "/context-issues/{issue_id}",
        Perm.EDIT_CONTEXT,
        params=_issue_id,
        body=lambda w, u: {"effect": "opportunity"},
    ),
    ApiCase("DELETE", "/context-issues/{issue_id}", Perm.EDIT_CONTEXT, params=_issue_id, ok=GONE),
    # people and access
    ApiCase("GET", "/users/me", AUTHENTICATED),
    ApiCase("GET", "/users", Perm.MANAGE_USERS),
    ApiCase("GET", "/users/{user_id}", Perm.MANAGE_USERS, params=_user_id),
    ApiCase(
        "POST",
        "/users",
        Perm.MANAGE_USERS,
        body=lambda w, u: {
            "email": "new@example.com",
            "role": "auditor",
            "management_system": w.b.short_name,
        },
        ok=CREATED,
    ),
    ApiCase(
        "PATCH",
        "/users/{user_id}",
        Perm.MANAGE_USERS,
        params=_user_id,
        body=lambda w, u: {"job_title": "CISO"},
    ),
    ApiCase(
        "POST",
        "/users/{user_id}/password",
        Perm.MANAGE_USERS,
        params=_user_id,
        body=lambda w, u: {"password": "a-new-long-passphrase-42"},
        ok=GONE,
    ),
    ApiCase("GET", "/people", Perm.VIEW),
    ApiCase("GET", "/people/{person_id}", Perm.VIEW, params=lambda w, u: {"person_id": w.target.pk}),
    ApiCase(
        "POST",
        "/people",
        Perm.EDIT_PEOPLE,
        body=lambda w, u: {"name": "Dana Whitfield", "department": "IT"},
        ok=CREATED,
    ),
    ApiCase(
        "PATCH",
        "/people/{person_id}",
        Perm.EDIT_PEOPLE,
        params=lambda w, u: {"person_id": w.target.pk},
        body=lambda w, u: {"job_title": "CISO"},
    ),
    ApiCase(
        "POST",
        "/people/{person_id}/invite",
        Perm.MANAGE_USERS,
        params=lambda w, u: {"person_id": _newcomer(w, u)["user_id"]},
        body=lambda w, u: {},
    ),
    ApiCase("GET", "/role-assignments", Perm.MANAGE_USERS),
    ApiCase(
        "POST",
        "/role-assignments",
        Perm.MANAGE_USERS,
        body=lambda w, u: {
            "user": w.target.email,
            "role": "contributor",
            "management_system": w.a.short_name,
        },
        ok=CREATED,
    ),
    ApiCase(
        "DELETE",
        "/role-assignments/{assignment_id}",
        Perm.MANAGE_USERS,
        params=lambda w, u: {"assignment_id": w.target_role.pk},
        ok=GONE,
    ),
    # API tokens: one's own need own_tokens, other people's manage_users
    ApiCase("GET", "/api-tokens", Perm.OWN_TOKENS, filtered=_only_own_tokens),
    ApiCase(
        "GET",
        "/api-tokens",
        Perm.MANAGE_USERS,
        query="user=target@example.com",
        note="(someone else's)",
    ),
    ApiCase("POST", "/api-tokens", Perm.OWN_TOKENS, body=lambda w, u: {"name": "ci"}, ok=CREATED),
    ApiCase(
        "DELETE",
        "/api-tokens/{token_id}",
        Perm.OWN_TOKENS,
        params=lambda w, u: {"token_id": w.own_token(u).pk},
        ok=GONE,
        note="(own)",
    ),
    ApiCase(
        "DELETE",
        "/api-tokens/{token_id}",
        Perm.MANAGE_USERS,
        params=lambda w, u: {"token_id": w.target_token.pk},
        ok=GONE,
        # Someone who may only manage their own tokens is told there is no such token of theirs.
        denied=frozenset({403, 404}),
        note="(someone else's)",
    ),
    # the audit trail: a list filtered to the caller's perimeters; one entry by its system
    ApiCase("GET", "/trail-entries", Perm.VIEW_TRAIL, target=_anywhere, filtered=_only_visible_trail),
    ApiCase(
        "GET",
        "/trail-entries/{seq}",
        Perm.VIEW_TRAIL,
        params=lambda w, u: {"seq": w.entry_a},
        target=_system_a,
        note="(system A)",
    ),
    ApiCase(
        "GET",
        "/trail-entries/{seq}",
        Perm.VIEW_TRAIL,
        params=lambda w, u: {"seq": w.entry_org},
        note="(organisation)",
    ),
    # the consistency check (keel/platform/checks.py, keel/site/checks.py): findings within the perimeter
    ApiCase("GET", "/checks", Perm.VIEW),
    # the Statement of Applicability (keel/soa): SoAs are records of management system A
    ApiCase(
        "GET",
        "/soa",
        Perm.VIEW,
        params=soa_factories.matrix_params,
        filtered=soa_factories.only_visible_soas,
    ),
    ApiCase(
        "POST",
        "/soa",
        Perm.EDIT_SOA,
        body=lambda w, u: {"management_system": w.a.short_name, "standard": ISO42001},
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase("GET", "/soa/{soa_id}", Perm.VIEW, params=soa_factories.matrix_params, target=_system_a),
    ApiCase(
        "PATCH",
        "/soa/{soa_id}/rows/{row_id}",
        Perm.EDIT_SOA,
        params=soa_factories.matrix_params,
        body=lambda w, u: {"business_need": "Lenders ask for it."},
        target=_system_a,
    ),
    ApiCase("GET", "/soa/{soa_id}/versions", Perm.VIEW, params=soa_factories.matrix_params, target=_system_a),
    ApiCase(
        "POST",
        "/soa/{soa_id}/approve",
        Perm.APPROVE_SOA,
        params=soa_factories.matrix_params_unapproved,
        body=lambda w, u: {"note": "Reviewed."},
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase(
        "GET",
        "/soa/{soa_id}/compare",
        Perm.VIEW,
        params=soa_factories.matrix_params,
        query="from_version=1",
        target=_system_a,
    ),
    # the gap analysis (keel/gap): system A's analysis of ISO 42001, its decisions, its draft SoA
    ApiCase(
        "GET",
        "/gap-analyses",
        Perm.VIEW,
        query=f"target={gap_matrix.TARGET}&management_system=sys-a",
        target=_system_a,
        denied=HIDDEN_SYSTEM,
    ),
    ApiCase(
        "GET",
        "/gap-analyses/export",
        Perm.VIEW,
        query=f"target={gap_matrix.TARGET}&management_system=sys-a&format=json",
        target=_system_a,
        denied=HIDDEN_SYSTEM,
    ),
    ApiCase("PUT", "/gap-analyses/decisions", Perm.EDIT_SOA, body=gap_matrix.decision_body, target=_system_a),
    ApiCase(
        "DELETE",
        "/gap-analyses/decisions",
        Perm.EDIT_SOA,
        params=gap_matrix.existing_decision,
        query=f"management_system=sys-a&requirement={gap_matrix.REQUIREMENT}",
        target=_system_a,
        ok=GONE,
    ),
    ApiCase(
        "PUT",
        "/gap-analyses/scope-confirmations",
        Perm.EDIT_SOA,
        body=gap_matrix.scope_body,
        target=_system_a,
    ),
    ApiCase(
        "DELETE",
        "/gap-analyses/scope-confirmations",
        Perm.EDIT_SOA,
        params=gap_matrix.existing_scope,
        query="management_system=sys-a&control=KM-sys-a&requirement=" + gap_matrix.SCOPE_CLAUSE,
        target=_system_a,
        ok=GONE,
    ),
    ApiCase("POST", "/gap-analyses/draft-soa", Perm.EDIT_SOA, body=gap_matrix.draft_body, target=_system_a),
    # control catalogue (issue 3, controls API): a control of system A; lists are filtered
    ApiCase(
        "GET",
        "/controls",
        Perm.VIEW,
        params=lambda w, u: (cw.control_a(w), {})[1],
        filtered=cw.only_visible_controls,
    ),
    ApiCase("GET", "/controls/{ref}", Perm.VIEW, params=cw.control_kwargs, target=_system_a),
    ApiCase(
        "POST",
        "/controls",
        Perm.EDIT_CONTROLS,
        body=lambda w, u: {
            "title": "Key rotation",
            "type": "technical",
            "frequency": "quarterly",
            "management_systems": [w.a.short_name],
        },
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase(
        "PATCH",
        "/controls/{ref}",
        Perm.EDIT_OWN_CONTROLS,
        params=cw.control_kwargs,
        body=lambda w, u: {"status": "implemented"},
        target=cw.control_a_target,
    ),
    ApiCase(
        "PATCH",
        "/controls/{ref}",
        Perm.EDIT_OWN_CONTROLS,
        params=cw.owned_kwargs,
        body=lambda w, u: {"status": "implemented", "effectiveness": "effective"},
        target=cw.owned_target,
        note="(the caller's control: its owner's fields)",
    ),
    ApiCase(
        "PATCH",
        "/controls/{ref}",
        Perm.EDIT_CONTROLS,
        params=cw.owned_kwargs,
        body=lambda w, u: {"title": "Renamed by its owner"},
        target=_system_a,
        note="(the caller's control: a field beyond its owner's)",
    ),
    ApiCase(
        "DELETE", "/controls/{ref}", Perm.EDIT_CONTROLS, params=cw.control_kwargs, target=_system_a, ok=GONE
    ),
    ApiCase("GET", "/control-links", Perm.VIEW, params=lambda w, u: (cw.control_a(w), {})[1]),
    ApiCase("GET", "/control-links/{link_id}", Perm.VIEW, params=cw.link_kwargs, target=_system_a),
    ApiCase(
        "POST",
        "/control-links",
        Perm.EDIT_CONTROLS,
        body=lambda w, u: {
            "control": cw.control_a(w).ref_id,
            "requirement": cw.UNLINKED,
            "coverage": "partial",
        },
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase(
        "PATCH",
        "/control-links/{link_id}",
        Perm.EDIT_CONTROLS,
        params=cw.link_kwargs,
        body=lambda w, u: {"coverage": "partial", "note": "Onboarding only."},
        target=_system_a,
    ),
    ApiCase(
        "DELETE",
        "/control-links/{link_id}",
        Perm.EDIT_CONTROLS,
        params=cw.link_kwargs,
        target=_system_a,
        ok=GONE,
    ),
    # the evidence register (keel/evidence): evidence of system A; the list is filtered
    ApiCase(
        "GET",
        "/evidence",
        Perm.VIEW,
        params=lambda w, u: (ew.file_a(w), {})[1],
        filtered=ew.only_visible_evidence,
    ),
    ApiCase(
        "POST",
        "/evidence",
        Perm.EDIT_EVIDENCE,
        body=lambda w, u: {
            "title": "Status page",
            "url": "https://status.example.com",
            "management_systems": [w.a.short_name],
        },
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase(
        "POST", "/evidence/upload", Perm.EDIT_EVIDENCE, multipart=ew.upload_form, target=_system_a, ok=CREATED
    ),
    ApiCase("GET", "/evidence/{ref}", Perm.VIEW, params=ew.file_kwargs, target=_system_a),
    ApiCase(
        "PATCH",
        "/evidence/{ref}",
        Perm.EDIT_EVIDENCE,
        params=ew.file_kwargs,
        body=lambda w, u: {"title": "Supplier assessment 2026"},
        target=_system_a,
    ),
    ApiCase(
        "DELETE", "/evidence/{ref}", Perm.EDIT_EVIDENCE, params=ew.file_kwargs, target=_system_a, ok=GONE
    ),
    ApiCase("GET", "/evidence/{ref}/versions", Perm.VIEW, params=ew.file_kwargs, target=_system_a),
    ApiCase(
        "POST",
        "/evidence/{ref}/versions",
        Perm.EDIT_EVIDENCE,
        params=ew.link_kwargs,
        body=lambda w, u: {"url": "https://suppliers.example.com/acme/2026"},
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase(
        "POST",
        "/evidence/{ref}/versions/upload",
        Perm.EDIT_EVIDENCE,
        params=ew.file_kwargs,
        multipart=ew.new_version_form,
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase(
        "GET", "/evidence/{ref}/versions/{number}", Perm.VIEW, params=ew.download_kwargs, target=_system_a
    ),
    ApiCase(
        "GET",
        "/evidence/{ref}/versions/{number}/download",
        Perm.VIEW,
        params=ew.download_kwargs,
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/evidence/{ref}/controls",
        Perm.EDIT_EVIDENCE,
        params=ew.link_kwargs,
        body=lambda w, u: {"control": cw.CONTROL_REF},
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase(
        "DELETE",
        "/evidence/{ref}/controls/{control}",
        Perm.EDIT_EVIDENCE,
        params=lambda w, u: {**ew.file_kwargs(w, u), "control": cw.CONTROL_REF},
        target=_system_a,
        ok=GONE,
    ),
    ApiCase(
        "POST",
        "/evidence/{ref}/requirements",
        Perm.EDIT_EVIDENCE,
        params=ew.link_kwargs,
        body=lambda w, u: {"requirement": cw.UNLINKED},
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase(
        "DELETE",
        "/evidence/{ref}/requirements/{requirement}",
        Perm.EDIT_EVIDENCE,
        params=lambda w, u: {**ew.file_kwargs(w, u), "requirement": cw.LINKED},
        target=_system_a,
        ok=GONE,
    ),
    # documents (keel/documents): records of system A made on demand
    ApiCase(
        "GET",
        "/documents",
        Perm.VIEW,
        params=lambda w, u: (dw.approved(w), {})[1],
        filtered=dw.only_visible_documents,
    ),
    ApiCase(
        "POST",
        "/documents",
        Perm.EDIT_DOCUMENTS,
        body=lambda w, u: {
            "title": "Clear desk policy",
            "kind": "policy",
            "owner": dw.author().email,
            "management_systems": [w.a.short_name],
            "body": "Leave nothing on your desk.",
        },
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase(
        "POST",
        "/documents/upload",
        Perm.EDIT_DOCUMENTS,
        multipart=lambda w, u: {
            "title": "Clear desk policy",
            "kind": "policy",
            "owner": dw.author().email,
            "management_systems": [w.a.short_name],
            "file": SimpleUploadedFile("desk.pdf", dw.PDF, "application/pdf"),
        },
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase("GET", "/documents/coverage", Perm.VIEW),
    ApiCase("GET", "/documents/{ref}", Perm.VIEW, params=dw.approved_kwargs, target=_system_a),
    ApiCase(
        "PATCH",
        "/documents/{ref}",
        Perm.EDIT_DOCUMENTS,
        params=dw.approved_kwargs,
        body=lambda w, u: {"title": "Matrix policy 2026"},
        target=_system_a,
    ),
    ApiCase(
        "DELETE",
        "/documents/{ref}",
        Perm.EDIT_DOCUMENTS,
        params=dw.approved_kwargs,
        target=_system_a,
        ok=GONE,
    ),
    ApiCase(
        "POST",
        "/documents/{ref}/versions",
        Perm.EDIT_DOCUMENTS,
        params=dw.approved_kwargs,
        body=lambda w, u: {"body": "Amended text.", "change": "minor"},
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase(
        "POST",
        "/documents/{ref}/versions/upload",
        Perm.EDIT_DOCUMENTS,
        params=dw.approved_kwargs,
        multipart=lambda w, u: {
            "change": "major",
            "file": SimpleUploadedFile("v2.pdf", dw.PDF, "application/pdf"),
        },
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase(
        "GET",
        "/documents/{ref}/versions/{number}/download",
        Perm.VIEW,
        params=dw.upload_kwargs,
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/documents/{ref}/review",
        Perm.EDIT_DOCUMENTS,
        params=dw.draft_kwargs,
        body=lambda w, u: {},
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/documents/{ref}/send-back",
        Perm.EDIT_DOCUMENTS,
        params=dw.review_kwargs,
        body=lambda w, u: {},
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/documents/{ref}/approve",
        Perm.APPROVE_DOCUMENTS,
        params=dw.review_kwargs,
        body=lambda w, u: {},
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/documents/{ref}/publish",
        Perm.EDIT_DOCUMENTS,
        params=dw.approved_kwargs,
        body=lambda w, u: {"audience": "people", "people": [dw.author().email]},
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase(
        "POST",
        "/documents/{ref}/requirements",
        Perm.EDIT_DOCUMENTS,
        params=dw.approved_kwargs,
        body=lambda w, u: {"requirement": "iso42001:2023:5.2"},
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase(
        "DELETE",
        "/documents/{ref}/requirements/{requirement}",
        Perm.EDIT_DOCUMENTS,
        params=lambda w, u: {**dw.approved_kwargs(w, u), "requirement": "iso27001:2022:5.2"},
        target=_system_a,
        ok=GONE,
    ),
    ApiCase("GET", "/document-versions", Perm.VIEW, params=lambda w, u: (dw.approved(w), {})[1]),
    ApiCase("GET", "/acknowledgements", Perm.VIEW, params=lambda w, u: (dw.ack(w, None), {})[1]),
    ApiCase(
        "POST",
        "/acknowledgements/{ack_id}/acknowledge",
        Perm.VIEW,
        params=lambda w, u: {"ack_id": str(dw.ack(w, u).pk)},
    ),
    ApiCase(
        "POST",
        "/acknowledgements/{ack_id}/resend",
        Perm.EDIT_DOCUMENTS,
        params=dw.link_ack_params,
        body=lambda w, u: {},
        target=_system_a,
    ),
    ApiCase("GET", "/control-templates", Perm.VIEW, query=f"standard={ISO42001}"),
    ApiCase("GET", "/control-templates/{key}", Perm.VIEW, params=lambda w, u: {"key": cw.template_key()}),
    ApiCase(
        "POST",
        "/control-templates/adopt",
        Perm.EDIT_CONTROLS,
        body=lambda w, u: {"templates": [cw.template_key()], "management_system": w.a.short_name},
        target=_system_a,
        ok=CREATED,
    ),
    # crosswalks (keel/mapping): organisation-level records
    ApiCase("GET", "/crosswalks", Perm.VIEW),
    ApiCase("GET", "/crosswalks/{key}", Perm.VIEW, params=xm.key_kwargs),
    ApiCase("POST", "/crosswalks", Perm.EDIT_MAPPINGS, body=xm.new_crosswalk_body, ok=CREATED),
    ApiCase("GET", "/crosswalks/{key}/export", Perm.VIEW, params=xm.key_kwargs),
    ApiCase("GET", "/crosswalk-relations", Perm.VIEW, query=f"crosswalk={xm.KEY}&relation=subset"),
    ApiCase("GET", "/crosswalk-relations/{relation_id}", Perm.VIEW, params=xm.relation_kwargs),
    ApiCase("POST", "/crosswalk-relations", Perm.EDIT_MAPPINGS, body=xm.new_relation_body, ok=CREATED),
    ApiCase(
        "PATCH",
        "/crosswalk-relations/{relation_id}",
        Perm.EDIT_MAPPINGS,
        params=xm.relation_kwargs,
        body=xm.edit_data,
    ),
    ApiCase(
        "DELETE", "/crosswalk-relations/{relation_id}", Perm.EDIT_MAPPINGS, params=xm.relation_kwargs, ok=GONE
    ),
    # the AI system inventory (keel/aisystems): records of management system A
    ApiCase("GET", "/ai-systems", Perm.VIEW, params=aw.none_but_built),
    ApiCase("GET", "/ai-systems/{ref}", Perm.VIEW, params=aw.system_kwargs, target=_system_a),
    ApiCase(
        "POST",
        "/ai-systems",
        Perm.EDIT_AI_SYSTEMS,
        body=lambda w, u: {**aw.system_form(w, u), "short_name": "new-ai"},
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase(
        "PATCH",
        "/ai-systems/{ref}",
        Perm.EDIT_AI_SYSTEMS,
        params=aw.system_kwargs,
        body=lambda w, u: {"purpose": "Scores."},
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/ai-systems/{ref}/stage",
        Perm.EDIT_AI_SYSTEMS,
        params=aw.system_kwargs,
        body=lambda w, u: {"stage": "development"},
        target=_system_a,
    ),
    ApiCase("GET", "/models", Perm.VIEW, params=aw.none_but_built),
    ApiCase("GET", "/models/{model_id}", Perm.VIEW, params=aw.model_kwargs, target=_system_a),
    ApiCase(
        "POST",
        "/models",
        Perm.EDIT_AI_SYSTEMS,
        body=lambda w, u: {
            "ai_system": aw.system_a(w).short_name,
            "name": "gbm-2",
            "version": "2",
            "model_type": "regressor",
        },
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase(
        "PATCH",
        "/models/{model_id}",
        Perm.EDIT_AI_SYSTEMS,
        params=aw.model_kwargs,
        body=lambda w, u: {"base_model": "none"},
        target=_system_a,
    ),
    ApiCase("GET", "/evaluations", Perm.VIEW, params=aw.none_but_built),
    ApiCase("GET", "/evaluations/{evaluation_id}", Perm.VIEW, params=aw.evaluation_kwargs, target=_system_a),
    ApiCase(
        "POST",
        "/evaluations",
        Perm.RECORD_AI_RESULTS,
        body=lambda w, u: {"ai_system": aw.system_a(w).short_name, "model_version": "gbm@1", **aw.MEASURE},
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase("GET", "/model-versions", Perm.VIEW, params=aw.none_but_built),
    ApiCase("GET", "/model-versions/{version_id}", Perm.VIEW, params=aw.version_kwargs, target=_system_a),
    ApiCase(
        "POST",
        "/model-versions",
        Perm.EDIT_AI_SYSTEMS,
        body=lambda w, u: {"model": str(aw.model_kwargs(w, u)["model_id"]), "label": "2"},
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase(
        "PATCH",
        "/model-versions/{version_id}",
        Perm.EDIT_AI_SYSTEMS,
        params=aw.version_kwargs,
        body=lambda w, u: {"notes": "First."},
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/model-versions/{version_id}/retire",
        Perm.EDIT_AI_SYSTEMS,
        params=aw.version_kwargs,
        body=lambda w, u: {"note": "Abandoned."},
        target=_system_a,
    ),
    ApiCase(
        "GET",
        "/ai-systems/{ref}/gate",
        Perm.VIEW,
        params=aw.gate_kwargs,
        query="model_version=gbm%401",
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/ai-systems/{ref}/deploy",
        Perm.EDIT_AI_SYSTEMS,
        params=aw.gate_kwargs,
        body=lambda w, u: {"model_version": "gbm@1"},
        target=_system_a,
    ),
    ApiCase("GET", "/ai-lifecycle-records", Perm.VIEW, params=aw.none_but_built),
    ApiCase("GET", "/ai-lifecycle-records/{record_id}", Perm.VIEW, params=aw.record_kwargs, target=_system_a),
    ApiCase(
        "POST",
        "/ai-lifecycle-records",
        Perm.EDIT_AI_SYSTEMS,
        body=lambda w, u: {"ai_system": aw.system_a(w).short_name, "kind": "design", "title": "Design"},
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase(
        "PATCH",
        "/ai-lifecycle-records/{record_id}",
        Perm.EDIT_AI_SYSTEMS,
        params=aw.record_kwargs,
        body=lambda w, u: {"body": "All scores are logged."},
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/ai-lifecycle-records/{record_id}/approve",
        Perm.EDIT_AI_SYSTEMS,
        params=aw.record_kwargs,
        body=lambda w, u: {"note": "Fine."},
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/ai-lifecycle-records/{record_id}/withdraw",
        Perm.EDIT_AI_SYSTEMS,
        params=aw.record_kwargs,
        body=lambda w, u: {},
        target=_system_a,
    ),
    ApiCase("GET", "/datasets", Perm.VIEW, params=aw.none_but_built),
    ApiCase("GET", "/datasets/{ref}", Perm.VIEW, params=aw.dataset_kwargs, target=_system_a),
    ApiCase(
        "POST",
        "/datasets",
        Perm.EDIT_AI_SYSTEMS,
        body=lambda w, u: {**aw.dataset_form(w, u), "short_name": "new-data"},
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase(
        "PATCH",
        "/datasets/{ref}",
        Perm.EDIT_AI_SYSTEMS,
        params=aw.dataset_kwargs,
        body=lambda w, u: {"may_train": True},
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/datasets/{ref}/quality-checks",
        Perm.RECORD_AI_RESULTS,
        params=aw.dataset_kwargs,
        body=lambda w, u: aw.MEASURE,
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase("GET", "/metrics", Perm.VIEW, params=aw.none_but_built),
    ApiCase("GET", "/metrics/{metric_id}", Perm.VIEW, params=aw.metric_kwargs, target=_system_a),
    ApiCase(
        "POST",
        "/metrics",
        Perm.EDIT_AI_SYSTEMS,
        body=lambda w, u: {
            "ai_system": aw.system_a(w).short_name,
            "short_name": "latency",
            "name": "Latency",
            "direction": "lower",
            "threshold": "300",
        },
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase(
        "PATCH",
        "/metrics/{metric_id}",
        Perm.EDIT_AI_SYSTEMS,
        params=aw.metric_kwargs,
        body=lambda w, u: {"threshold": "0.8"},
        target=_system_a,
    ),
    ApiCase("GET", "/metric-readings", Perm.VIEW, params=aw.none_but_built),
    ApiCase(
        "POST",
        "/metric-readings",
        Perm.RECORD_AI_RESULTS,
        body=lambda w, u: {"system": aw.system_a(w).short_name, "metric": "accuracy", "value": "0.95"},
        target=_system_a,
        ok=frozenset({200, 201}),
    ),
    ApiCase("GET", "/metric-flags", Perm.VIEW, params=aw.none_but_built),
    ApiCase("GET", "/metric-flags/{flag_id}", Perm.VIEW, params=aw.flag_kwargs, target=_system_a),
    ApiCase(
        "POST",
        "/metric-flags/{flag_id}/close",
        Perm.EDIT_AI_SYSTEMS,
        params=aw.flag_kwargs,
        body=lambda w, u: {"note": "Retrained."},
        target=_system_a,
    ),
    # risk management (keel/risks): the methodology is organisation-level; risks are records of A
    ApiCase("GET", "/risk-methodologies", Perm.VIEW),
    ApiCase(
        "GET",
        "/risk-methodologies/{version}",
        Perm.VIEW,
        params=lambda w, u: {"version": rw.methodology().version},
    ),
    ApiCase(
        "POST",
        "/risk-methodologies",
        Perm.EDIT_RISKS,
        body=lambda w, u: {**rw.default_methodology(), "name": "Next"},
        ok=CREATED,
    ),
    ApiCase(
        "GET",
        "/risks",
        Perm.VIEW,
        params=lambda w, u: (rw.risk_a(w, u), {})[1],
        query="register=is",
        filtered=rw.only_visible_risks,
    ),
    ApiCase(
        "GET",
        "/risks/{ref}",
        Perm.VIEW,
        params=rw.risk_kwargs,
        target=_system_a,
        denied=frozenset({403, 404}),
    ),
    ApiCase("POST", "/risks", Perm.EDIT_RISKS, body=rw.risk_body, target=_system_a, ok=CREATED),
    ApiCase(
        "PATCH",
        "/risks/{ref}",
        Perm.EDIT_RISKS,
        params=rw.risk_kwargs,
        body=lambda w, u: {"residual_impact": 1},
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/risks/{ref}/status",
        Perm.EDIT_RISKS,
        params=rw.risk_kwargs,
        body=lambda w, u: {"status": "closed", "reason": "The process was retired."},
        target=_system_a,
    ),
    # AI system impact assessments (keel/impact)
    ApiCase("GET", "/impact-assessments", Perm.VIEW, params=iw.none_but_built),
    ApiCase(
        "GET", "/impact-assessments/{assessment_id}", Perm.VIEW, params=iw.assessment_kwargs, target=_system_a
    ),
    ApiCase(
        "GET",
        "/impact-assessments/{assessment_id}/pdf",
        Perm.VIEW,
        params=iw.assessment_kwargs,
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/impact-assessments",
        Perm.EDIT_AI_SYSTEMS,
        body=iw.start_body,
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase(
        "PATCH",
        "/impact-assessments/{assessment_id}",
        Perm.EDIT_AI_SYSTEMS,
        params=iw.assessment_kwargs,
        body=lambda w, u: {"scope": "Scoring A in the EU"},
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/impact-assessments/{assessment_id}/approve",
        Perm.APPROVE_IMPACT_ASSESSMENTS,
        params=iw.assessment_kwargs,
        body=lambda w, u: {},
        target=_system_a,
    ),
    ApiCase(
        "GET",
        "/impact-assessments/{assessment_id}/impacts",
        Perm.VIEW,
        params=iw.assessment_kwargs,
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/impact-assessments/{assessment_id}/impacts",
        Perm.EDIT_AI_SYSTEMS,
        params=iw.assessment_kwargs,
        body=lambda w, u: {**iw.IMPACT, "severity": 2},
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase(
        "PATCH",
        "/impact-assessments/{assessment_id}/impacts/{impact_id}",
        Perm.EDIT_AI_SYSTEMS,
        params=iw.impact_kwargs,
        body=lambda w, u: {"severity": 2},
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/impact-assessments/{assessment_id}/impacts/{impact_id}/raise-risk",
        Perm.EDIT_RISKS,
        params=iw.impact_kwargs,
        body=lambda w, u: {},
        target=_system_a,
        ok=CREATED,
    ),
    # EU AI Act (keel/aiact)
    ApiCase("GET", "/ai-act-classifications", Perm.VIEW, params=xw.none_but_built),
    ApiCase(
        "GET",
        "/ai-act-classifications/{classification_id}",
        Perm.VIEW,
        params=xw.classification_kwargs,
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/ai-act-classifications",
        Perm.EDIT_AI_SYSTEMS,
        body=xw.classify_body,
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase("GET", "/obligations", Perm.VIEW),
    ApiCase("GET", "/obligation-statuses", Perm.VIEW, params=xw.none_but_built),
    ApiCase(
        "PUT",
        "/obligation-statuses/{ai_system}/{obligation}",
        Perm.EDIT_AI_SYSTEMS,
        params=xw.api_obligation_kwargs,
        body=lambda w, u: {"status": "in_progress"},
        target=_system_a,
    ),
    ApiCase("GET", "/operating-model", Perm.VIEW),
    ApiCase(
        "POST", "/operating-model", Perm.MANAGE_SYSTEMS, body=lambda w, u: {"answers": xw.ADVICE}, ok=CREATED
    ),
    ApiCase("GET", "/fundamental-rights-assessments", Perm.VIEW, params=xw.none_but_built),
    ApiCase(
        "GET",
        "/fundamental-rights-assessments/{ref}",
        Perm.VIEW,
        params=xw.fria_ref,
        target=_system_a,
        denied=frozenset({403, 404}),
    ),
    ApiCase(
        "POST",
        "/fundamental-rights-assessments",
        Perm.EDIT_AI_SYSTEMS,
        body=xw.fria_body,
        target=_system_a,
        ok=CREATED,
        denied=HIDDEN_SYSTEM,
    ),
    ApiCase(
        "PATCH",
        "/fundamental-rights-assessments/{ref}",
        Perm.EDIT_AI_SYSTEMS,
        params=xw.fria_ref,
        body=lambda w, u: {"complaints": "Complaints desk."},
        target=_system_a,
        denied=frozenset({403, 404}),
    ),
    ApiCase("POST", "/operating-model/split", Perm.MANAGE_USERS, body=xw.split_body, ok=CREATED),
    ApiCase("POST", "/operating-model/merge", Perm.MANAGE_USERS, body=xw.merge_body),
    ApiCase(
        "POST",
        "/risks/{ref}/approve",
        Perm.ACCEPT_RISKS,
        params=rw.risk_kwargs,
        body=lambda w, u: {},
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/risks/{ref}/exception",
        Perm.ACCEPT_RISKS,
        params=rw.high_risk_kwargs,
        body=lambda w, u: {
            "reason": "Budget next quarter",
            # within the methodology's longest exception (max_exception_days, 365 by default)
            "expires": (dt.date.today() + dt.timedelta(days=100)).isoformat(),
        },
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/risks/{ref}/exception/approve",
        Perm.EDIT_RISKS,
        params=rw.pending_kwargs,
        body=lambda w, u: {},
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/risks/{ref}/actions",
        Perm.EDIT_RISKS,
        params=rw.risk_kwargs,
        body=lambda w, u: {"title": "Roll out MDM"},
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase(
        "PATCH",
        "/risks/{ref}/actions/{action_id}",
        Perm.EDIT_RISKS,
        params=rw.api_action_kwargs,
        body=lambda w, u: {"status": "done"},
        target=_system_a,
    ),
    ApiCase("GET", "/risk-snapshots", Perm.VIEW),
    ApiCase("GET", "/risk-assessments-due", Perm.VIEW),
    ApiCase("GET", "/risk-snapshots/{snapshot_id}", Perm.VIEW, params=rw.snapshot_kwargs),
    ApiCase(
        "POST",
        "/risk-snapshots",
        Perm.EDIT_RISKS,
        body=lambda w, u: {"register": "ai", "cycle": "2026 Q4"},
        ok=CREATED,
    ),
    # assets (keel/assets): assets are records of A; the classification scheme is organisation-level
    ApiCase("GET", "/assets", Perm.VIEW, params=lambda w, u: (rw.asset_a(w), {})[1]),
    ApiCase(
        "GET",
        "/assets/{ref}",
        Perm.VIEW,
        params=rw.asset_kwargs,
        target=_system_a,
        denied=frozenset({403, 404}),
    ),
    ApiCase(
        "POST",
        "/assets",
        Perm.EDIT_ASSETS,
        body=lambda w, u: {"name": "Model registry", "type": "software", "management_system": w.a.short_name},
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase(
        "PATCH",
        "/assets/{ref}",
        Perm.EDIT_ASSETS,
        params=rw.asset_kwargs,
        body=lambda w, u: {"location": "eu-west-1"},
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/assets/{ref}/retire",
        Perm.EDIT_ASSETS,
        params=rw.asset_kwargs,
        body=lambda w, u: {},
        target=_system_a,
    ),
    ApiCase("GET", "/classification-levels", Perm.VIEW),
    ApiCase("GET", "/classification-levels/{ref}", Perm.VIEW, params=lambda w, u: {"ref": rw.level().key}),
    ApiCase(
        "POST",
        "/classification-levels",
        Perm.EDIT_ASSETS,
        body=lambda w, u: {"key": "secret", "name": "Secret", "rank": 4},
        ok=CREATED,
    ),
    ApiCase(
        "PATCH",
        "/classification-levels/{ref}",
        Perm.EDIT_ASSETS,
        params=lambda w, u: {"ref": rw.level().key},
        body=lambda w, u: {"handling": "Staff only."},
    ),
    ApiCase(
        "POST",
        "/classification-levels/{ref}/retire",
        Perm.EDIT_ASSETS,
        params=lambda w, u: {"ref": rw.level().key},
        body=lambda w, u: {},
    ),
    # mapping suggestions (keel/mapping/suggest): a decision on control A's suggestion
    ApiCase("GET", "/mapping-suggestions", Perm.VIEW, query=f"source=org&target={ISO42001}"),
    ApiCase(
        "POST",
        "/mapping-suggestions/decisions",
        Perm.EDIT_CONTROLS,
        body=suggest_matrix.decision_body,
        target=_system_a,
        ok=CREATED,
    ),
]

# support records (keel/support): records of system A
_SUPPORT_BODIES: dict[str, Kwargs] = {
    "/ms-roles": lambda w, u: {
        "management_system": w.a.short_name,
        "name": "Data steward",
        "responsibilities": "Data.",
    },
    "/objectives": lambda w, u: {
        "management_system": w.a.short_name,
        "title": "Uptime",
        "measure": "Uptime",
        "target": "99",
    },
    "/competences": lambda w, u: {"role": str(sw.role_a(w).pk), "name": "Incident handling"},
    "/commitments": lambda w, u: {
        "management_system": w.a.short_name,
        "decision": "Fund the AIMS",
        "decided_on": "2026-01-01",
        "decided_by": w.target.email,
    },
    "/legal-requirements": lambda w, u: {
        "management_system": w.a.short_name,
        "title": "NIS2",
        "kind": "law",
        "source": "Directive (EU) 2022/2555, Art. 21",
        "summary": "Manage cybersecurity risks.",
    },
    "/competence-records": lambda w, u: {
        "management_system": w.a.short_name,
        "person": w.target.email,
        "kind": "training",
        "title": "Secure coding",
        "achieved_on": "2026-01-01",
    },
    "/awareness-campaigns": lambda w, u: {
        "management_system": w.a.short_name,
        "title": "Passwords",
        "message": "Use the manager.",
        "audience": "All",
        "starts_on": "2026-01-01",
    },
    "/communications": lambda w, u: {
        "management_system": w.a.short_name,
        "subject": "Incidents",
        "when": "Within a day",
        "audience": "Customers",
        "method": "email",
    },
}
_SUPPORT_KINDS = {
    "/ms-roles": "ms-role",
    "/objectives": "objective",
    "/competences": "competence",
    "/competence-records": "competence-record",
    "/awareness-campaigns": "awareness-campaign",
    "/communications": "communication",
    "/concerns": "concern",
    "/commitments": "commitment",
    "/legal-requirements": "legal-requirement",
}
_SUPPORT_PATCHES: dict[str, Kwargs] = {
    "/ms-roles": lambda w, u: {"authorities": "Stop a release"},
    "/objectives": lambda w, u: {"unit": "%"},
    "/competences": lambda w, u: {"description": "Handles incidents."},
    "/competence-records": lambda w, u: {"provider": "Academy"},
    "/concerns": lambda w, u: {"status": "investigating"},
    "/commitments": lambda w, u: {"minutes": "Board, January"},
    "/legal-requirements": lambda w, u: {"jurisdiction": "EU"},
}
for _path, _slug in _SUPPORT_KINDS.items():
    _ref = sw.kwargs_for(_slug)
    API_CASES += [
        ApiCase("GET", _path, Perm.VIEW),
        ApiCase(
            "GET", _path + "/{ref}", Perm.VIEW, params=_ref, target=_system_a, denied=frozenset({403, 404})
        ),
    ]
    if _path in _SUPPORT_BODIES:
        API_CASES.append(
            ApiCase(
                "POST",
                _path,
                Perm.EDIT_SUPPORT,
                body=_SUPPORT_BODIES[_path],
                target=_system_a,
                ok=CREATED,
                denied=HIDDEN_SYSTEM,
            )
        )
    if _path in _SUPPORT_PATCHES:
        _perm = Perm.HANDLE_CONCERNS if _path == "/concerns" else Perm.EDIT_SUPPORT
        API_CASES.append(
            ApiCase(
                "PATCH", _path + "/{ref}", _perm, params=_ref, body=_SUPPORT_PATCHES[_path], target=_system_a
            )
        )
API_CASES += [
    ApiCase(
        "POST",
        "/concerns",
        Perm.REPORT_CONCERNS,
        body=lambda w, u: {
            "management_system": w.a.short_name,
            "summary": "Odd",
            "description": "Odd answers.",
        },
        target=_system_a,
        ok=CREATED,
        denied=HIDDEN_SYSTEM,
    ),
    ApiCase(
        "POST",
        "/awareness-campaigns/{ref}/completions",
        Perm.RECORD_READINGS,
        params=sw.kwargs_for("awareness-campaign"),
        body=lambda w, u: {"person": w.target.email, "completed_on": "2026-01-06"},
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase("GET", "/objective-readings", Perm.VIEW),
    ApiCase(
        "POST",
        "/objective-readings",
        Perm.RECORD_READINGS,
        body=lambda w, u: {"objective": sw.objective_a(w).ref_id, "value": "5", "on": "2026-01-06"},
        target=_system_a,
        ok=CREATED,
    ),
]

# nonconformities and corrective actions (keel/improvement): records of A
_NC_REF = nw.nc_a_kwargs
API_CASES += [
    ApiCase(
        "GET",
        "/nonconformities",
        Perm.VIEW,
        params=lambda w, u: (nw.nc_a(w), {})[1],
        filtered=nw.only_visible_nonconformities,
    ),
    ApiCase(
        "POST",
        "/nonconformities",
        Perm.RAISE_NONCONFORMITIES,
        body=nw.raise_body,
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase("GET", "/nonconformities/{ref}", Perm.VIEW, params=_NC_REF, target=_system_a),
    ApiCase(
        "PATCH",
        "/nonconformities/{ref}",
        Perm.MANAGE_NONCONFORMITIES,
        params=_NC_REF,
        body=lambda w, u: {"title": "Renamed"},
        target=_system_a,
    ),
    ApiCase(
        "GET", "/nonconformities/{ref}/recurrence-candidates", Perm.VIEW, params=_NC_REF, target=_system_a
    ),
    ApiCase(
        "POST",
        "/nonconformities/{ref}/correction",
        Perm.WORK_OWN_NONCONFORMITIES,
        params=nw.owned_kwargs,
        body=nw.correction_form,
        target=nw.owned_target,
    ),
    ApiCase(
        "POST",
        "/nonconformities/{ref}/root-cause",
        Perm.WORK_OWN_NONCONFORMITIES,
        params=nw.owned_kwargs,
        body=lambda w, u: {"method": "free", "conclusion": "No owner named."},
        target=nw.owned_target,
    ),
    ApiCase(
        "POST",
        "/nonconformities/{ref}/actions",
        Perm.WORK_OWN_NONCONFORMITIES,
        params=nw.owned_kwargs,
        body=nw.action_form,
        target=nw.owned_target,
        ok=CREATED,
    ),
    ApiCase(
        "POST",
        "/nonconformities/{ref}/effectiveness",
        Perm.MANAGE_NONCONFORMITIES,
        params=nw.ready_for_check_kwargs,
        body=lambda w, u: {"effective": True, "evidence_note": "Log.", "checked_by": w.target.email},
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase(
        "POST",
        "/nonconformities/{ref}/close",
        Perm.MANAGE_NONCONFORMITIES,
        params=nw.ready_to_close_kwargs,
        body=lambda w, u: {},
        target=_system_a,
    ),
    ApiCase("GET", "/corrective-actions", Perm.VIEW),
    ApiCase(
        "POST",
        "/corrective-actions",
        Perm.WORK_OWN_NONCONFORMITIES,
        params=nw.owned_kwargs,
        body=lambda w, u: {**nw.action_form(w, u), "nonconformity": "NC-901"},
        target=nw.owned_target,
        ok=CREATED,
    ),
    ApiCase(
        "GET",
        "/corrective-actions/{ref}",
        Perm.VIEW,
        params=lambda w, u: (nw.nc_a(w), {"ref": "CA-900"})[1],
        target=_system_a,
        denied=frozenset({403, 404}),
    ),
    ApiCase(
        "PATCH",
        "/corrective-actions/{ref}",
        Perm.WORK_OWN_NONCONFORMITIES,
        params=nw.owned_action_kwargs,
        body=lambda w, u: {"description": "Automate the reminder."},
        target=nw.owned_target,
        denied=frozenset({403, 404}),  # an action of a nonconformity one may not see: not found
    ),
    ApiCase(
        "POST",
        "/corrective-actions/{ref}/complete",
        Perm.WORK_OWN_NONCONFORMITIES,
        params=nw.owned_action_kwargs,
        body=nw.done_form,
        target=nw.owned_action_target,
        denied=frozenset({403, 404}),  # an action of a nonconformity one may not see: not found
    ),
    ApiCase(
        "POST",
        "/corrective-actions/{ref}/reopen",
        Perm.WORK_OWN_NONCONFORMITIES,
        params=nw.done_action_kwargs,
        body=lambda w, u: {"reason": "Not really done."},
        target=nw.owned_target,
        denied=frozenset({403, 404}),  # an action of a nonconformity one may not see: not found
    ),
]


# internal audits (keel/audits): organisation-wide records (tests/audits_world.py)
API_CASES += [
    ApiCase("GET", "/audit-programmes", Perm.VIEW),
    ApiCase("GET", "/audit-programmes/{ref}", Perm.VIEW, params=auw.programme_kwargs),
    ApiCase(
        "POST",
        "/audit-programmes",
        Perm.EDIT_AUDITS,
        body=lambda w, u: {"title": "P", "first_year": 2026, "last_year": 2026},
        ok=CREATED,
    ),
    ApiCase(
        "PATCH",
        "/audit-programmes/{ref}",
        Perm.EDIT_AUDITS,
        params=auw.programme_kwargs,
        body=lambda w, u: {"title": "Q"},
    ),
    ApiCase("GET", "/audits", Perm.VIEW),
    ApiCase("GET", "/audits/{ref}", Perm.VIEW, params=auw.audit_kwargs),
    ApiCase(
        "POST",
        "/audits",
        Perm.EDIT_AUDITS,
        body=lambda w, u: {
            "programme": auw.programme(w).ref_id,
            "title": "A",
            "planned_start": "2026-06-01",
            "planned_end": "2026-06-02",
            "requirements": [auw.CLAUSE],
        },
        ok=CREATED,
    ),
    ApiCase(
        "PATCH", "/audits/{ref}", Perm.EDIT_AUDITS, params=auw.audit_kwargs, body=lambda w, u: {"title": "B"}
    ),
    ApiCase(
        "POST",
        "/audits/{ref}/status",
        Perm.EDIT_AUDITS,
        params=auw.audit_kwargs,
        body=lambda w, u: {"status": "reported"},
        ok=frozenset({409}),
    ),
    ApiCase("GET", "/audit-items", Perm.VIEW),
    ApiCase("GET", "/audit-items/{item_id}", Perm.VIEW, params=lambda w, u: {"item_id": auw.item(w).pk}),
    ApiCase(
        "PATCH",
        "/audit-items/{item_id}",
        Perm.RECORD_AUDIT_RESULTS,
        params=lambda w, u: {"item_id": auw.item(w).pk},
        body=lambda w, u: {"result": "conforming"},
    ),
    ApiCase(
        "POST",
        "/audit-items/{item_id}/sample",
        Perm.RECORD_AUDIT_RESULTS,
        params=lambda w, u: {"item_id": auw.control_item(w).pk},
        body=lambda w, u: {"period_start": "2026-01-01", "period_end": "2026-03-31", "seed": 1},
        ok=CREATED,
    ),
    ApiCase("GET", "/samples", Perm.VIEW),
    ApiCase("GET", "/samples/{sample_id}", Perm.VIEW, params=lambda w, u: {"sample_id": auw.sample(w).pk}),
    ApiCase(
        "PATCH",
        "/samples/{sample_id}",
        Perm.RECORD_AUDIT_RESULTS,
        params=lambda w, u: {"sample_id": auw.sample(w).pk},
        body=lambda w, u: {"result": "effective"},
    ),
    ApiCase("GET", "/findings", Perm.VIEW),
    ApiCase(
        "GET", "/findings/{finding_id}", Perm.VIEW, params=lambda w, u: {"finding_id": auw.finding(w).pk}
    ),
    ApiCase(
        "POST",
        "/findings",
        Perm.RECORD_AUDIT_RESULTS,
        body=lambda w, u: {
            "audit": auw.audit(w).ref_id,
            "grade": "observation",
            "title": "T",
            "description": "D",
        },
        ok=CREATED,
    ),
    ApiCase(
        "PATCH",
        "/findings/{finding_id}",
        Perm.RECORD_AUDIT_RESULTS,
        params=lambda w, u: {"finding_id": auw.finding(w).pk},
        body=lambda w, u: {"title": "U"},
    ),
    ApiCase(
        "POST",
        "/findings/{finding_id}/nonconformity",
        Perm.RECORD_AUDIT_RESULTS,
        params=lambda w, u: {"finding_id": auw.finding(w).pk},
        body=lambda w, u: {},
        ok=CREATED,
    ),
]

# management review (keel.review)
API_CASES += [
    ApiCase("GET", "/management-reviews", Perm.VIEW),
    ApiCase(
        "POST",
        "/management-reviews",
        Perm.EDIT_REVIEWS,
        body=mrw.new_review_body,
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase("GET", "/management-reviews/{ref}", Perm.VIEW, params=mrw.review_kwargs, target=_system_a),
    ApiCase(
        "PATCH",
        "/management-reviews/{ref}",
        Perm.EDIT_REVIEWS,
        params=mrw.review_kwargs,
        body=lambda w, u: {"title": "Renamed"},
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/management-reviews/{ref}/hold",
        Perm.EDIT_REVIEWS,
        params=mrw.review_kwargs,
        body=lambda w, u: {},
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/management-reviews/{ref}/approve",
        Perm.EDIT_REVIEWS,
        params=mrw.held_kwargs,
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/management-reviews/{ref}/decisions",
        Perm.EDIT_REVIEWS,
        params=mrw.held_kwargs,
        body=lambda w, u: {"text": "Carry on."},
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase("GET", "/review-items", Perm.VIEW),
    ApiCase("GET", "/review-items/{ref}", Perm.VIEW, params=mrw.item_kwargs, target=_system_a),
    ApiCase(
        "PATCH",
        "/review-items/{ref}",
        Perm.EDIT_REVIEWS,
        params=mrw.item_kwargs,
        body=lambda w, u: {"notes": "Discussed."},
        target=_system_a,
    ),
    ApiCase("GET", "/review-actions", Perm.VIEW),
    ApiCase(
        "POST", "/review-actions", Perm.EDIT_REVIEWS, body=mrw.new_action_body, target=_system_a, ok=CREATED
    ),
    ApiCase("GET", "/review-actions/{ref}", Perm.VIEW, params=mrw.action_kwargs, target=_system_a),
    ApiCase(
        "PATCH",
        "/review-actions/{ref}",
        Perm.EDIT_REVIEWS,
        params=mrw.action_kwargs,
        body=lambda w, u: {"title": "Renamed"},
        target=_system_a,
    ),
]


# suppliers (keel/suppliers): records of system A; questionnaires are organisation-level
_SUP_REF = frozenset({403, 404})  # a supplier or assessment outside the caller's systems is not found
API_CASES += [
    ApiCase("GET", "/suppliers", Perm.VIEW),
    ApiCase(
        "POST",
        "/suppliers",
        _EDIT_SUP,
        body=lambda w, u: {
            "management_system": w.a.short_name,
            "name": "Acme Labelling",
            "kind": "labelling",
        },
        target=_system_a,
        ok=CREATED,
        denied=HIDDEN_SYSTEM,
    ),
    ApiCase("GET", "/suppliers/{ref}", Perm.VIEW, params=pw.ref, target=_system_a, denied=_SUP_REF),
    ApiCase(
        "PATCH",
        "/suppliers/{ref}",
        _EDIT_SUP,
        params=pw.ref,
        body=lambda w, u: {"criticality": "critical"},
        target=_system_a,
        denied=_SUP_REF,
    ),
    ApiCase(
        "POST",
        "/suppliers/{ref}/move",
        _EDIT_SUP,
        params=pw.requested_ref,
        body=lambda w, u: {"status": "due_diligence"},
        target=_system_a,
        denied=_SUP_REF,
    ),
    ApiCase(
        "POST",
        "/suppliers/{ref}/contacts",
        _EDIT_SUP,
        params=pw.ref,
        body=lambda w, u: {"name": "Kim"},
        target=_system_a,
        ok=CREATED,
        denied=_SUP_REF,
    ),
    ApiCase(
        "DELETE",
        "/suppliers/{ref}/contacts/{contact_id}",
        _EDIT_SUP,
        params=pw.contact_id_kwargs,
        target=_system_a,
        ok=GONE,
        denied=_SUP_REF,
    ),
    ApiCase(
        "POST",
        "/suppliers/{ref}/contracts",
        _EDIT_SUP,
        params=pw.ref,
        body=lambda w, u: {"title": "DPA", "starts_on": "2026-01-01"},
        target=_system_a,
        ok=CREATED,
        denied=_SUP_REF,
    ),
    ApiCase(
        "PATCH",
        "/suppliers/{ref}/contracts/{contract_id}",
        _EDIT_SUP,
        params=pw.contract_id_kwargs,
        body=lambda w, u: {"notice_days": 30},
        target=_system_a,
        denied=_SUP_REF,
    ),
    ApiCase(
        "POST",
        "/suppliers/{ref}/reviews",
        _EDIT_SUP,
        params=pw.active_ref,
        body=lambda w, u: {"outcome": "continue"},
        target=_system_a,
        ok=CREATED,
        denied=_SUP_REF,
    ),
    ApiCase("GET", "/questionnaires", Perm.VIEW),
    ApiCase(
        "POST",
        "/questionnaires",
        _EDIT_SUP,
        body=lambda w, u: {"key": "privacy", "name": "Privacy", "kind": "other"},
        ok=CREATED,
    ),
    ApiCase("GET", "/questionnaires/{ref}", Perm.VIEW, params=pw.questionnaire_ref),
    ApiCase(
        "PATCH",
        "/questionnaires/{ref}",
        _EDIT_SUP,
        params=pw.draft_ref,
        body=lambda w, u: {"name": "Renamed"},
    ),
    ApiCase("POST", "/questionnaires/{ref}/publish", _EDIT_SUP, params=pw.draft_ref),
    ApiCase(
        "POST",
        "/questionnaires/{ref}/questions",
        _EDIT_SUP,
        params=pw.draft_ref,
        body=lambda w, u: {"text": "Why?", "answer_type": "text"},
        ok=CREATED,
    ),
    ApiCase(
        "PATCH",
        "/questionnaires/{ref}/questions/{question_id}",
        _EDIT_SUP,
        params=pw.question_id_kwargs,
        body=lambda w, u: {"weight": 3},
    ),
    ApiCase(
        "POST",
        "/questionnaires/{ref}/questions/{question_id}/move",
        _EDIT_SUP,
        params=pw.question_id_kwargs,
        body=lambda w, u: {"direction": "down"},
    ),
    ApiCase(
        "DELETE",
        "/questionnaires/{ref}/questions/{question_id}",
        _EDIT_SUP,
        params=pw.question_id_kwargs,
        ok=GONE,
    ),
    ApiCase("GET", "/supplier-assessments", Perm.VIEW),
    ApiCase(
        "POST",
        "/supplier-assessments",
        _EDIT_SUP,
        body=lambda w, u: {
            "supplier": pw.supplier_a(w).ref_id,
            "questionnaire": str(pw.questionnaire(w).pk),
            "recipient_email": "kim.lee@vendor.example",
        },
        target=_system_a,
        ok=CREATED,
        denied=_SUP_REF,
    ),
    ApiCase(
        "GET", "/supplier-assessments/{ref}", Perm.VIEW, params=pw.sent_ref, target=_system_a, denied=_SUP_REF
    ),
    ApiCase(
        "POST",
        "/supplier-assessments/{ref}/review",
        _APPROVE_SUP,
        params=pw.answered_ref,
        body=lambda w, u: {"decision": "acceptable"},
        target=_system_a,
        denied=_SUP_REF,
    ),
    ApiCase(
        "POST",
        "/supplier-assessments/{ref}/withdraw",
        _EDIT_SUP,
        params=pw.sent_ref,
        target=_system_a,
        denied=_SUP_REF,
    ),
    ApiCase(
        "POST",
        "/supplier-assessments/{ref}/extend",
        _EDIT_SUP,
        params=pw.sent_ref,
        body=lambda w, u: {"days": 10},
        target=_system_a,
        denied=_SUP_REF,
    ),
    ApiCase(
        "POST",
        "/supplier-assessments/{ref}/resend",
        _EDIT_SUP,
        params=pw.sent_ref,
        target=_system_a,
        denied=_SUP_REF,
    ),
]


# incidents (keel/incidents)
API_CASES += [
    ApiCase("GET", "/incidents", Perm.VIEW, params=lambda w, u: (incw.incident_a(w), {})[1]),
    ApiCase(
        "POST",
        "/incidents",
        Perm.REPORT_INCIDENTS,
        body=lambda w, u: {
            "incident_type": "security-incident",
            "management_system": w.a.short_name,
            "title": "Phish",
        },
        target=_system_a,
        ok=CREATED,
        denied=HIDDEN_SYSTEM,
    ),
    ApiCase(
        "GET",
        "/incidents/{ref}",
        Perm.VIEW,
        params=incw.kwargs,
        target=_system_a,
        denied=frozenset({403, 404}),
    ),
    ApiCase(
        "PATCH",
        "/incidents/{ref}",
        Perm.HANDLE_INCIDENTS,
        params=incw.kwargs,
        body=lambda w, u: {"severity": "high"},
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/incidents/{ref}/advance",
        Perm.HANDLE_INCIDENTS,
        params=incw.kwargs,
        body=lambda w, u: {"to": "triage"},
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/incidents/{ref}/timeline",
        Perm.HANDLE_INCIDENTS,
        params=incw.kwargs,
        body=lambda w, u: {"text": "Called."},
        target=_system_a,
        ok=CREATED,
    ),
    ApiCase(
        "POST",
        "/incidents/{ref}/steps/{step_id}",
        Perm.HANDLE_INCIDENTS,
        params=incw.step_params,
        body=lambda w, u: {"done": True},
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/incidents/{ref}/clocks/{clock}/met",
        Perm.HANDLE_INCIDENTS,
        params=incw.clock_kwargs,
        body=lambda w, u: {"note": "Sent."},
        target=_system_a,
    ),
    ApiCase(
        "PUT",
        "/incidents/{ref}/review",
        Perm.HANDLE_INCIDENTS,
        params=incw.kwargs,
        body=lambda w, u: {"what_happened": "Lost.", "root_cause": "Careless.", "lessons": "Lock it."},
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/incidents/{ref}/nonconformity",
        Perm.HANDLE_INCIDENTS,
        params=incw.reviewed_kwargs,
        target=_system_a,
    ),
    ApiCase("GET", "/incident-types", Perm.VIEW),
    ApiCase(
        "POST",
        "/incident-types",
        Perm.HANDLE_INCIDENTS,
        body=lambda w, u: {"name": "Matrix type", "family": "ai"},
        ok=CREATED,
    ),
    ApiCase("GET", "/incident-types/{slug}", Perm.VIEW, params=incw.type_kwargs),
    ApiCase(
        "PATCH",
        "/incident-types/{slug}",
        Perm.HANDLE_INCIDENTS,
        params=incw.type_kwargs,
        body=lambda w, u: {"order": 3},
    ),
    ApiCase(
        "POST",
        "/incident-types/{slug}/steps",
        Perm.HANDLE_INCIDENTS,
        params=incw.type_kwargs,
        body=lambda w, u: {"text": "Call them."},
        ok=CREATED,
    ),
    ApiCase("GET", "/incident-clocks", Perm.VIEW),
    ApiCase(
        "POST",
        "/incident-clocks",
        Perm.HANDLE_INCIDENTS,
        body=lambda w, u: {"name": "Matrix clock", "regime": "contract", "duration": 2, "unit": "days"},
        ok=CREATED,
    ),
    ApiCase("GET", "/incident-clocks/{slug}", Perm.VIEW, params=incw.clock_slug_kwargs),
    ApiCase(
        "POST",
        "/incident-clocks/{slug}/variants",
        Perm.HANDLE_INCIDENTS,
        params=incw.clock_slug_kwargs,
        body=lambda w, u: {"condition": "death", "duration": 1, "unit": "days"},
        ok=CREATED,
    ),
]

# changes (keel/changes)
_CHANGE_NOTE: Kwargs = lambda w, u: {"note": "Matrix."}  # noqa: E731
API_CASES += [
    ApiCase("GET", "/changes", Perm.VIEW),
    ApiCase(
        "GET",
        "/changes/{ref}",
        Perm.VIEW,
        params=chw.kwargs("submitted"),
        target=_system_a,
        denied=frozenset({403, 404}),
    ),
    ApiCase(
        "GET",
        "/changes/{ref}/gate",
        Perm.VIEW,
        params=chw.kwargs("submitted"),
        target=_system_a,
        denied=frozenset({403, 404}),
    ),
    ApiCase(
        "POST",
        "/changes",
        Perm.EDIT_CHANGES,
        body=chw.create_body,
        target=_system_a,
        ok=CREATED,
        denied=HIDDEN_SYSTEM,
    ),
    ApiCase(
        "PATCH",
        "/changes/{ref}",
        Perm.EDIT_CHANGES,
        params=chw.kwargs("draft"),
        body=lambda w, u: {"description": "Matrix."},
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/changes/{ref}/submit",
        Perm.EDIT_CHANGES,
        params=chw.kwargs("draft"),
        body=_CHANGE_NOTE,
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/changes/{ref}/approve",
        Perm.APPROVE_CHANGES,
        params=chw.kwargs("submitted"),
        body=_CHANGE_NOTE,
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/changes/{ref}/reject",
        Perm.APPROVE_CHANGES,
        params=chw.kwargs("submitted"),
        body=_CHANGE_NOTE,
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/changes/{ref}/implement",
        Perm.EDIT_CHANGES,
        params=chw.kwargs("approved"),
        body=_CHANGE_NOTE,
        target=_system_a,
    ),
    ApiCase(
        "POST",
        "/changes/{ref}/close",
        Perm.EDIT_CHANGES,
        params=chw.kwargs("implemented"),
        body=_CHANGE_NOTE,
        target=_system_a,
    ),
]


@cache
def api_operations() -> dict[tuple[str, str], dict[str, Any]]:
    """Every operation of the OpenAPI schema, by (method, path below /api/v1)."""
    ops: dict[tuple[str, str], dict[str, Any]] = {}
    for path, methods in api.get_openapi_schema()["paths"].items():
        for method, op in methods.items():
            ops[(method.upper(), path.removeprefix(PREFIX))] = op
    return ops


# my work and certification (issue 15)
API_CASES += [
    ApiCase("GET", "/my-work", Perm.VIEW),
    ApiCase("GET", "/notifications", Perm.VIEW),
    ApiCase("GET", "/certification-cycles", Perm.VIEW),
    ApiCase("GET", "/certification-audits", Perm.VIEW),
    ApiCase("GET", "/certification-audits/{ref}", Perm.VIEW, params=cew.audit_ref),
    ApiCase("POST", "/certification-audits", Perm.EDIT_CERTIFICATION, body=cew.new_audit_body, ok=CREATED),
    ApiCase(
        "PATCH",
        "/certification-audits/{ref}",
        Perm.EDIT_CERTIFICATION,
        params=cew.audit_ref,
        body=lambda w, u: {"notes": "Two days on site."},
    ),
    ApiCase(
        "POST",
        "/certification-audits/{ref}/findings",
        Perm.EDIT_CERTIFICATION,
        params=cew.audit_ref,
        body=lambda w, u: {"grade": "ofi", "title": "Automate it"},
        ok=CREATED,
    ),
    ApiCase("GET", "/auditor-requests", Perm.VIEW),
    ApiCase("GET", "/auditor-requests/{ref}", Perm.VIEW, params=cew.request_ref),
    ApiCase("POST", "/auditor-requests", Perm.EDIT_CERTIFICATION, body=cew.new_request_body, ok=CREATED),
    ApiCase(
        "POST",
        "/auditor-requests/{ref}/links",
        Perm.EDIT_CERTIFICATION,
        params=cew.request_ref,
        body=lambda w, u: {"kind": "record", "title": "Board minutes", "url": "/documents/"},
        ok=CREATED,
    ),
    ApiCase(
        "POST",
        "/auditor-requests/{ref}/status",
        Perm.EDIT_CERTIFICATION,
        params=cew.request_ref,
        body=lambda w, u: {"status": "open"},
    ),
]


def test_every_api_operation_has_a_rule_and_a_matrix_entry() -> None:
    ops = api_operations()
    no_rule = sorted(f"{m} {p}" for (m, p), op in ops.items() if not op.get("x-keel-permission"))
    assert not no_rule, f"operations without x-keel-permission (openapi_extra=permission(...)): {no_rule}"
    covered = {(c.method, c.path) for c in API_CASES}
    missing = sorted(f"{m} {p}" for m, p in set(ops) - covered)
    assert not missing, "".join(f"\nadd a matrix entry for {op}" for op in missing)
    stale = sorted(f"{m} {p}" for m, p in covered - set(ops))
    assert not stale, f"matrix entries for operations that no longer exist: {stale}"
    # Each operation's main case (the first) is decided by the rule it declares.
    first: dict[tuple[str, str], ApiCase] = {}
    for c in API_CASES:
        first.setdefault((c.method, c.path), c)
    drift = sorted(
        f"{m} {p}: the schema says {ops[(m, p)]['x-keel-permission']!r}, the matrix {c.perm!r}"
        for (m, p), c in first.items()
        if ops[(m, p)]["x-keel-permission"] != c.perm
    )
    assert not drift, "an operation's rule changed; change it in the matrix too if that is deliberate:\n" + (
        "\n".join(drift)
    )


@pytest.mark.parametrize(("case", "principal"), matrix_params(API_CASES, PRINCIPALS))
def test_api(case: ApiCase, principal: str, world: World) -> None:
    # Given
    user = world.principal(principal)
    client = world.client(user)
    url = PREFIX + case.path.format(**case.params(world, user)) + (f"?{case.query}" if case.query else "")
    target = case.target(world)  # after the params, which may make the record (and its owner)
    allowed = _allowed(user, case.perm, target, world)
    why = f"{case} as {principal}: rule {str(case.perm)!r} on {label(target)}"
    refused_write = case.method != "GET" and not (allowed and user is not None)

    # The form or body before the check: making it may make the records it names.
    multipart = case.multipart(world, user) if case.multipart is not None else None
    body = json.dumps(case.body(world, user)) if case.body is not None else None

    # When (a refused write is checked to change nothing)
    with changes_nothing(why) if refused_write else nullcontext():
        if multipart is not None:
            response = client.post(url, multipart)
        elif body is not None:
            response = client.generic(case.method, url, body, content_type="application/json")
        else:
            response = client.generic(case.method, url)

    # Then
    status = response.status_code
    if user is None:
        assert status == 401, f"{why}: expected 401 without credentials, got {status}"
    elif allowed:
        assert status in case.ok, (
            f"{why} is allowed: expected {sorted(case.ok)}, got {status}: {response.content!r}"
        )
        if case.filtered is not None:
            case.filtered(world, user, response.json())
    else:
        assert status in case.denied, f"{why} is not allowed: expected {sorted(case.denied)}, got {status}"
        codes = {"permission_denied", "not_found"} | ({"validation_error"} if 422 in case.denied else set())
        assert response.json()["error"]["code"] in codes, response.content


# ====================================================================== CLI


Argv = Callable[[World, User | None], list[str]]


@dataclass(frozen=True)
class CliCase:
    """One command line (without ``--as``). ``perm`` is the rule that decides this call."""

    path: str
    perm: str
    argv: Argv
    note: str = ""

    def __str__(self) -> str:
        return f"{self.path}{' ' + self.note if self.note else ''}"


OPERATOR = "operator"  # the OS user running the CLI without --as: trusted, never checked


def _email(user: User | None, world: World) -> str:
    return user.email if user is not None else world.target.email


CLI_CASES: list[CliCase] = [
    # init and demo reload the standards library (a fraction of a second here: the migrations are
    # applied and the files unchanged), and a refusal comes before any work: run them all.
    CliCase("init", Perm.LOAD_STANDARDS, lambda w, u: ["init"]),
    CliCase("demo", Perm.LOAD_STANDARDS, lambda w, u: ["demo"]),
    # management systems from the CLI (issue 11 item 3)
    CliCase(
        "system create",
        Perm.MANAGE_SYSTEMS,
        lambda w, u: ["system", "create", "Matrix system", "--standard", ISO42001, "--model", "federated"],
    ),
    CliCase("system list", Perm.VIEW, lambda w, u: ["system", "list", "--format", "json"]),
    CliCase(
        "createuser",
        Perm.MANAGE_USERS,
        lambda w, u: ["createuser", "new@example.com", "--role", "auditor", "--management-system", "sys-b"],
    ),
    CliCase("people list", Perm.VIEW, lambda w, u: ["people", "list", "--format", "json"]),
    CliCase(
        "people add",
        Perm.EDIT_PEOPLE,
        lambda w, u: ["people", "add", "Dana Whitfield", "--email", "dana@example.com", "--department", "IT"],
    ),
    CliCase(
        "people invite",
        Perm.MANAGE_USERS,
        lambda w, u: ["people", "invite", str(_newcomer(w, u)["user_id"])],
    ),
    CliCase("user set-password", Perm.MANAGE_USERS, lambda w, u: ["user", "set-password", w.target.email]),
    CliCase("user deactivate", Perm.MANAGE_USERS, lambda w, u: ["user", "deactivate", w.target.email]),
    CliCase("user activate", Perm.MANAGE_USERS, lambda w, u: ["user", "activate", w.target.email]),
    CliCase("token create", Perm.OWN_TOKENS, lambda w, u: ["token", "create", _email(u, w)], note="(own)"),
    CliCase(
        "token create",
        Perm.MANAGE_USERS,
        lambda w, u: ["token", "create", w.target.email],
        note="(someone else's)",
    ),
    CliCase("token list", Perm.OWN_TOKENS, lambda w, u: ["token", "list", _email(u, w)], note="(own)"),
    CliCase(
        "token list",
        Perm.MANAGE_USERS,
        lambda w, u: ["token", "list", w.target.email],
        note="(someone else's)",
    ),
    CliCase(
        "token revoke",
        Perm.OWN_TOKENS,
        lambda w, u: ["token", "revoke", str(w.own_token(u).pk)],
        note="(own)",
    ),
    CliCase(
        "token revoke",
        Perm.MANAGE_USERS,
        lambda w, u: ["token", "revoke", str(w.target_token.pk)],
        note="(someone else's)",
    ),
    CliCase("standards list", Perm.VIEW, lambda w, u: ["standards", "list", "--format", "json"]),
    CliCase("standards show", Perm.VIEW, lambda w, u: ["standards", "show", ISO42001]),
    CliCase("trail verify", Perm.VIEW_TRAIL, lambda w, u: ["trail", "verify"]),
    # the Statement of Applicability (keel/soa): export the SoA of the user's own system
    CliCase("export soa", Perm.VIEW, lambda w, u: soa_factories.export_argv(w.a, u, "-")),
    CliCase("soa create", Perm.EDIT_SOA, soa_factories.create_argv),
    CliCase("soa approve", Perm.APPROVE_SOA, soa_factories.approve_argv),
    CliCase("soa list", Perm.VIEW, lambda w, u: ["soa", "list"]),
    # the control catalogue, with the evidence-aware status
    CliCase(
        "export controls", Perm.VIEW, lambda w, u: ["export", "controls", "--format", "json", "--out", "-"]
    ),
    # import of an existing ISMS (keel/controls/importing): a one-row control file, an SoA of A
    CliCase("import controls", Perm.EDIT_CONTROLS, lambda w, u: import_matrix.controls_argv(u)),
    CliCase("import soa", Perm.EDIT_SOA, lambda w, u: import_matrix.soa_argv(w.a, u)),
    # the evidence register (keel/evidence): organisation-level evidence, the list, the file check
    CliCase(
        "evidence add",
        Perm.EDIT_EVIDENCE,
        lambda w, u: ["evidence", "add", "https://status.example.com", "--title", "Status"],
    ),
    CliCase(
        "evidence list", Perm.VIEW, lambda w, u: ["evidence", "list", "--expiring", "30", "--format", "json"]
    ),
    CliCase(
        "documents export",
        Perm.VIEW,
        lambda w, u: (dw.approved(w), ["documents", "export", "--status", "approved"])[1],
    ),
    CliCase("evidence verify", Perm.VIEW_TRAIL, lambda w, u: (ew.file_a(w), ["evidence", "verify"])[1]),
    # the gap analysis (keel/gap): the analysis of the system the user holds a role over
    CliCase("gap", Perm.VIEW, gap_matrix.cli_argv),
    CliCase("gap", Perm.EDIT_SOA, gap_matrix.cli_scope_argv, note="--confirm-scope"),
    # crosswalks (keel/mapping)
    CliCase("crosswalk list", Perm.VIEW, lambda w, u: ["crosswalk", "list", "--format", "json"]),
    CliCase("crosswalk export", Perm.VIEW, lambda w, u: ["crosswalk", "export", xm.KEY, "--out", "-"]),
    CliCase("crosswalk import", Perm.EDIT_MAPPINGS, xm.import_argv),
    # the AI system inventory (keel/aisystems): a reading of a metric of an AI system of A
    CliCase("ai metric push", Perm.RECORD_AI_RESULTS, aw.push_argv),
    CliCase(
        "objectives reading add",
        Perm.RECORD_READINGS,
        lambda w, u: ["objectives", "reading", "add", sw.objective_a(w).ref_id, "6", "--on", "2026-01-06"],
    ),
    CliCase("ai gate", Perm.VIEW, aw.gate_argv),
    CliCase("ai deploy", Perm.EDIT_AI_SYSTEMS, aw.deploy_argv),
    # assets and risk registers
    CliCase("import assets", Perm.EDIT_ASSETS, rw.import_assets_argv),
    CliCase("risks export", Perm.VIEW, rw.export_risks_argv),
    CliCase("risks due", Perm.VIEW, lambda w, u: ["risks", "due", "--format", "json"]),
    # foreign catalogues and mapping suggestions (keel/standards/catalog, keel/mapping/suggest)
    CliCase("catalog import", Perm.LOAD_STANDARDS, suggest_matrix.catalog_argv),
    CliCase(
        "map suggest", Perm.VIEW, lambda w, u: ["map", "suggest", "--source", "org", "--target", ISO42001]
    ),
    CliCase("map decide", Perm.EDIT_CONTROLS, suggest_matrix.decide_argv),
    # changes (keel/changes): an approved change of a system the user may view
    CliCase("change gate", Perm.VIEW, chw.gate_argv),
    # the consistency check: the matrix world has nothing to flag, so an allowed run exits 0
    CliCase("check", Perm.VIEW, lambda w, u: ["check", "--format", "json"]),
]

# Commands no named user may run (only the OS user): they refuse --as. Not run otherwise
# (``serve`` would start a server; ``backup`` and ``restore`` handle the secret key and the
# whole database; ``trail repair-head`` rebuilds the chain head: see docs/backup.md and
# docs/audit-trail.md, and keel/platform/tests/test_backup.py, test_trail_integrity.py).
OPERATOR_ONLY = ("serve", "trail repair-head", "backup", "restore", "jobs run")


def test_every_cli_command_has_a_rule_and_a_matrix_entry() -> None:
    paths = list(command_paths())
    no_rule = sorted(p for p in paths if p not in PERMISSIONS)
    assert not no_rule, f"commands without an entry in keel.site.cli.base.PERMISSIONS: {no_rule}"
    covered = {c.path for c in CLI_CASES} | set(OPERATOR_ONLY)
    missing = sorted(set(paths) - covered)
    assert not missing, "".join(f"\nadd a matrix entry for 'keel {p}'" for p in missing)
    stale = sorted(covered - set(paths))
    assert not stale, f"matrix entries for commands that no longer exist: {stale}"
    first: dict[str, CliCase] = {}
    for c in CLI_CASES:
        first.setdefault(c.path, c)
    drift = sorted(
        f"{p}: PERMISSIONS says {PERMISSIONS[p]!r}, the matrix {c.perm!r}"
        for p, c in first.items()
        if PERMISSIONS[p] != c.perm
    )
    drift += [
        f"{p}: PERMISSIONS says {PERMISSIONS[p]!r}, the matrix None" for p in OPERATOR_ONLY if PERMISSIONS[p]
    ]
    assert not drift, "a command's rule changed; change it in the matrix too if that is deliberate:\n" + (
        "\n".join(drift)
    )


def _cli_params() -> Iterator[Any]:
    yield from matrix_params(CLI_CASES, MEMBERS)
    for case in CLI_CASES:
        yield pytest.param(case, OPERATOR, id=f"{case}-{OPERATOR}")


@pytest.mark.parametrize(("case", "principal"), list(_cli_params()))
def test_cli(case: CliCase, principal: str, world: World, capsys: pytest.CaptureFixture[str]) -> None:
    # Given
    user = None if principal == OPERATOR else world.principal(principal)
    argv = case.argv(world, user)
    if user is not None:
        argv += ["--as", user.email]
    allowed = user is None or has_perm(user, case.perm, None)
    capsys.readouterr()
    why = f"keel {' '.join(argv)} as {principal}: rule {str(case.perm)!r}"

    # When (a refused command is checked to change nothing)
    with nullcontext() if allowed else changes_nothing(why):
        code = main(argv)

    # Then
    out, err = capsys.readouterr()
    if allowed:
        assert code == 0, f"{why} is allowed: expected exit 0, got {code}: {err.strip()}"
    else:
        assert code == 1, f"{why} is not allowed: expected exit 1, got {code}"
        assert "is not allowed to" in err, f"{why}: expected a permission message, got {err.strip()!r}"
        assert not out.strip(), f"{why}: a refused command printed a result: {out[:200]!r}"


@pytest.mark.parametrize("principal", [*MEMBERS])
@pytest.mark.parametrize("path", OPERATOR_ONLY)
def test_operator_only_commands_refuse_as(
    path: str, principal: str, world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    user = world.principal(principal)
    assert user is not None
    for argv in ([*path.split(), "--as", user.email], ["--as", user.email, *path.split()]):
        capsys.readouterr()
        code = main(argv)
        err = capsys.readouterr().err
        assert code == 2, f"keel {' '.join(argv)}: expected exit 2, got {code}"
        assert "--as" in err, f"keel {' '.join(argv)}: expected a message about --as, got {err!r}"


# ====================================================================== the principals themselves


def test_the_principals_cover_every_role_inside_and_outside_a_perimeter(world: World) -> None:
    # Every role appears over the organisation, over A (the perimeter of the system records the
    # matrix targets) and over B (outside it), plus an account without a role.
    assert {p.split("@")[0] for p in MEMBERS if "@" in p} == set(Role.values)
    for principal in MEMBERS:
        user = world.principal(principal)
        assert user is not None
        where = principal.split("@")[1] if "@" in principal else None
        held = list(user.role_assignments.values_list("management_system_id", flat=True))
        assert held == ([] if where is None else [None if where == "org" else world.system(where).pk])  # type: ignore[union-attr]
    assert ANONYMOUS in PRINCIPALS
