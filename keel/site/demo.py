"""The demo organisation: Tessellate Labs, a fictional AI scale-up, loaded by ``keel demo``.

Tessellate Labs Ltd is invented for Keel (any likeness to a real company is accidental). It is
a Series B company of about 180 people that sells an AI credit-decisioning and
fraud-detection platform to lenders in the EU and the UK, and runs a customer-support
assistant on a third-party foundation model. Every text below is Keel's own.

Rules the demo follows:
- every write goes through the core service functions, so each record has its trail entry;
- it runs in one transaction: it loads completely or not at all;
- it only loads into an instance without an organisation, so running it again (``make run``
  does, every time) changes nothing and never touches a real organisation's data;
- every demo account shares :data:`DEMO_PASSWORD`. That is acceptable **only** because this is
  throw-away demo data on a local machine: never run ``keel demo`` on a production instance.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from keel.aiact.demo import ensure_demo_ai_act
from keel.aisystems.demo import ensure_demo_ai_systems, ensure_demo_retrained_model, link_demo_suppliers
from keel.aisystems.models import AISystem, Dataset
from keel.audits.demo import load_demo_audits
from keel.certification.demo import load_demo_certification
from keel.changes.demo import load_demo_changes
from keel.controls import services as controls
from keel.controls.models import Control, ControlLink, ControlTemplate
from keel.documents.demo import load_demo_documents
from keel.evidence.demo import load_demo_evidence
from keel.evidence.models import Evidence
from keel.gap.demo import load_demo_gap
from keel.impact.demo import ensure_demo_impact_assessments
from keel.improvement.demo import load_demo_improvement
from keel.incidents.demo import load_demo_incidents
from keel.mapping.demo import load_demo_suggestions
from keel.organisation import directory
from keel.organisation import people as organisation_people
from keel.organisation import services as organisation
from keel.organisation.models import (
    ContextIssue,
    InterestedParty,
    ManagementSystem,
    Organisation,
    RoleAssignment,
    ScopeStatement,
)
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.errors import KeelError
from keel.platform.models import TrailEntry, User
from keel.review.demo import load_demo_review
from keel.risks.demo import load_demo_risks
from keel.soa.demo import load_demo_soas
from keel.standards.models import Standard
from keel.suppliers.demo import load_demo_suppliers
from keel.support.demo import load_demo_support
from keel.support.demo_legal import load_demo_ai_information, load_demo_legal

from .demo_content import (
    APPROVER,
    BOTH,
    DEMO_DOMAIN,
    DEPARTMENTS,
    ISO27001,
    ISO42001,
    ISSUES,
    MANAGEMENT_SYSTEMS,
    MORE_ROLES,
    ORGANISATION,
    PARTIES,
    PEOPLE,
    SCOPE_27001_V1,
    SCOPE_27001_V2,
    SCOPE_42001_V1,
    SCOPE_42001_V2_DRAFT,
    SCOPE_RESEARCH,
    STAFF,
)

DEMO_ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
# A fixed password is fine only because this is local demo data; see the module docstring.
DEMO_PASSWORD = "keel-demo-harbour-lights"  # noqa: S105

Progress = Callable[[str], None]


@dataclass
class DemoReport:
    """What ``load_demo`` did. ``created`` is False when an organisation already existed."""

    created: bool
    login_email: str
    login_password: str
    summary: dict[str, int] = field(default_factory=dict)
    message: str = ""


# ---------------------------------------------------------------- loading


def load_demo(actor: Actor, progress: Progress | None = None) -> DemoReport:
    """Load the demo organisation through the service functions, in one transaction.

    Idempotent: if an organisation already exists nothing is written and the report says
    ``created=False``. Raises :class:`KeelError` if the standards are not loaded yet.
    """
    say: Progress = progress or (lambda _line: None)
    missing = set(BOTH) - set(Standard.objects.filter(key__in=BOTH).values_list("key", flat=True))
    if missing:
        raise KeelError(
            f"The standards library is not loaded (missing {', '.join(sorted(missing))}): "
            "run 'keel init' first, then 'keel demo'."
        )
    existing = Organisation.objects.first()
    if existing is not None:
        has_demo_admin = User.objects.filter(email=DEMO_ADMIN_EMAIL).exists()
        say(f"An organisation already exists ({existing.name}): nothing to do.")
        return DemoReport(
            created=False,
            login_email=DEMO_ADMIN_EMAIL if has_demo_admin else "",
            login_password=DEMO_PASSWORD if has_demo_admin else "",
            summary=demo_summary(),
            message=f"An organisation already exists ({existing.name}); the demo was not loaded again.",
        )

    with transaction.atomic():
        say("Creating the organisation profile (Tessellate Labs) ...")
        organisation.save_organisation(actor, **ORGANISATION)

        say("Creating the management systems (Integrated ISMS + AIMS, Research AIMS) ...")
        systems: dict[str, ManagementSystem] = {}
        for ms in MANAGEMENT_SYSTEMS:
            data = dict(ms)
            standards = data.pop("standards")
            systems[data["short_name"]] = organisation.create_management_system(
                actor, standards=standards, **data
            )

        say(f"Creating {len(PEOPLE)} people and their roles ...")
        people: dict[str, User] = {}
        for local, full_name, job_title, role, ms_name in PEOPLE:
            domain = "audit-partner.example" if role == Role.AUDITOR else DEMO_DOMAIN
            people[local] = organisation_people.create_user(
                actor,
                f"{local}@{domain}",
                full_name=full_name,
                job_title=job_title,
                password=DEMO_PASSWORD,
                role=role,
                management_system=systems[ms_name] if ms_name else None,
            )
        for local, role, ms_name in MORE_ROLES:
            organisation_people.grant_role(actor, people[local], role, systems[ms_name])
        for local, department in DEPARTMENTS.items():
            directory.update_person(actor, people[local].pk, department=department)
        say(f"Adding {len(STAFF)} members of staff to the directory (no login) ...")
        for local, full_name, job_title, department in STAFF:
            people[local] = directory.create_person(
                actor,
                full_name,
                email=f"{local}@{DEMO_DOMAIN}",
                job_title=job_title,
                department=department,
            )
        approver = Actor.for_user(people[APPROVER], actor.channel, actor.ip)

        say("Drafting and approving the scope statements ...")
        integrated, research = systems["integrated"], systems["research-aims"]
        _draft_and_approve(actor, approver, integrated, ISO27001, SCOPE_27001_V1)
        _draft_and_approve(actor, approver, integrated, ISO27001, SCOPE_27001_V2)
        _draft_and_approve(actor, approver, integrated, ISO42001, SCOPE_42001_V1)
        _draft_and_approve(actor, approver, research, ISO42001, SCOPE_RESEARCH)
        say("Starting a new draft of the AIMS scope (version 2, awaiting approval) ...")
        organisation.draft_scope(actor, integrated.pk, ISO42001, **SCOPE_42001_V2_DRAFT)

        review = timezone.localdate() + dt.timedelta(days=180)
        say(f"Recording {len(PARTIES)} interested parties ...")
        for name, category, needs, reqs, climate, affected, stds in PARTIES:
            organisation.save_interested_party(
                actor,
                standards=stds,
                name=name,
                category=category,
                needs_expectations=needs,
                requirements=reqs,
                climate_related=climate,
                affected_not_user=affected,
                review_date=review,
            )

        say(f"Recording {len(ISSUES)} internal and external issues ...")
        for title, description, kind, category, effect, climate, stds in ISSUES:
            organisation.save_context_issue(
                actor,
                standards=stds,
                title=title,
                description=description,
                kind=kind,
                category=category,
                effect=effect,
                climate_related=climate,
                review_date=review,
            )

        _adopt_controls(actor, say, integrated, people)

        load_demo_evidence(actor, say, systems, people)

        load_demo_documents(say, systems, people)

        # before the SoAs: the 42001 SoA's rows name the AI systems they apply to
        say("Recording the AI systems, their models, datasets, evaluations and metrics ...")
        ensure_demo_ai_systems(actor, integrated, people)

        # before the SoAs: their rows name legal requirements as reasons for inclusion
        load_demo_legal(actor, say, integrated, people)

        load_demo_soas(actor, approver, say, integrated, people)

        load_demo_gap(actor, approver, say, integrated, people)

        load_demo_suggestions(approver, say)

        load_demo_risks(actor, approver, say, integrated, people)

        say("Recording the AI system impact assessments ...")
        ensure_demo_impact_assessments(actor, approver, people)

        say("Classifying the AI systems under the EU AI Act and recording the operating-model advice ...")
        ensure_demo_ai_act(actor)

        say("Recording a hot-fixed credit-scoring model version, not evaluated yet ...")
        ensure_demo_retrained_model(actor)

        load_demo_support(actor, say, integrated, people)
        load_demo_ai_information(actor, say, integrated, people)

        load_demo_improvement(actor, say, integrated, people)

        load_demo_audits(actor, say, systems, people)

        load_demo_certification(actor, say, integrated, people)

        supplier_refs = load_demo_suppliers(actor, approver, say, integrated, people)
        link_demo_suppliers(actor, supplier_refs)

        load_demo_incidents(actor, say, integrated, people)

        load_demo_changes(actor, approver, say, integrated, research, people)

        # A realistic flaw the consistency check finds (docs/consistency-check.md): Daniel owns an
        # AI risk of the integrated system and then moved to the data-centre team; his role there
        # is now viewer, so nobody named on the risk may accept it.
        say("Moving Daniel Osei to the data-centre team (he still owns an AI risk) ...")
        moved = people["daniel.osei"]
        for assignment in RoleAssignment.objects.filter(user=moved, management_system=systems["integrated"]):
            organisation_people.revoke_role(actor, assignment.pk)
        organisation_people.grant_role(actor, moved, Role.VIEWER, systems["integrated"])

        # last: its inputs read every register above (audits, nonconformities, risks, objectives...)
        load_demo_review(actor, say, systems, people)

    summary = demo_summary()
    say("Demo organisation loaded: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in summary.items()))
    return DemoReport(
        created=True,
        login_email=DEMO_ADMIN_EMAIL,
        login_password=DEMO_PASSWORD,
        summary=summary,
        message="Demo organisation loaded.",
    )


def _draft_and_approve(
    actor: Actor, approver: Actor, ms: ManagementSystem, standard: str, data: dict[str, Any]
) -> ScopeStatement:
    draft = organisation.draft_scope(actor, ms.pk, standard, **data)
    return organisation.approve_scope(approver, draft.pk)


# Implementation state of the adopted catalogue, by template key prefix where it matters and
# by position otherwise: a company about two-thirds through its programme, with the AI side
# (impact assessment, data quality, monitoring) behind the security side.
CONTROL_STATES: list[tuple[str, str]] = [
    ("implemented", "effective"),
    ("implemented", "effective"),
    ("implemented", "partly_effective"),
    ("in_progress", "not_assessed"),
    ("implemented", "effective"),
    ("planned", "not_assessed"),
]
AI_BEHIND = ("ai-", "model-", "responsible-ai")
OWNERS_BY_TYPE = {"technical": "tomasz.nowak", "physical": "george.mensah", "people": "hannah.okafor"}
# Controls whose template key starts with one of these are owned by a member of staff who does
# not log in (their evidence and updates go through a control owner who does).
OWNERS_BY_TEMPLATE: dict[str, str] = {
    "supplier": "anya.petrova",
    "privacy": "leila.haddad",
    "data-retention": "leila.haddad",
    "legal-and-regulatory": "rafael.costa",
    "intellectual-property": "rafael.costa",
    "incident-evidence": "isla.murray",
    "post-incident-review": "isla.murray",
    "asset-inventory": "hugo.schmidt",
    "equipment-and-media": "hugo.schmidt",
    "backup-and-redundancy": "finn.oconnor",
    "capacity-compute": "finn.oconnor",
    "ai-data-quality": "jamal.wright",
    "ai-dataset-register": "kaori.tanaka",
    "customer-ai-commitments": "chloe.martin",
    "ai-user-information": "maya.singh",
}

CUSTOM_CONTROLS: list[dict[str, Any]] = [
    {
        "title": "Fairness testing of the credit-scoring model before every release",
        "description": (
            "Each candidate release of the credit-scoring model is scored on the hold-out set split "
            "by age band, sex and nationality group; the approval-rate gap between groups must stay "
            "under the threshold agreed with the Model Risk Committee, or the release is blocked."
        ),
        "type": "technical",
        "frequency": "per_event",
        "status": "implemented",
        "effectiveness": "partly_effective",
        "tags": ["credit-model", "fairness"],
        "links": [
            ("iso42001:2023:A.6.2.4", "partial", "Fairness is one of the release criteria we verify."),
            ("iso42001:2023:A.5.4", "partial", "Measures one effect on groups of applicants."),
        ],
    },
    {
        "title": "Prompt and response logging for the support assistant, with PII redaction",
        "description": (
            "Every conversation with the support assistant is logged with the model version and "
            "system prompt used; personal data is redacted before storage and logs are kept for "
            "180 days for incident analysis."
        ),
        "type": "technical",
        "frequency": "continuous",
        "status": "in_progress",
        "effectiveness": "not_assessed",
        "tags": ["support-assistant", "logging"],
        "links": [
            ("iso42001:2023:A.6.2.8", "full", "Event records for the assistant."),
            ("iso27001:2022:A.8.15", "partial", "Covers the assistant's logs only."),
            ("iso27001:2022:A.8.11", "partial", "Redaction of personal data in logs."),
        ],
    },
]


def _adopt_controls(
    actor: Actor, say: Progress, integrated: ManagementSystem, people: dict[str, User]
) -> None:
    """Adopt the whole template library into the integrated system, give the controls owners
    and a realistic state, and add two controls of the company's own."""

    keys = list(ControlTemplate.objects.filter(withdrawn_at__isnull=True).values_list("key", flat=True))
    if not keys:
        say("No control templates loaded: skipping the control catalogue (run 'keel init').")
        return
    say(f"Adopting {len(keys)} control templates into the integrated system ...")
    adopted = controls.adopt_templates(actor, keys, integrated.pk)
    say("Giving the controls owners and an implementation state ...")
    for index, control in enumerate(adopted):
        status, effectiveness = CONTROL_STATES[index % len(CONTROL_STATES)]
        template_key = control.template.key if control.template else ""
        if template_key.startswith(AI_BEHIND) and status == "implemented":
            status, effectiveness = "in_progress", "not_assessed"
        by_template = next((o for k, o in OWNERS_BY_TEMPLATE.items() if template_key.startswith(k)), None)
        owner = people[by_template or OWNERS_BY_TYPE.get(control.type, "mara.lindqvist")]
        controls.update_control(actor, control.pk, status=status, effectiveness=effectiveness, owner=owner)
    say(f"Adding {len(CUSTOM_CONTROLS)} controls of Tessellate's own ...")
    for spec in CUSTOM_CONTROLS:
        data = dict(spec)
        links = data.pop("links")
        control = controls.create_control(
            actor, management_systems=[integrated.pk], owner=people["tomasz.nowak"], **data
        )
        for key, coverage, note in links:
            controls.link_requirement(actor, control.pk, key, coverage, note)


def demo_summary() -> dict[str, int]:
    """Counts of the records the demo writes (one query each)."""

    return {
        "controls": Control.objects.count(),
        "ai_systems": AISystem.objects.count(),
        "datasets": Dataset.objects.count(),
        "control_links": ControlLink.objects.count(),
        "evidence": Evidence.objects.count(),
        "management_systems": ManagementSystem.objects.count(),
        "scope_statements": ScopeStatement.objects.count(),
        "interested_parties": InterestedParty.objects.count(),
        "context_issues": ContextIssue.objects.count(),
        "users": User.objects.count(),
        "role_assignments": RoleAssignment.objects.count(),
        "trail_entries": TrailEntry.objects.count(),
    }
