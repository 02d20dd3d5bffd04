"""The nonconformities of the demo company (Tessellate Labs), through the services: one closed
after an effective corrective action, one whose action is overdue (the consistency check finds
it), one from an incident on the credit-scoring model, one from monitoring still without a root
cause after six weeks (the check finds that too), and one whose first action did not work and
was followed by a second; and a recurrence of the first, linked to it. Dates are relative to today. Called from
keel/site/demo.py after the support records."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from keel.controls.models import Control
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.models import User

from . import actions, services
from .models import Nonconformity


@dataclass(frozen=True)
class Action:
    description: str
    owner: str
    due: int  # days from the day the nonconformity was raised
    done: int | None = None  # days after raising; None: still open
    note: str = ""


@dataclass(frozen=True)
class Check:
    after: int  # days after raising
    effective: bool
    by: str
    looked_at: str
    note: str = ""


@dataclass(frozen=True)
class DemoNc:
    title: str
    description: str
    source: str
    source_ref: str
    kind: str
    days_ago: int
    owner: str
    raised_by: str
    requirements: tuple[str, ...]
    templates: tuple[str, ...] = ()  # controls, by the template they were adopted from
    correction: str = ""
    whys: tuple[str, ...] = ()
    root_cause: str = ""
    actions: tuple[Action, ...] = ()
    checks: tuple[Check, ...] = ()
    more_actions: tuple[Action, ...] = ()  # added after the checks (a first action was not effective)
    close_after: int | None = None
    recurrence_of: str = ""  # the title of an earlier demo nonconformity
    systems: tuple[str, ...] = ("integrated",)


NONCONFORMITIES: list[DemoNc] = [
    DemoNc(
        title="Leavers kept access to the production cloud for up to nine days",
        description="Sampling 25 leavers of the last two quarters, the internal audit found four whose cloud console "
        "and VPN access were removed 3 to 9 days after their last day; the leaver procedure asks for the same day.",
        source="internal_audit",
        source_ref="AUD-1 F-2",
        kind="minor",
        days_ago=160,
        owner="tomasz.nowak",
        raised_by="mara.lindqvist",
        requirements=("iso27001:2022:A.5.18", "iso27001:2022:A.6.5"),
        templates=("leaver-and-mover-process", "access-control-and-reviews"),
        correction="The four accounts were disabled the day the finding was raised; their sessions and API keys were "
        "revoked and the access logs checked for use after the leaving date (none found).",
        whys=(
            "Access was removed days late because the platform team learnt of leavers from a weekly HR export",
            "The export was weekly because the HR system had no event for a leaving date",
            "Nobody owned the hand-off between People and Platform Engineering for leavers",
        ),
        root_cause="The leaver hand-off relied on a weekly export with no owner, instead of an event on the leaving date.",
        actions=(
            Action(
                "Trigger de-provisioning from the HR system's leaving-date event through the identity provider.",
                "tomasz.nowak",
                due=45,
                done=38,
                note="Identity-provider workflow live; tested with three leavers.",
            ),
            Action(
                "Name the People Operations partner as owner of the leaver hand-off in the RACI.",
                "hannah.okafor",
                due=30,
                done=21,
                note="RACI v3 approved.",
            ),
        ),
        checks=(
            Check(
                after=100,
                effective=True,
                by="mara.lindqvist",
                looked_at="All 11 leavers since the change: access removed on their last day (identity-provider log).",
            ),
        ),
        close_after=102,
    ),
    DemoNc(
        title="Two cloud sub-processors missed their yearly security review",
        description="The supplier register shows the yearly security reviews of the vector-database host and of the "
        "email delivery provider as due four and seven months ago; neither was done.",
        source="internal_audit",
        source_ref="AUD-1 F-4",
        kind="minor",
        days_ago=75,
        owner="anya.petrova",
        raised_by="mara.lindqvist",
        requirements=("iso27001:2022:A.5.22", "iso42001:2023:A.10.3"),
        templates=("supplier-monitoring-change-review",),
        correction="Both reviews were started: questionnaires sent and the SOC 2 reports requested.",
        whys=(
            "The reviews were missed because nobody was reminded of them",
            "Reminders came from a spreadsheet kept by a procurement analyst who left in the spring",
        ),
        root_cause="Supplier review dates lived in a personal spreadsheet, not in a system that reminds the owner.",
        actions=(
            Action(
                "Move every supplier review date into Keel's reminders, each with a named owner.",
                "anya.petrova",
                due=65,
            ),
        ),
    ),
    DemoNc(
        title="Credit-scoring model served stale features for six hours",
        description="After a failed feature-pipeline run the credit-scoring service kept scoring applications with "
        "features up to a day old; the failure raised no alert. Found in the post-incident review.",
        source="incident",
        source_ref="Post-incident review, feature pipeline outage",
        kind="major",
        days_ago=12,
        owner="kaori.tanaka",
        raised_by="mara.lindqvist",
        requirements=("iso42001:2023:A.6.2.6", "iso27001:2022:A.8.16"),
        templates=("model-behaviour-monitoring",),
        correction="The 412 applications scored in the window were re-scored with fresh features; 3 decisions changed "
        "and the customers were contacted.",
    ),
    DemoNc(
        title="Drift alerts of the support assistant went unreviewed for a month",
        description="Monitoring raised 14 drift alerts on the support assistant's answer-quality metric in one month; "
        "none was acknowledged or reviewed as the monitoring procedure asks.",
        source="monitoring",
        source_ref="Support assistant answer quality, weekly drift report",
        kind="minor",
        days_ago=45,
        owner="jamal.wright",
        raised_by="luis.fernandez",
        requirements=("iso42001:2023:9.1", "iso42001:2023:A.6.2.6"),
        templates=("model-behaviour-monitoring",),
        correction="The 14 alerts were reviewed: two showed a real fall in quality after a knowledge-base change, "
        "which was rolled back.",
    ),
    DemoNc(
        title="Security awareness completion below target for the second quarter running",
        description="Management review: 71% of staff completed the yearly security and AI-use awareness module "
        "against a target of 95%, after 74% the quarter before.",
        source="management_review",
        source_ref="Management review, spring",
        kind="minor",
        days_ago=130,
        owner="hannah.okafor",
        raised_by="oliver.grant",
        requirements=("iso27001:2022:7.3", "iso42001:2023:7.3"),
        templates=("competence-training-awareness",),
        correction="Reminders sent to every person who had not completed the module.",
        whys=(
            "People did not complete the module",
            "It took 90 minutes and could not be paused",
            "It was bought as one block and never split",
        ),
        root_cause="A long, unpausable module that nobody was accountable for completing.",
        actions=(
            Action(
                "Send monthly reminders to managers.",
                "sam.whitaker",
                due=30,
                done=20,
                note="Reminders set up.",
            ),
        ),
        checks=(
            Check(
                after=80,
                effective=False,
                by="mara.lindqvist",
                looked_at="Completion at 76% after two months of reminders.",
                note="Reminders alone do not fix a module people cannot finish.",
            ),
        ),
        more_actions=(
            Action(
                "Split the module into four 20-minute parts and make completion part of managers' objectives.",
                "hannah.okafor",
                due=150,
            ),
        ),
    ),
    DemoNc(
        title="A contractor's access outlived the contract by five days",
        description="The access review found a data-labelling contractor whose cloud and labelling-tool accounts "
        "stayed active five days after the contract ended: contractors are not in the HR system, so the new "
        "leaving-date event never fires for them.",
        source="internal_audit",
        source_ref="Quarterly access review",
        kind="minor",
        days_ago=6,
        owner="tomasz.nowak",
        raised_by="isla.murray",
        requirements=("iso27001:2022:A.5.18",),
        templates=("leaver-and-mover-process",),
        recurrence_of="Leavers kept access to the production cloud for up to nine days",
    ),
]


def load_demo_improvement(
    actor: Actor, say: Callable[[str], None], integrated: ManagementSystem, people: dict[str, User]
) -> None:
    """Raise and work the demo's nonconformities through the services."""
    say(f"Recording {len(NONCONFORMITIES)} nonconformities and their corrective actions ...")
    today = timezone.localdate()
    systems = {integrated.short_name: integrated}
    by_title: dict[str, Nonconformity] = {}
    for spec in NONCONFORMITIES:
        raised = today - dt.timedelta(days=spec.days_ago)
        controls = [
            c
            for key in spec.templates
            if (c := Control.objects.filter(template__key=key).order_by("ref_id").first()) is not None
        ]
        nc = services.raise_nonconformity(
            actor,
            organisation=None,
            title=spec.title,
            description=spec.description,
            source=spec.source,
            source_ref=spec.source_ref,
            kind=spec.kind,
            management_systems=[systems.get(s, s) for s in spec.systems],
            requirements=list(spec.requirements),
            controls=controls,
            owner=people[spec.owner],
            raised_by=people[spec.raised_by],
            raised_on=raised,
            recurrence_of=by_title[spec.recurrence_of] if spec.recurrence_of else None,
        )
        by_title[spec.title] = nc
        _work(actor, nc, spec, raised, people, today)


