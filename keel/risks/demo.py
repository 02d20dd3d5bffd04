"""The demo's assets and risks: Tessellate Labs' classification scheme (extended for AI), a dozen
information assets, the risk methodology, about ten information security risks and eight AI
risks treated by the demo's controls — some approved, one accepted by exception, one whose
acceptance was voided by a later change — and a snapshot of each register.

Called once from :func:`keel.site.demo.load_demo`, inside its transaction, after the controls
and the SoA. The AI systems come from :func:`keel.aisystems.demo.ensure_demo_ai_systems`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from keel.aisystems.demo import ensure_demo_ai_systems
from keel.assets import services as assets
from keel.assets.demo import ensure_demo_levels
from keel.controls.models import Control
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.models import User

from . import services
from .defaults import default_methodology
from .models import Risk
from .rules import months_before

# ref, name, type, classification, owner, location, description
ASSETS: list[tuple[str, str, str, str, str, str, str]] = [
    (
        "AS-001",
        "Loan applicant database",
        "information",
        "confidential",
        "tomasz.nowak",
        "Cloud, eu-west-1",
        "Applications, identity checks and decisions for every lender.",
    ),
    (
        "AS-002",
        "Credit bureau feed",
        "information",
        "confidential",
        "mara.lindqvist",
        "SFTP from the bureau",
        "Daily bureau files used for scoring.",
    ),
    (
        "AS-003",
        "Helix training dataset",
        "dataset",
        "confidential",
        "priya.raman",
        "Feature store",
        "Historic applications and outcomes, pseudonymised.",
    ),
    (
        "AS-004",
        "Helix model weights",
        "model",
        "confidential",
        "priya.raman",
        "Model registry",
        "Released credit-scoring model artefacts.",
    ),
    (
        "AS-005",
        "Support conversation logs",
        "dataset",
        "confidential",
        "tomasz.nowak",
        "Log store",
        "Prompts and answers of the support assistant, redacted.",
    ),
    (
        "AS-006",
        "Fraud labels dataset",
        "dataset",
        "confidential",
        "priya.raman",
        "Feature store",
        "Confirmed fraud cases from lenders.",
    ),
    (
        "AS-007",
        "Source code repositories",
        "software",
        "confidential",
        "tomasz.nowak",
        "Git hosting",
        "Platform and model code.",
    ),
    (
        "AS-008",
        "Production Kubernetes cluster",
        "infrastructure",
        "internal",
        "tomasz.nowak",
        "Cloud, eu-west-1",
        "Runs the scoring and fraud APIs.",
    ),
    (
        "AS-009",
        "Signing keys and secrets vault",
        "software",
        "restricted",
        "admin",
        "Managed vault",
        "Code-signing keys, API credentials.",
    ),
    (
        "AS-010",
        "Staff laptops",
        "device",
        "internal",
        "admin",
        "London office and homes",
        "Managed macOS and Linux laptops.",
    ),
    (
        "AS-011",
        "Public website and docs",
        "information",
        "public",
        "mara.lindqvist",
        "Static hosting",
        "Marketing site and API documentation.",
    ),
    (
        "AS-012",
        "Foundation model API account",
        "software",
        "confidential",
        "tomasz.nowak",
        "Vendor cloud",
        "The support assistant's third-party model.",
    ),
]

# Controls by template key (stable across library versions) or by title start for Tessellate's own.
IS_RISKS: list[dict[str, Any]] = [
    {
        "title": "Applicant data exposed through a misconfigured storage bucket",
        "asset": "AS-001",
        "threat": "External attacker scanning for public buckets",
        "vulnerability": "Manual infrastructure changes without review",
        "c": True,
        "i": False,
        "a": False,
        "inh": (4, 5),
        "res": (2, 4),
        "option": "modify",
        "plan": "Infrastructure as code with policy checks; bucket public-access block at account level.",
        "controls": [
            "configuration-baselines-immutable-deploys",
            "cloud-service-governance",
            "cryptography-key-management",
        ],
        "owner": "tomasz.nowak",
        "approve": True,
    },
    {
        "title": "Ransomware encrypts production and backups",
        "asset": "AS-008",
        "threat": "Ransomware operator",
        "vulnerability": "Backups writable from production credentials",
        "c": False,
        "i": True,
        "a": True,
        "inh": (3, 5),
        "res": (2, 3),
        "option": "modify",
        "plan": "Immutable, separately credentialed backups; restore tests each quarter.",
        "controls": [
            "backup-and-redundancy",
            "business-continuity-and-ict-readiness",
            "endpoint-malware-web-protection",
        ],
        "owner": "tomasz.nowak",
        "approve": True,
    },
    {
        "title": "Stolen laptop exposes source code",
        "asset": "AS-010",
        "threat": "Theft",
        "vulnerability": "Local clones of repositories",
        "c": True,
        "i": False,
        "a": False,
        "inh": (3, 3),
        "res": (1, 2),
        "option": "modify",
        "plan": "Full-disk encryption and remote wipe.",
        "controls": ["endpoint-malware-web-protection", "remote-working-and-clear-desk"],
        "owner": "admin",
        "approve": True,
    },
    {
        "title": "Signing key leaked through a CI log",
        "asset": "AS-009",
        "threat": "Insider mistake or compromised CI job",
        "vulnerability": "Secrets injected as environment variables",
        "c": True,
        "i": True,
        "a": False,
        "inh": (3, 5),
        "res": (3, 4),
        "option": "modify",
        "plan": "Move signing to a KMS-backed service; log masking. Migration needs a quarter.",
        "controls": ["cryptography-key-management", "privileged-access-management"],
        "owner": "tomasz.nowak",
        "exception": "Migration to KMS signing is funded for next quarter; compensating daily secret scanning in place.",
    },
    {
        "title": "Credit bureau feed tampered in transit",
        "asset": "AS-002",
        "threat": "Man-in-the-middle on the SFTP link",
        "vulnerability": "No file signature check",
        "c": False,
        "i": True,
        "a": False,
        "inh": (2, 4),
        "res": (1, 4),
        "option": "modify",
        "plan": "Verify the bureau's file signatures before loading.",
        "controls": ["information-transfer-rules", "supply-chain-integrity"],
        "owner": "mara.lindqvist",
        "approve": True,
        "void": True,
    },
    {
        "title": "Phishing takes over an engineer's account",
        "process": "Identity and access",
        "threat": "Credential phishing",
        "vulnerability": "SMS second factor still allowed",
        "c": True,
        "i": True,
        "a": False,
        "inh": (4, 4),
        "res": (2, 3),
        "option": "modify",
        "plan": "Phishing-resistant keys for all engineers; awareness sessions.",
        "controls": ["secure-authentication", "competence-training-awareness"],
        "owner": "admin",
        # last assessed 14 months ago: past the methodology's 12-month interval, so it is due
        "assessed_months_ago": 14,
    },
    {
        "title": "Vulnerable dependency in the scoring API",
        "asset": "AS-007",
        "threat": "Exploitation of a published vulnerability",
        "vulnerability": "Slow dependency updates",
        "c": True,
        "i": True,
        "a": True,
        "inh": (4, 4),
        "res": (2, 3),
        "option": "modify",
        "plan": "Automated dependency updates and weekly triage.",
        "controls": ["vulnerability-management", "secure-coding"],
        "owner": "tomasz.nowak",
    },
    {
        "title": "Cloud region outage stops lending decisions",
        "asset": "AS-008",
        "threat": "Provider outage",
        "vulnerability": "Single region",
        "c": False,
        "i": False,
        "a": True,
        "inh": (3, 4),
        "res": (3, 4),
        "option": "share",
        "plan": "Contractual SLA credits; lenders fall back to manual review for up to a day.",
        "controls": ["business-continuity-and-ict-readiness", "cloud-service-governance"],
        "owner": "tomasz.nowak",  # Mara is the demo's second approver
        # accepted by exception months ago; the exception has expired, so the acceptance lapsed
        "lapsed_exception": "A second region was planned for last quarter; until then SLA credits and manual review.",
    },
    {
        "title": "Leaver keeps access to production",
        "process": "Joiners, movers, leavers",
        "threat": "Former staff",
        "vulnerability": "Manual deprovisioning",
        "c": True,
        "i": True,
        "a": False,
        "inh": (3, 3),
        "res": (1, 3),
        "option": "modify",
        "plan": "HR-triggered deprovisioning; monthly access review.",
        "controls": ["leaver-and-mover-process", "access-control-and-reviews"],
        "owner": "admin",
        "approve": True,
        # handed over after approval: the new owner has accepted nothing, so the approval is voided
        "handover": "tomasz.nowak",
    },
    {
        "title": "Public website defaced",
        "asset": "AS-011",
        "threat": "Opportunistic attacker",
        "vulnerability": "Static hosting credentials shared",
        "c": False,
        "i": True,
        "a": False,
        "inh": (2, 2),
        "res": (2, 2),
        "option": "retain",
        "plan": "Accept: static content, fast redeploy.",
        "controls": [],
        "owner": "mara.lindqvist",
        "approve": True,
        "close": "The website moved to a managed static host that we do not administer; its "
        "credentials are no longer shared (see the supplier record).",
    },
]

AI_RISKS: list[dict[str, Any]] = [
    {
        "title": "Credit scores disadvantage applicants from some postcodes",
        "system": "credit-scoring",
        "source": "C.3.4",
        "objective": "C.2.5",
        "people": "Loan applicants, including those declined who never see the model.",
        "inh": (4, 5),
        "res": (2, 4),
        "option": "modify",
        "plan": "Fairness testing before every release, with approval thresholds per group.",
        "controls": ["Fairness testing", "ai-verification-validation", "ai-impact-analysis-people-society"],
        "owner": "priya.raman",
        "delegate": "mara.lindqvist",  # Priya may not accept in the integrated system: Mara does
        "approve": False,
    },
    {
        "title": "Applicants cannot understand why they were declined",
        "system": "credit-scoring",
        "source": "C.3.2",
        "objective": "C.2.11",
        "people": "Declined applicants.",
        "inh": (4, 4),
        "res": (2, 3),
        "option": "modify",
        "plan": "Reason codes in every decision; plain-language notices for lenders to send.",
        "controls": ["ai-user-information", "ai-system-documentation"],
        "owner": "mara.lindqvist",
        "approve": True,
    },
    {
        "title": "Score drift after a change in the economy",
        "system": "credit-scoring",
        "source": "C.3.6",
        "objective": "C.2.8",
        "people": "Applicants and lenders.",
        "inh": (3, 4),
        "res": (2, 3),
        "option": "modify",
        "plan": "Drift monitoring with thresholds; retraining gate.",
        "controls": ["model-behaviour-monitoring", "model-release-deployment"],
        "owner": "priya.raman",
        "delegate": "mara.lindqvist",
    },
    {
        "title": "Support assistant invents loan terms",
        "system": "support-assistant",
        "source": "C.3.7",
        "objective": "C.2.9",
        "people": "Borrowers asking about their loan.",
        "inh": (4, 3),
        "res": (2, 2),
        "option": "modify",
        "plan": "Answers grounded in the lender's documents only; escalation to a human.",
        "controls": ["responsible-ai-use", "Prompt and response logging"],
        "owner": "tomasz.nowak",
        "approve": True,
    },
    {
        "title": "Personal data sent to the foundation model vendor",
        "system": "support-assistant",
        "source": "C.3.1",
        "objective": "C.2.7",
        "people": "Borrowers.",
        "inh": (4, 4),
        "res": (2, 3),
        "option": "modify",
        "plan": "PII redaction before the call; zero-retention agreement with the vendor.",
        "controls": [
            "data-masking-pseudonymisation",
            "supplier-agreement-terms",
            "Prompt and response logging",
        ],
        "owner": "daniel.osei",  # moves to the research team afterwards (site/demo.py): a finding
    },
    {
        "title": "Vendor model update changes the assistant's behaviour",
        "system": "support-assistant",
        "source": "C.3.6",
        "objective": "C.2.6",
        "people": "Borrowers and support staff.",
        "inh": (3, 3),
        "res": (2, 2),
        "option": "share",
        "plan": "Pinned model versions; vendor change notices reviewed.",
        "controls": ["supplier-monitoring-change-review"],
        "owner": "tomasz.nowak",
    },
    {
        "title": "Fraud model blocks legitimate customers without review",
        "system": "fraud-detection",
        "source": "C.3.3",
        "objective": "C.2.1",
        "people": "Customers of lenders flagged as fraud.",
        "inh": (3, 4),
        "res": (2, 3),
        "option": "modify",
        "plan": "Human review of every block above a threshold; appeal route.",
        "controls": ["responsible-ai-use", "ai-responsibility-matrix"],
        "owner": "mara.lindqvist",
        "approve": True,
    },
    {
        "title": "Poisoned fraud labels from a compromised lender feed",
        "system": "fraud-detection",
        "source": "C.3.4",
        "objective": "C.2.10",
        "people": "Customers and lenders.",
        "inh": (2, 5),
        "res": (2, 4),
        "option": "modify",
        "plan": "Label provenance checks and anomaly detection on incoming labels.",
        "controls": ["ai-dataset-register-lineage", "ai-data-quality-preparation"],
        "owner": "priya.raman",
        "delegate": "mara.lindqvist",
    },
]


def _ai_systems(actor: Actor, ms: ManagementSystem, people: dict[str, User]) -> None:
    """The AI risks need the inventory's demo systems; recording them is idempotent."""

    ensure_demo_ai_systems(actor, ms, people)


