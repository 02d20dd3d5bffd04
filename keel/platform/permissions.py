"""The one permission check used by pages, the API and the CLI.

A role is held over a perimeter: the organisation (every management system and the shared,
organisation-level records) or one management system. Rules:

- A permission on a management-system record (a scope statement, later a control or an SoA)
  is granted by a role that has it at organisation level or over that system.
- A permission on an organisation-level record (interested parties, context issues, users,
  management systems themselves) needs the role at organisation level — except ``view``:
  anyone with any role can read the shared governance layer.
- The OS user running the CLI without ``--as`` is the operator and is not checked.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeVar

from django.db import models

from keel.platform import hooks
from keel.platform.choices import Role
from keel.platform.errors import PermissionDenied

if TYPE_CHECKING:
    from keel.platform.actor import Actor
    from keel.platform.models import User

M = TypeVar("M", bound=models.Model)


class Perm(models.TextChoices):
    VIEW = "view", "View records"
    VIEW_TRAIL = "view_trail", "View the audit trail"
    EDIT_CONTEXT = "edit_context", "Edit the organisation, interested parties and issues"
    MANAGE_SYSTEMS = "manage_systems", "Create and edit management systems"
    EDIT_SCOPE = "edit_scope", "Draft scope statements"
    APPROVE_SCOPE = "approve_scope", "Approve scope statements"
    MANAGE_USERS = "manage_users", "Manage users, roles and other people's tokens"
    EDIT_PEOPLE = "edit_people", "Add and edit people in the directory"
    LOAD_STANDARDS = "load_standards", "Load or reload the standards library"
    OWN_TOKENS = "own_tokens", "Create and revoke one's own API tokens"
    EDIT_CONTROLS = "edit_controls", "Create, edit and link controls and adopt templates"
    EDIT_OWN_CONTROLS = "edit_own_controls", "Update the controls one owns"
    EDIT_SOA = "edit_soa", "Create and edit Statements of Applicability"
    APPROVE_SOA = "approve_soa", "Approve Statement of Applicability versions"
    EDIT_MAPPINGS = "edit_mappings", "Edit crosswalks and mapping decisions"
    EDIT_EVIDENCE = "edit_evidence", "Add and update evidence"
    EDIT_AI_SYSTEMS = "edit_ai_systems", "Edit the AI system inventory, its datasets and metrics"
    RECORD_AI_RESULTS = "record_ai_results", "Record evaluations, quality checks and metric readings"
    EDIT_ASSETS = "edit_assets", "Edit information assets and the classification scheme"
    EDIT_RISKS = "edit_risks", "Edit risks, the risk methodology and register snapshots"
    ACCEPT_RISKS = "accept_risks", "Approve treatment plans and accept residual risks one owns"
    APPROVE_IMPACT_ASSESSMENTS = "approve_impact_assessments", "Approve AI system impact assessments"
    EDIT_DOCUMENTS = "edit_documents", "Draft documents and publish policies"
    APPROVE_DOCUMENTS = "approve_documents", "Approve documents"
    EDIT_SUPPORT = (
        "edit_support",
        "Edit management-system roles, commitments, objectives, competence, awareness and communication",
    )
    RECORD_READINGS = "record_readings", "Record objective readings and awareness completions"
    REPORT_CONCERNS = "report_concerns", "Report concerns about AI systems"
    HANDLE_CONCERNS = "handle_concerns", "Answer concerns about AI systems"
    VIEW_CONCERN_REPORTERS = "view_concern_reporters", "See who reported a concern about an AI system"
    # keel.improvement (issue 15)
    RAISE_NONCONFORMITIES = "raise_nonconformities", "Raise nonconformities"
    MANAGE_NONCONFORMITIES = (
        "manage_nonconformities",
        "Handle nonconformities: correction, root cause, corrective actions, effectiveness, closure",
    )
    WORK_OWN_NONCONFORMITIES = (
        "work_own_nonconformities",
        "Work on the nonconformities and corrective actions one owns",
    )
    EDIT_AUDITS = "edit_audits", "Plan the internal audit programme and its audits, and name their auditors"
    RECORD_AUDIT_RESULTS = "record_audit_results", "Record internal audit results, samples and findings"
    EDIT_REVIEWS = "edit_reviews", "Plan management reviews and record their minutes, decisions and actions"
    VIEW_OTHERS_WORK = "view_others_work", "See what is due for other people and the reminders sent to them"
    EDIT_CERTIFICATION = (
        "edit_certification",
        "Record the certification cycle, its audits and the auditor's requests",
    )
    REPORT_INCIDENTS = "report_incidents", "Report incidents"
    HANDLE_INCIDENTS = "handle_incidents", "Handle incidents and edit the incident catalogue"
    EDIT_SUPPLIERS = "edit_suppliers", "Edit suppliers, contracts and questionnaires, and send assessments"
    APPROVE_SUPPLIERS = "approve_suppliers", "Decide on suppliers and review their assessments"
    EDIT_CHANGES = "edit_changes", "Request, edit and implement changes"
    APPROVE_CHANGES = "approve_changes", "Approve or reject changes others requested"


ROLE_PERMS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(Perm.values),
    Role.COMPLIANCE_MANAGER: frozenset(
        {
            Perm.VIEW,
            Perm.VIEW_TRAIL,
            Perm.EDIT_CONTEXT,
            Perm.EDIT_PEOPLE,
            Perm.MANAGE_SYSTEMS,
            Perm.EDIT_SCOPE,
            Perm.APPROVE_SCOPE,
            Perm.OWN_TOKENS,
            Perm.EDIT_CONTROLS,
            Perm.EDIT_OWN_CONTROLS,
            Perm.EDIT_SOA,
            Perm.APPROVE_SOA,
            Perm.EDIT_MAPPINGS,
            Perm.EDIT_EVIDENCE,
            Perm.EDIT_AI_SYSTEMS,
            Perm.RECORD_AI_RESULTS,
            Perm.EDIT_ASSETS,
            Perm.EDIT_RISKS,
            Perm.ACCEPT_RISKS,
            Perm.APPROVE_IMPACT_ASSESSMENTS,
            Perm.EDIT_DOCUMENTS,
            Perm.APPROVE_DOCUMENTS,
            Perm.EDIT_SUPPORT,
            Perm.RECORD_READINGS,
            Perm.REPORT_CONCERNS,
            Perm.HANDLE_CONCERNS,
            Perm.EDIT_AUDITS,
            Perm.RECORD_AUDIT_RESULTS,
            Perm.EDIT_SUPPLIERS,
            Perm.APPROVE_SUPPLIERS,
            Perm.EDIT_CHANGES,
            Perm.APPROVE_CHANGES,
            # not VIEW_CONCERN_REPORTERS: a reporter's identity is for administrators only
            Perm.RAISE_NONCONFORMITIES,
            Perm.MANAGE_NONCONFORMITIES,
            Perm.WORK_OWN_NONCONFORMITIES,
            Perm.EDIT_REVIEWS,
            Perm.VIEW_OTHERS_WORK,
            Perm.EDIT_CERTIFICATION,
            Perm.REPORT_INCIDENTS,
            Perm.HANDLE_INCIDENTS,
        }
    ),
    # Contributors own controls and risks: they update their own controls, collect evidence,
    # record AI results and accept the risks they own.
    Role.CONTRIBUTOR: frozenset(
        {
            Perm.VIEW,
            Perm.OWN_TOKENS,
            Perm.EDIT_OWN_CONTROLS,
            Perm.EDIT_EVIDENCE,
            Perm.RECORD_AI_RESULTS,
            Perm.ACCEPT_RISKS,
            Perm.RECORD_READINGS,
            Perm.REPORT_CONCERNS,
            Perm.RAISE_NONCONFORMITIES,
            Perm.WORK_OWN_NONCONFORMITIES,
            Perm.REPORT_INCIDENTS,
            Perm.EDIT_CHANGES,
        }
    ),
    # Auditors raise the nonconformities they find (an audit finding becomes one) and record
    # internal audit results; planning the programme is the compliance manager's.
    Role.AUDITOR: frozenset(
        {Perm.VIEW, Perm.VIEW_TRAIL, Perm.OWN_TOKENS, Perm.RAISE_NONCONFORMITIES, Perm.RECORD_AUDIT_RESULTS}
    ),
    Role.VIEWER: frozenset({Perm.VIEW, Perm.REPORT_CONCERNS}),
}

# Permissions that only make sense organisation-wide: a role over one management system
# never grants them.
ORG_ONLY = frozenset(
    {Perm.MANAGE_USERS, Perm.EDIT_PEOPLE, Perm.LOAD_STANDARDS, Perm.MANAGE_SYSTEMS, Perm.EDIT_CONTEXT}
)


# Permissions about one's own things (one's API tokens): a role that has them anywhere, over
# the organisation or one management system, grants them.
PERSONAL = frozenset({Perm.OWN_TOKENS})

# Permissions over the records one owns (the record's ``owner``), each with the wider permission
# that allows the same on every record of the perimeter. Holding the wider one implies the
# narrower; the narrower one alone needs ownership *and* the role over the record's system:
# owning a record grants nothing without a role there. What the narrower one lets an owner
# change is up to the service (for controls: keel/controls/policies.py OWNER_FIELDS).
OWNED: dict[str, str] = {
    Perm.EDIT_OWN_CONTROLS: Perm.EDIT_CONTROLS,
    Perm.WORK_OWN_NONCONFORMITIES: Perm.MANAGE_NONCONFORMITIES,
}


def _assignments(user: User) -> list[tuple[str, uuid.UUID | None]]:
    cached: list[tuple[str, uuid.UUID | None]] | None = getattr(user, "_keel_roles", None)
    if cached is None:
        # the organisation app owns RoleAssignment and answers (keel/organisation/hooks.py)
        cached = [pair for found in hooks.call("roles.assignments", user=user) for pair in found]
        user._keel_roles = cached  # type: ignore[attr-defined]
    return cached


def forget_cached_roles(user: User) -> None:
    if hasattr(user, "_keel_roles"):
        del user._keel_roles


def has_perm(
    user: User | None, perm: str, management_system: uuid.UUID | str | models.Model | None = None
) -> bool:
    """True when ``user`` may do ``perm`` on a record of ``management_system`` (``None``:
    an organisation-level record)."""
    if user is None or not user.is_authenticated or not user.can_log_in:
        return False
    return role_allows(user, perm, management_system)


def role_allows(
    user: User, perm: str, management_system: uuid.UUID | str | models.Model | None = None
) -> bool:
    """Whether ``user``'s roles grant ``perm`` there, whether or not they can log in (for the
    messages that name what a person lacks: :mod:`keel.organisation.authority`)."""
    ms_id = _ms_id(management_system)
    for role, scope in _assignments(user):
        if perm not in ROLE_PERMS.get(role, frozenset()):
            continue
        if scope is None or perm in PERSONAL:
            return True
        if perm in ORG_ONLY:
            continue
        if ms_id is None:
            if perm == Perm.VIEW:
                return True
            continue
        if scope == ms_id:
            return True
    return False


def has_owner_perm(
    user: User | None,
    perm: str,
    management_system: uuid.UUID | str | models.Model | None,
    owner_id: uuid.UUID | None,
) -> bool:
    """For a permission of :data:`OWNED`: True when ``user`` holds the wider permission over
    ``management_system``, or holds ``perm`` there and is the record's owner (``owner_id``)."""
    if has_perm(user, OWNED[perm], management_system):
        return True
    return (
        user is not None
        and owner_id is not None
        and user.pk == owner_id
        and has_perm(user, perm, management_system)
    )


