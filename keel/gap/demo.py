"""The demo's gap analysis: Tessellate Labs' integrated system gets four controls of its older
ISMS that are linked to ISO 27001 only (classification, incident response, change management,
supplier security). The shipped 27001 → 42001 crosswalk carries them over to ISO 42001, so the
gap page shows chains through the crosswalk with their extension notes beside the controls
linked to 42001 directly. Two processes of the older ISMS (internal audit, management review)
reach the harmonised clauses of 42001; a person has confirmed that the audit programme's scope
includes the AIMS (its chain into 9.2.2 counts as full) but not yet the audits themselves (its
chain into 9.2.1 is partial, "extend to the AIMS"). A person has corrected one inferred status and confirmed another.

Called once from :func:`keel.site.demo.load_demo`, inside its transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from keel.controls import services as controls
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.models import User

LEGACY_ISMS_CONTROLS: list[dict[str, Any]] = [
    {
        "title": "Information classification scheme and handling rules",
        "description": "Four classification levels with handling rules per level; owners classify "
        "their information assets and the labels drive storage and sharing permissions.",
        "type": "policy",
        "frequency": "annually",
        "links": ["iso27001:2022:A.5.12", "iso27001:2022:A.5.13"],
    },
    {
        "title": "Security incident response runbook",
        "description": "On-call triage, severity levels, roles during an incident, communication "
        "templates and a post-incident review within ten working days.",
        "type": "process",
        "frequency": "per_event",
        "links": ["iso27001:2022:A.5.24", "iso27001:2022:A.5.26"],
    },
    {
        "title": "Production change management",
        "description": "Every production change goes through a reviewed pull request, an automated "
        "test gate and a recorded approval; emergency changes are reviewed afterwards.",
        "type": "process",
        "frequency": "per_event",
        "links": ["iso27001:2022:A.8.32"],
    },
    {
        "title": "Supplier security assessment and contract clauses",
        "description": "Suppliers handling our data answer a security questionnaire before signing; "
        "contracts carry our security schedule and a right to audit.",
        "type": "process",
        "frequency": "per_event",
        "links": ["iso27001:2022:A.5.19", "iso27001:2022:A.5.20"],
    },
]

# Processes the ISMS ran before the AIMS began, linked to the ISO 27001 clauses only. The
# crosswalk relates each to the same ISO 42001 clause (equal); the gap analysis counts them as
# covered only where a person has confirmed their scope includes the AIMS (SCOPE_CONFIRMATIONS).
LEGACY_ISMS_PROCESSES: list[dict[str, Any]] = [
    {
        "title": "Internal audit programme",
        "description": "Three-year risk-based programme; each audit has a plan with criteria and scope, "
        "auditors independent of the area audited, and results reported to the steering committee.",
        "type": "process",
        "frequency": "annually",
        "links": ["iso27001:2022:9.2.1", "iso27001:2022:9.2.2"],
    },
    {
        "title": "Management review",
        "description": "Yearly review by the leadership team of the inputs the standard lists, with "
        "decisions and actions minuted.",
        "type": "process",
        "frequency": "annually",
        "links": ["iso27001:2022:9.3.1", "iso27001:2022:9.3.2", "iso27001:2022:9.3.3"],
    },
]

# (title of a legacy process, 42001 clause, note): the audit programme's scope was extended
# to the AIMS for the programme itself (9.2.2); the audits of this year's plan (9.2.1) still
# cover the ISMS only, so 9.2.1 stays partial with "extend to the AIMS".
SCOPE_CONFIRMATIONS: list[tuple[str, str, str]] = [
    (
        "Internal audit programme",
        "iso42001:2023:9.2.2",
        "The 2026-2028 audit programme (v3, approved in March) names the AIMS, its clauses and the "
        "Annex A controls in its scope and lists two auditors trained on ISO/IEC 42001.",
    ),
]

# (requirement key, confirmed status, reason): one correction and one confirmation.
DECISIONS: list[tuple[str, str, str]] = [
    (
        "iso42001:2023:5.3",
        "partial",
        "The RACI of the integrated management system already names an owner for each AI system; "
        "the authorities specific to the AIMS (who may stop a model release) are still to be added.",
    ),
    (
        "iso42001:2023:A.10.3",
        "covered",
        "Since the second quarter the supplier questionnaire has an AI section (model documentation, "
        "change notice, training-data rights); checked on the last three AI suppliers onboarded.",
    ),
]


def load_demo_gap(
    actor: Actor,
    approver: Actor,
    say: Callable[[str], None],
    integrated: ManagementSystem,
    people: dict[str, User],
) -> None:

    from . import services

    say(f"Adding {len(LEGACY_ISMS_CONTROLS)} controls of the older ISMS (linked to ISO 27001 only) ...")
    owner = people.get("tomasz.nowak")
    for spec in LEGACY_ISMS_CONTROLS:
        data = dict(spec)
        links = data.pop("links")
        control = controls.create_control(
            actor, management_systems=[integrated.pk], owner=owner, status="implemented", **data
        )
        for key in links:
            controls.link_requirement(actor, control.pk, key, "full", "From the ISMS before the AIMS began.")
    made: dict[str, Any] = {}
    say(f"Adding {len(LEGACY_ISMS_PROCESSES)} processes of the older ISMS (ISO 27001 clauses only) ...")
    for spec in LEGACY_ISMS_PROCESSES:
        data = dict(spec)
        links = data.pop("links")
        control = controls.create_control(
            actor, management_systems=[integrated.pk], owner=owner, status="implemented", **data
        )
        made[spec["title"]] = control
        for key in links:
            controls.link_requirement(
                actor, control.pk, key, "full", "Run for the ISMS before the AIMS began."
            )
    say("Confirming where the scope of an ISMS process already includes the AIMS ...")
    for title, key, note in SCOPE_CONFIRMATIONS:
        services.confirm_scope(approver, integrated, made[title].ref_id, key, note)
    say("Recording the gap-analysis decisions of the compliance manager ...")
    for key, status, reason in DECISIONS:
        services.decide(approver, integrated, key, status, reason)