def _controls() -> Callable[[str], str]:
    by_key = dict(Control.objects.filter(template__isnull=False).values_list("template__key", "ref_id"))
    own = list(Control.objects.filter(template__isnull=True).values_list("title", "ref_id"))

    def ref(name: str) -> str:
        if name in by_key:
            return by_key[name]
        return next(r for t, r in own if t.startswith(name))

    return ref


def load_demo_risks(
    actor: Actor, approver: Actor, say: Callable[[str], None], ms: ManagementSystem, people: dict[str, User]
) -> None:
    say("Recording the classification scheme and the information assets ...")
    ensure_demo_levels(actor)
    for ref, name, kind, level, owner, location, description in ASSETS:
        assets.create_asset(
            actor,
            management_system=ms,
            ref_id=ref,
            name=name,
            type=kind,
            classification=assets.get_level(level),
            owner=people[owner],
            location=location,
            description=description,
        )
    say("Adopting the risk methodology and assessing the IS and AI risks ...")
    services.create_methodology(
        actor,
        **default_methodology("Tessellate risk methodology"),
        assessment_interval_months=12,
        significant_changes="A new or retrained model, a new intended use or user group, a new "
        "deployment region, a metric breach or a failed data-quality check, a new supplier of an "
        "AI component, and any change of a system's lifecycle stage other than go-live.",
    )
    _ai_systems(actor, ms, people)
    control_ref = _controls()
    review = timezone.localdate() + dt.timedelta(days=180)

    def as_owner(local: str) -> Actor:
        return Actor.for_user(people[local], actor.channel, actor.ip)

    for spec in IS_RISKS:
        risk = services.create_risk(
            actor,
            register="is",
            management_system=ms.pk,
            title=spec["title"],
            owner=people[spec["owner"]],
            asset=spec.get("asset"),
            process=spec.get("process", ""),
            threat=spec["threat"],
            vulnerability=spec["vulnerability"],
            affects_confidentiality=spec["c"],
            affects_integrity=spec["i"],
            affects_availability=spec["a"],
            inherent_likelihood=spec["inh"][0],
            inherent_impact=spec["inh"][1],
            treatment_option=spec["option"],
            treatment_plan=spec["plan"],
            residual_likelihood=spec["res"][0],
            residual_impact=spec["res"][1],
            review_date=review,
            controls=[control_ref(c) for c in spec["controls"]],
        )
        services.add_action(
            actor,
            risk.pk,
            title=f"Implement: {spec['plan'].split(';')[0].rstrip('.')}",
            owner=people[spec["owner"]],
            due_date=review - dt.timedelta(days=90),
        )
        if spec.get("approve"):
            services.approve_risk(as_owner(spec["owner"]), risk.pk)
        if spec.get("void"):
            services.update_risk(actor, risk.pk, residual_likelihood=2)
        if spec.get("exception"):
            services.request_exception(
                as_owner(spec["owner"]),
                risk.pk,
                reason=spec["exception"],
                expires=timezone.localdate() + dt.timedelta(days=90),
            )
            services.approve_exception(approver, risk.pk)
        if spec.get("lapsed_exception"):
            _lapsed_exception(as_owner(spec["owner"]), approver, risk.pk, spec["lapsed_exception"])
        if spec.get("handover"):
            services.update_risk(actor, risk.pk, owner=people[spec["handover"]])
        if spec.get("close"):
            services.set_status(actor, risk.pk, "closed", spec["close"])
        if spec.get("assessed_months_ago"):
            # the demo is created today: its assessment date is moved back afterwards
            Risk.objects.filter(pk=risk.pk).update(
                assessed_at=months_before(timezone.now(), spec["assessed_months_ago"])
            )
    for spec in AI_RISKS:
        risk = services.create_risk(
            actor,
            register="ai",
            management_system=ms.pk,
            title=spec["title"],
            owner=people[spec["owner"]],
            delegate=people[spec["delegate"]] if spec.get("delegate") else None,
            ai_system=spec["system"],
            risk_source=f"iso42001:2023:{spec['source']}",
            objective=f"iso42001:2023:{spec['objective']}",
            affected_people=spec["people"],
            inherent_likelihood=spec["inh"][0],
            inherent_impact=spec["inh"][1],
            treatment_option=spec["option"],
            treatment_plan=spec["plan"],
            residual_likelihood=spec["res"][0],
            residual_impact=spec["res"][1],
            review_date=review,
            controls=[control_ref(c) for c in spec["controls"]],
        )
        if spec.get("approve"):
            services.approve_risk(as_owner(spec["owner"]), risk.pk)
    say("Taking the first snapshot of both registers ...")
    cycle = f"{timezone.localdate().year} baseline assessment"
    services.take_snapshot(approver, "is", cycle)
    services.take_snapshot(approver, "ai", cycle)


def _lapsed_exception(owner: Actor, approver: Actor, risk_id: Any, reason: str) -> None:
    """An exception approved about 100 days ago for 90 days: it expired 10 days ago, so the
    risk's acceptance shows as lapsed (nothing stored changes when it expires). The services only
    take a future expiry date: the dates of this demo record are moved back afterwards."""
    from .models import RiskApproval

    today = timezone.localdate()
    approval = services.request_exception(owner, risk_id, reason=reason, expires=today + dt.timedelta(days=1))
    services.approve_exception(approver, risk_id)
    back = timezone.now() - dt.timedelta(days=100)
    RiskApproval.objects.filter(pk=approval.pk).update(
        approved_at=back, second_approved_at=back, exception_expires=today - dt.timedelta(days=10)
    )