def _on(raised: dt.date, days: int, today: dt.date) -> dt.date:
    return min(raised + dt.timedelta(days=days), today)


def _work(
    actor: Actor, nc: Nonconformity, spec: DemoNc, raised: dt.date, people: dict[str, User], today: dt.date
) -> None:
    if spec.correction:
        services.record_correction(
            actor, nc.pk, correction=spec.correction, corrected_on=_on(raised, 1, today)
        )
    if spec.root_cause:
        services.record_root_cause(
            actor,
            nc.pk,
            method="five_whys" if len(spec.whys) >= 2 else "free",
            whys=list(spec.whys),
            conclusion=spec.root_cause,
            analysed_on=_on(raised, 8, today),
        )
    for a in spec.actions:
        _action(actor, nc, a, raised, people, today)
    for c in spec.checks:
        services.record_effectiveness(
            actor,
            nc.pk,
            effective=c.effective,
            checked_by=people[c.by],
            checked_on=_on(raised, c.after, today),
            evidence_note=c.looked_at,
            note=c.note,
        )
    for a in spec.more_actions:
        _action(actor, nc, a, raised, people, today)
    if spec.close_after is not None:
        services.close_nonconformity(actor, nc.pk, closed_on=_on(raised, spec.close_after, today))


def _action(
    actor: Actor, nc: Nonconformity, a: Action, raised: dt.date, people: dict[str, User], today: dt.date
) -> None:
    made = actions.add_action(
        actor,
        nc.pk,
        description=a.description,
        owner=people[a.owner],
        due_on=raised + dt.timedelta(days=a.due),
    )
    if a.done is not None:
        actions.complete_action(actor, made.pk, done_on=_on(raised, a.done, today), note=a.note)
