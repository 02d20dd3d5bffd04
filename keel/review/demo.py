"""The management review of the demo company (Tessellate Labs): one review of both management
systems, held six weeks ago with its inputs frozen, notes on the items that drew discussion,
three decisions and two actions — one done, one open and past its due date (the consistency
check and "my work" show it). Called from keel/site/demo.py through the services, after every
app whose records the inputs read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.models import User

from . import services

NOTES = {
    "context_issues": "The EU AI Act's obligations for high-risk credit scoring apply from August 2026; the "
    "board asked for the readiness figures at every review until then.",
    "objectives": "The credit model's AUC objective held; the patching objective slipped in two months of "
    "the period after the platform migration.",
    "ai_performance": "Drift on the credit-scoring model was flagged twice; both times the retraining "
    "pipeline caught it before customers noticed.",
    "risks": "Two AI risks remain above appetite pending the fairness testing work.",
}
DECISIONS = [
    ("risks", "Fund an independent fairness test of the credit-scoring model before the next release."),
    (
        "objectives",
        "Keep the patching target at 14 days and add a second on-call engineer during migrations.",
    ),
    (
        None,
        "The integrated system remains suitable, adequate and effective; the next review is in six months.",
    ),
]


def load_demo_review(
    actor: Actor, say: Callable[[str], None], systems: dict[str, ManagementSystem], people: dict[str, User]
) -> None:
    today = timezone.localdate()
    say("Holding a management review of both systems (inputs frozen, decisions, actions) ...")
    held_on = today - dt.timedelta(days=42)
    review = services.create_review(
        actor,
        management_systems=[ms.short_name for ms in systems.values()],
        held_on=held_on,
        chair=people["oliver.grant"].email,
        title=f"Management review {held_on.year}: ISMS and AIMS",
        attendees=[
            people[p].email
            for p in (
                "oliver.grant",
                "admin",
                "mara.lindqvist",
                "elena.rossi",
                "luis.fernandez",
                "rafael.costa",
            )
        ],
    )
    services.hold_review(actor, review.pk)
    for item in review.items.all():
        if item.input in NOTES:
            services.update_item(actor, item.pk, notes=NOTES[item.input])
    for on, text in DECISIONS:
        services.add_decision(actor, review.pk, text=text, item=on)
    done = services.add_action(
        actor,
        review.pk,
        title="Commission the fairness test of the credit-scoring model",
        owner=people["luis.fernandez"].email,
        due_on=held_on + dt.timedelta(days=21),
        decision="D1",
        item="risks",
    )
    services.update_action(
        actor,
        done.pk,
        status="done",
        outcome="Test commissioned from an external lab; report due next quarter.",
    )
    services.add_action(
        actor,
        review.pk,
        title="Staff a second on-call engineer for platform migrations",
        owner=people["elena.rossi"].email,
        due_on=today - dt.timedelta(days=7),
        decision="D2",
        item="objectives",
    )
    services.update_review(
        actor,
        review.pk,
        conclusions="Both management systems remain suitable, adequate and effective. Attention points: AI "
        "risks above appetite, patching during migrations, and the EU AI Act deadline.",
    )
    services.approve_minutes(actor, review.pk)
