"""The demo's gap analysis: Tessellate Labs' integrated system gets four controls of its older
ISMS that are linked to ISO 27001 only (classification, incident response, change management,
supplier security). The shipped 27001 → 42001 crosswalk carries them over to ISO 42001, so the
gap page shows chains through the crosswalk with their extension notes beside the controls
linked to 42001 directly. A person has corrected one inferred status and confirmed another.

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
    say("Recording the gap-analysis decisions of the compliance manager ...")
    for key, status, reason in DECISIONS:
        services.decide(approver, integrated, key, status, reason)
