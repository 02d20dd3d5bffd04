"""The demo's register of legal, regulatory and contractual requirements (Tessellate Labs: an AI
credit-decisioning and fraud-detection platform for lenders in the EU and the UK), each linked
to the controls it drives; and the documents that inform interested parties about two AI systems
(the support assistant's notice to lender staff, the credit model's model card summary).

:func:`load_demo_legal` runs before the SoAs (their rows name the requirements as reasons);
:func:`load_demo_ai_information` after the AI systems. Called from keel/site/demo.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from keel.controls.models import Control
from keel.documents import services as documents
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.choices import Channel
from keel.platform.models import User

from . import legal
from .choices import LegalRequirementKind as K
from .choices import LegalRequirementStatus as S
from .choices import SystemDocumentPurpose

BOTH = ["iso27001:2022", "iso42001:2023"]
ISO27 = ["iso27001:2022"]
ISO42 = ["iso42001:2023"]

# (title, kind, jurisdiction, source, summary, owner, standards, requirement keys, review in days, status)
LEGAL: list[tuple[str, str, str, str, str, str, list[str], list[str], int, str]] = [
    (
        "Security of processing of applicants' personal data",
        K.REGULATION,
        "EU",
        "Regulation (EU) 2016/679 (GDPR), Art. 32",
        "We process loan applicants' personal data for lenders. We must protect it with measures "
        "suited to the risk — encryption, access control, resilience, regular testing — and be able "
        "to show which measures we chose and why.",
        "leila.haddad",
        ISO27,
        ["iso27001:2022:A.5.34", "iso27001:2022:A.8.24", "iso27001:2022:A.5.31"],
        120,
        S.APPLICABLE,
    ),
    (
        "UK data protection law for applicants in the UK",
        K.LAW,
        "UK",
        "UK GDPR and Data Protection Act 2018, Art. 22 and Part 2",
        "Decisions based solely on automated processing that significantly affect a person need a "
        "lawful basis and safeguards: a person can ask for human intervention and contest the "
        "outcome. Our lenders rely on us to make that possible for every score we return.",
        "leila.haddad",
        BOTH,
        ["iso27001:2022:A.5.34", "iso42001:2023:A.8.2"],
        150,
        S.APPLICABLE,
    ),
    (
        "Obligations for high-risk AI: creditworthiness scoring",
        K.REGULATION,
        "EU",
        "Regulation (EU) 2024/1689 (AI Act), Annex III point 5(b); Art. 9–15 and 26",
        "Scoring the creditworthiness of natural persons is high-risk under the AI Act. As provider "
        "of the credit model we need risk management, data governance, technical documentation, "
        "logging, transparency to deployers, human oversight and accuracy and robustness; our "
        "lenders as deployers need instructions they can follow.",
        "mara.lindqvist",
        ISO42,
        ["iso42001:2023:A.5.2", "iso42001:2023:A.6.2.7", "iso42001:2023:A.8.2"],
        90,
        S.APPLICABLE,
    ),
    (
        "Transparency for people talking to the support assistant",
        K.REGULATION,
        "EU",
        "Regulation (EU) 2024/1689 (AI Act), Art. 50(1)",
        "People who chat with the support assistant must be told they are interacting with an AI "
        "system, unless it is obvious. The assistant's first message and the help-centre page say so.",
        "rafael.costa",
        ISO42,
        ["iso42001:2023:A.8.2"],
        200,
        S.APPLICABLE,
    ),
    (
        "Lender master services agreement: security schedule",
        K.CONTRACT,
        "UK",
        "Master services agreement with lenders, Schedule 4 (Information security), clauses 4.2–4.9",
        "Lenders require encryption of their data in transit and at rest, notice of a security "
        "incident affecting their data within 24 hours, an annual penetration test with a summary "
        "shared, and the right to audit us once a year.",
        "rafael.costa",
        ISO27,
        ["iso27001:2022:A.5.20", "iso27001:2022:A.5.24", "iso27001:2022:A.8.24"],
        -10,
        S.APPLICABLE,
    ),
    (
        "ICT third-party requirements flowed down from lenders (DORA)",
        K.REGULATION,
        "EU",
        "Regulation (EU) 2022/2554 (DORA), Art. 28–30, through lender contracts",
        "Our EU lenders are financial entities under DORA; we are their ICT third-party provider. "
        "Their contracts with us must carry service levels, incident assistance, exit support and "
        "testing cooperation. We are assessing which of our services the lenders class as "
        "supporting critical or important functions.",
        "rafael.costa",
        ISO27,
        ["iso27001:2022:A.5.19", "iso27001:2022:A.5.30"],
        45,
        S.IDENTIFIED,
    ),
]

# Which SoA rows name which requirement (by the order above, LR-001…) as a reason for inclusion.
SOA_REASONS: dict[str, list[int]] = {
    "iso27001:2022:A.5.34": [1, 2],
    "iso27001:2022:A.8.24": [1, 5],
    "iso27001:2022:A.5.19": [6],
    "iso42001:2023:A.5.2": [3],
}


def _controls_for(ms: ManagementSystem, keys: list[str]) -> list[str]:
    """The system's controls linked to the requirements ``keys`` (first two of each)."""
    out: list[str] = []
    for key in keys:
        found = Control.objects.filter(management_systems=ms, requirements__key=key).order_by("ref_id")
        for ref in found.values_list("ref_id", flat=True)[:2]:
            if ref not in out:
                out.append(ref)
    return out


