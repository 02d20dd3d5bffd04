"""The demo's Statements of Applicability: the integrated system's SoA for both standards, with
the exclusions a cloud-hosted company with a leased office makes, a few reasons for inclusion,
one status override, AI-system scoping on 42001 rows, and an approved first version.

Called once from :func:`keel.site.demo.load_demo`, inside its transaction (so it is idempotent
with the rest of the demo)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from keel.organisation.models import ManagementSystem
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.models import User
from keel.support.demo_legal import LEGAL, SOA_REASONS
from keel.support.models import LegalRequirement

ISO27001 = "iso27001:2022"
ISO42001 = "iso42001:2023"

HELIX, SENTINEL, ATLAS = "Helix credit scoring", "Sentinel fraud detection", "Atlas support assistant"

# ref -> (justification) for the excluded Annex A controls of ISO 27001.
EXCLUSIONS_27001: dict[str, str] = {
    "A.7.12": (
        "No server rooms or network cabinets of our own: production runs in the cloud provider's "
        "regions and the landlord owns and maintains the building cabling of the leased offices."
    ),
    "A.7.11": (
        "No equipment of ours depends on utilities we control: production is hosted by the cloud "
        "provider (its utilities are assessed through supplier due diligence, A.5.19-A.5.22) and "
        "the offices hold only laptops and meeting-room screens."
    ),
    "A.8.30": (
        "We do not outsource system or model development: all code is written by employees. "
        "Contractors work inside our repositories under the same controls. To be revisited if an "
        "outsourcing partner is engaged."
    ),
}

# ref -> fields for a few rows of each standard, to show reasons for inclusion.
REASONS_27001: dict[str, dict[str, Any]] = {
    "A.5.34": {
        "obligations": "UK GDPR and EU GDPR (applicant personal data); data processing agreements with lenders.",
        "business_need": "Lenders' due diligence asks for evidence of privacy controls before onboarding.",
    },
    "A.5.19": {
        "obligations": "EBA outsourcing guidelines flow down through lender contracts.",
        "business_need": "Cloud, foundation-model and bureau-data suppliers are critical to the service.",
    },
    "A.8.24": {
        "obligations": "Contractual: lender APIs over mutual TLS; encryption at rest required by customers.",
    },
}
REASONS_42001: dict[str, dict[str, Any]] = {
    "A.5.2": {
        "obligations": "EU AI Act: creditworthiness scoring of natural persons is high-risk (Annex III).",
        "ai_systems": [HELIX],
    },
    "A.6.2.6": {
        "business_need": "Drift in fraud patterns must be caught within days.",
        "ai_systems": [SENTINEL, HELIX],
    },
    "A.10.3": {
        "business_need": "The support assistant relies on a third-party foundation model.",
        "ai_systems": [ATLAS],
    },
}
OVERRIDE_42001 = (
    "A.7.4",
    "partly_implemented",
    "Quality checks run on bureau data for Helix but not yet on Sentinel's transaction feeds; the "
    "linked control is marked implemented because its procedure is approved.",
)


def load_demo_soas(
    actor: Actor,
    approver: Actor,
    say: Callable[[str], None],
    integrated: ManagementSystem,
    people: dict[str, User],
) -> None:
    from . import services
    from .models import SoARow

    today = timezone.localdate()
    review = today + dt.timedelta(days=365)
    accountable = people.get("mara.lindqvist")
    for standard, exclusions, reasons in (
        (ISO27001, EXCLUSIONS_27001, REASONS_27001),
        (ISO42001, {}, REASONS_42001),
    ):
        say(f"Building the Statement of Applicability for {standard} ...")
        soa = services.create_soa(actor, integrated.pk, standard, owner=accountable)
        by_ref: dict[str, SoARow] = {}
        for r in SoARow.objects.filter(soa=soa).select_related("requirement"):
            if r.requirement is not None:
                by_ref[r.requirement.ref_id] = r
        for ref, justification in exclusions.items():
            if ref in by_ref:
                services.update_row(
                    actor,
                    by_ref[ref].pk,
                    applicable=False,
                    justification=justification,
                    accountable=accountable,
                    review_date=review,
                )
        for ref, fields in reasons.items():
            if ref in by_ref:
                services.update_row(actor, by_ref[ref].pk, **fields)
        for key, legal_refs in _legal_reasons(standard).items():
            if key in by_ref and legal_refs:
                services.update_row(actor, by_ref[key].pk, legal_requirements=legal_refs)
        if standard == ISO42001 and OVERRIDE_42001[0] in by_ref:
            ref, status, reason = OVERRIDE_42001
            services.update_row(
                actor,
                by_ref[ref].pk,
                status_override=status,
                override_reason=reason,
                target_date=today + dt.timedelta(days=90),
            )
        _issued_before_checks(approver, soa, today)


def _legal_reasons(standard: str) -> dict[str, list[str]]:
    """The rows (by Annex A id) of ``standard`` whose reason for inclusion is a requirement of the
    demo's legal register (:data:`keel.support.demo_legal.SOA_REASONS`), with their references."""
    refs = {lr.title: lr.ref_id for lr in LegalRequirement.objects.filter(title__in=[t[0] for t in LEGAL])}
    out: dict[str, list[str]] = {}
    for key, numbers in SOA_REASONS.items():
        if key.startswith(standard + ":"):
            out[key.rsplit(":", 1)[1]] = [refs[LEGAL[n - 1][0]] for n in numbers if LEGAL[n - 1][0] in refs]
    return out


def _issued_before_checks(approver: Actor, soa: Any, today: dt.date) -> None:
    """Version 1 as the organisation issued it last year, before Keel checked approvals: the demo
    keeps the realistic flaws an auditor finds (rows with no reason for inclusion or owner, an
    exclusion contradicted by the registers), so approving the current draft is refused with
    those rows named until a person fixes them (docs/soa.md, "Approval"). Written as history,
    with its trail entry, because :func:`keel.soa.services.approve` refuses it today."""
    from . import queries
    from .models import SoAVersion

    assert approver.user is not None
    version = SoAVersion.objects.create(
        soa=soa,
        number=1,
        approved_by=approver.user,
        approved_at=timezone.now() - dt.timedelta(days=120),
        note="First version, approved at the management review.",
        rows=queries.snapshot(queries.rows(soa)),
    )
    trail.record(
        approver,
        TrailAction.APPROVE,
        version,
        object_repr=f"SoA {soa.standard.key} version 1 (demo history)"[:255],
        management_system_id=soa.management_system_id,
        changes={"version": 1, "rows": len(version.rows), "approved_by": str(approver.user.pk)},
    )
