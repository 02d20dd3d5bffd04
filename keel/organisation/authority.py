"""What a person lacks for an act that needs authority, in one wording for every app
(issue 11 item 1): accepting a risk, approving an SoA or an impact assessment, owning a record
whose owner must act on it.

``lacks(person, perm, system)`` answers ``None`` when the person may do it, or a sentence such as
"Dana Whitfield has no login and no role on ISMS that lets them accept risks: invite them to log
in and give them the Compliance manager or Contributor role there." Services and resolvers raise
it as their message; pages, the API and the CLI show it unchanged.
"""

from __future__ import annotations

from django.db import models

from keel.organisation.models import ManagementSystem
from keel.platform.choices import Role
from keel.platform.models import User
from keel.platform.permissions import Perm, role_allows, roles_granting

# What the act is, in words that finish "that lets them …".
ACTS: dict[str, str] = {
    Perm.ACCEPT_RISKS: "accept risks",
    Perm.APPROVE_SOA: "approve Statements of Applicability",
    Perm.APPROVE_IMPACT_ASSESSMENTS: "approve AI system impact assessments",
    Perm.APPROVE_SCOPE: "approve scope statements",
    Perm.VIEW: "see its records",
    Perm.EDIT_OWN_CONTROLS: "update the controls they own",
}


def _where(management_system: ManagementSystem | models.Model | None) -> str:
    if management_system is None:
        return "the organisation"
    name = getattr(management_system, "short_name", "") or getattr(management_system, "name", "")
    return name or "this management system"


def _roles(perm: str) -> str:
    labels = [str(Role(r).label) for r in roles_granting(perm) if r != Role.ADMIN] or [str(Role.ADMIN.label)]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " or " + labels[-1]


def lacks(person: User, perm: str, management_system: ManagementSystem | None = None) -> str | None:
    """``None`` when ``person`` may do ``perm`` on ``management_system`` (None: organisation-wide);
    otherwise what they lack and how to give it, in one sentence."""
    who = person.display_name
    act = ACTS.get(perm, Perm(perm).label.lower() if perm in Perm.values else perm)
    where = _where(management_system)
    if not person.is_active:
        return f"{who}'s account is deactivated: reactivate it, or choose someone else to {act} on {where}."
    has_role = role_allows(person, perm, management_system)
    if person.has_login and has_role:
        return None
    roles = _roles(perm)
    if not person.has_login and not has_role:
        return (
            f"{who} has no login and no role on {where} that lets them {act}: invite them to log in "
            f"and give them the {roles} role there, or choose someone who has it."
        )
    if not person.has_login:
        return f"{who} has a role on {where} but no login yet: invite them to log in before they {act}."
    return f"{who} has no role on {where} that lets them {act}: give them the {roles} role there, or choose someone who has it."
