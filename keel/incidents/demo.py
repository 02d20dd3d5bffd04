"""The incidents of the demo company (Tessellate Labs): a closed security incident whose GDPR
notification was made in time, the open drift incident that the credit-scoring model's
population-stability breach opened (aisystems' demo readings raise the flag; the hook opens the
incident, once), and a serious harm-to-people incident of the same model a few days before its
EU AI Act deadline. Written through the services, dates relative to the demo's "now"."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from keel.aisystems.models import AISystem
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.models import User

from . import catalogue, services
from .models import Incident


def load_demo_incidents(
    actor: Actor, say: Callable[[str], None], integrated: ManagementSystem, people: dict[str, User]
) -> None:
    say("Recording incidents: a closed phishing breach, the credit model's drift, a serious AI incident ...")
    catalogue.ensure_incident_catalogue(actor=actor)
    now = timezone.now().replace(second=0, microsecond=0)

    def email(local: str) -> str:
        return people[local].email

    def ago(days: float) -> dt.datetime:
        return now - dt.timedelta(days=days)

    # 1. closed: a support mailbox phished; personal data of borrowers exposed; notified in 2 days
    phish = services.report_incident(
        actor,
        management_system=integrated,
        incident_type="security-incident",
        title="Support mailbox compromised through a phishing email",
        description="A support agent entered their credentials on a fake sign-in page. The attacker read the "
        "shared support mailbox for about three hours, including emails with borrowers' names and loan references.",
        reported_by=email("dev.patel"),
        reported_at=ago(41),
        aware_at=ago(41.2),
        severity="high",
        handler=email("isla.murray"),
        personal_data_breach=True,
        controls=[],
    )
    ref = phish.ref_id
    services.advance(actor, ref, to="triage", note="Confirmed by the mailbox sign-in logs.")
    for step in phish.steps.order_by("order")[:3]:
        services.tick_step(actor, ref, step.pk)
    services.advance(
        actor, ref, to="contain", note="Password reset, sessions revoked, forwarding rule removed."
    )
    gdpr = phish.clocks.get(clock__slug="gdpr-breach-notification")
    services.meet_clock(
        actor,
        ref,
        gdpr.pk,
        met_at=ago(39.5),
        note="Notified to the ICO by Leila Haddad, case ref. IC-2026-0417.",
    )
    services.advance(actor, ref, to="investigate")
    for step in phish.steps.order_by("order")[3:]:
        services.tick_step(actor, ref, step.pk)
    services.advance(actor, ref, to="resolve")
    services.advance(actor, ref, to="learn")
    services.record_review(
        actor,
        ref,
        review_what_happened="A targeted phishing email imitating our identity provider led to one support "
        "account being taken over for three hours.",
        review_root_cause="The support mailbox accepted password-only sign-in: the account had been left out of "
        "the hardware-key rollout.",
        review_lessons="The GDPR notification was made within 40 hours because the DPO was in the bridge from "
        "the start. Exceptions to the hardware-key policy were not tracked.",
        review_actions="Hardware keys for every shared mailbox; quarterly list of exceptions to the policy.",
    )
    services.advance(actor, ref, to="closed")

    # 2. open: the drift incident the PSI breach of the credit model opened (see aisystems' demo)
    drift = Incident.objects.filter(
        incident_type__slug="ai-drift", ai_systems__short_name="credit-scoring"
    ).first()
    if drift is not None:
        services.update_incident(actor, drift.ref_id, handler=email("jamal.wright"), severity="medium")
        services.advance(
            actor, drift.ref_id, to="triage", note="The PSI rise is real: applicant income mix shifted."
        )
        services.tick_step(actor, drift.ref_id, drift.steps.order_by("order").first().pk)  # type: ignore[union-attr]

    # 3. open: serious harm to people, a few days before the AI Act deadline (15 days)
    credit = AISystem.objects.filter(short_name="credit-scoring").first()
    harm = services.report_incident(
        actor,
        management_system=integrated,
        incident_type="ai-harm",
        title="Applicants refused after a payslip parsing error",
        description="For nine days the credit-scoring model read net monthly income as weekly income for payslips "
        "of one payroll provider. About 140 applicants were refused credit they would have been offered.",
        reported_by=email("maya.singh"),
        reported_at=ago(12.5),
        aware_at=ago(12.6),
        severity="critical",
        handler=email("luis.fernandez"),
        serious_ai_incident=True,
        ai_systems=[credit.short_name] if credit else [],
    )
    services.advance(
        actor, harm.ref_id, to="triage", note="Treated as a serious incident under the EU AI Act."
    )
    for step in harm.steps.order_by("order")[:2]:
        services.tick_step(actor, harm.ref_id, step.pk)
    services.advance(
        actor, harm.ref_id, to="contain", note="Payslips of the provider routed to manual review."
    )
    services.add_timeline_entry(
        actor,
        harm.ref_id,
        text="Lenders told which decisions to re-run; draft report to the market surveillance authority with Legal.",
        kind="action",
    )