def load_demo_legal(
    actor: Actor, say: Callable[[str], None], integrated: ManagementSystem, people: dict[str, User]
) -> list[Any]:
    """Record the register; returns the requirements in the order of :data:`LEGAL`."""
    say(f"Recording {len(LEGAL)} legal, regulatory and contractual requirements ...")
    today = timezone.localdate()
    out = []
    for title, kind, where, source, summary, owner, stds, keys, review_days, status in LEGAL:
        out.append(
            legal.create_legal_requirement(
                actor,
                management_system=integrated.short_name,
                title=title,
                kind=kind,
                jurisdiction=where,
                source=source,
                summary=summary,
                owner=people[owner].email,
                standards=stds,
                controls=_controls_for(integrated, keys),
                requirements=keys,
                review_on=today + dt.timedelta(days=review_days),
                status=status,
            )
        )
    return out


ATLAS_NOTICE = """# The Tessellate support assistant: what lender staff should know

The support assistant answers questions about the Tessellate platform for the staff of our
lender customers. It is an AI system: its answers are written by a language model supplied by
a third party, grounded in our help-centre articles.

- It may be wrong. Check anything that matters against the help centre or ask our support team.
- It never sees borrowers' personal data and never takes decisions about applications.
- Conversations are kept for 30 days to improve answers and then deleted.
- To report a wrong or harmful answer, use "Report this answer" in the chat or write to
  support@tessellate-labs.example; the report reaches the team that runs the assistant.
"""

HELIX_CARD = """# Helix credit scoring: model card summary

**What it does.** Estimates the probability that a consumer loan applicant will fall 90 days
behind within 12 months, from bureau data and the application. Lenders use the score with their
own policy rules; the model does not approve or decline on its own.

**Intended users.** Credit risk teams of lenders that have completed our onboarding.

**Not for.** Mortgages, business lending, or applicants under 18.

**Performance.** Evaluated on a held-out period before each release; AUC and calibration are
published to lenders with each version, with results per age band and sex.

**Limits.** Thin-file applicants receive wider confidence bands; lenders are told to refer them
to a person. Every score comes with its main reasons, for adverse-action notices and for a
person who asks for a human review.
"""

INFO_DOCUMENTS = [
    (
        "Support assistant: notice to lender staff",
        "What lender staff are told about the AI support assistant: that it is AI, its limits, and how to report a bad answer.",
        ATLAS_NOTICE,
        ["iso42001:2023:A.8.2", "iso42001:2023:A.8.3"],
        "support-assistant",
        SystemDocumentPurpose.USER_NOTICE,
        "Shown from the chat window and the help centre.",
    ),
    (
        "Helix credit scoring: model card summary",
        "What lenders and their auditors are told about the credit model: purpose, users, performance and limits.",
        HELIX_CARD,
        ["iso42001:2023:A.8.2", "iso42001:2023:A.8.5"],
        "credit-scoring",
        SystemDocumentPurpose.MODEL_CARD,
        "Shared with each lender at onboarding and with every new model version.",
    ),
]


def load_demo_ai_information(
    actor: Actor, say: Callable[[str], None], integrated: ManagementSystem, people: dict[str, User]
) -> None:
    """Write and approve the two documents and link them to their AI systems."""
    say("Writing the information given to interested parties about two AI systems ...")
    author = Actor.for_user(people["mara.lindqvist"], Channel.CLI)
    approver = Actor.for_user(people["admin"], Channel.CLI)
    for title, summary, body, keys, system, purpose, note in INFO_DOCUMENTS:
        doc = documents.create_document(
            author,
            title=title,
            kind="other",
            owner=people["mara.lindqvist"],
            summary=summary,
            version=documents.NewVersion(body=body),
            management_systems=[integrated.pk],
            classification="public",
            requirements=keys,
        )
        documents.submit_for_review(author, doc.pk, [approver.label])
        documents.approve(approver, doc.pk, notify=False)
        legal.link_document(actor, system, doc.ref_id, purpose, note)