def has_any_role(user: User | None) -> bool:
    return bool(user is not None and user.is_authenticated and user.can_log_in and _assignments(user))


def system_ids_with(user: User | None, perm: str) -> set[uuid.UUID] | None:
    """The management systems on which ``user`` has ``perm``; ``None`` means all of them."""
    if user is None or not user.is_authenticated or not user.can_log_in:
        return set()
    ids: set[uuid.UUID] = set()
    for role, scope in _assignments(user):
        if perm not in ROLE_PERMS.get(role, frozenset()):
            continue
        if scope is None:
            return None
        if perm not in ORG_ONLY:
            ids.add(scope)
    return ids


def restrict(
    queryset: models.QuerySet[M], user: User | None, perm: str, field: str = "management_system"
) -> models.QuerySet[M]:
    """Filter a queryset of management-system records to those ``user`` may ``perm``."""
    ids = system_ids_with(user, perm)
    if ids is None:
        return queryset
    return queryset.filter(**{f"{field}__in": ids})


def check(actor: Actor, perm: str, management_system: uuid.UUID | str | models.Model | None = None) -> None:
    """Raise :class:`PermissionDenied` unless the actor may do ``perm``. The CLI operator
    (no user, channel ``cli``/``system``) is trusted."""
    if actor.user is None and actor.channel in {"cli", "system"}:
        return
    if not has_perm(actor.user, perm, management_system):
        label = Perm(perm).label if perm in Perm.values else perm
        where = " on this management system" if management_system is not None else ""
        raise PermissionDenied(f"{actor.label} is not allowed to: {label.lower()}{where}.")


def roles_granting(perm: str) -> list[str]:
    return [role for role, perms in ROLE_PERMS.items() if perm in perms]


def _ms_id(value: uuid.UUID | str | models.Model | None) -> uuid.UUID | None:
    if value is None:
        return None
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, uuid.UUID):
        return value
    return uuid.UUID(str(value))


def perm_labels(perms: Iterable[str]) -> list[str]:
    return [Perm(p).label for p in perms]
