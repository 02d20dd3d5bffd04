"""Inputs about the system's context (9.3.2 a–c): the actions of earlier reviews, changes in
internal and external issues, changes in interested parties' needs and expectations. Changes
are read from the audit trail, so additions, edits and removals since the period start all
count."""

from __future__ import annotations

from collections import Counter

from django.db.models import Q

from keel.organisation.models import ContextIssue, InterestedParty
from keel.platform.choices import TrailAction
from keel.platform.models import TrailEntry

from ..choices import ReviewActionStatus
from ..models import ReviewAction
from .base import Ctx, Figures

ACTION_TONE = {
    ReviewActionStatus.DONE: "ok",
    ReviewActionStatus.OPEN: "warn",
    ReviewActionStatus.CANCELLED: "neutral",
}


def previous_actions(ctx: Ctx) -> Figures:
    """Actions of earlier reviews still open, or closed since the period start."""
    qs = (
        ReviewAction.objects.filter(review__organisation=ctx.organisation)
        .filter(
            Q(status=ReviewActionStatus.OPEN)
            | Q(done_on__gte=ctx.period_start)
            | Q(updated_at__date__gte=ctx.period_start)
        )
        .select_related("owner", "review")
        .order_by("due_on", "ref_id")
    )
    if ctx.review_id is not None:
        qs = qs.exclude(review_id=ctx.review_id)
    actions = list(qs)
    by = Counter(a.status for a in actions)
    overdue = [a for a in actions if a.status == ReviewActionStatus.OPEN and a.due_on < ctx.today]
    if not actions:
        return Figures(summary="No actions from earlier management reviews to report.")
    f = Figures(
        summary=f"{len(actions)} actions from earlier reviews: {by[ReviewActionStatus.DONE]} done, "
        f"{by[ReviewActionStatus.OPEN]} open ({len(overdue)} overdue), {by[ReviewActionStatus.CANCELLED]} cancelled.",
        facts=[
            ("Done", by[ReviewActionStatus.DONE]),
            ("Open", by[ReviewActionStatus.OPEN]),
            ("Overdue", len(overdue)),
            ("Cancelled", by[ReviewActionStatus.CANCELLED]),
        ],
        columns=["Action", "From", "Owner", "Due", "Status"],
        rows=[
            [f"{a.ref_id} {a.title}", a.review.ref_id, a.owner.display_name, a.due_on, a.get_status_display()]
            for a in actions
        ],
        chart_title="Actions from earlier reviews",
    )
    for status in ReviewActionStatus:
        f.bar(status.label, by[status], ACTION_TONE[status])
    return f


def _changes(ctx: Ctx, model_label: str) -> tuple[dict[str, str], dict[str, str]]:
    """For records of ``model_label`` changed since the period start: id → what happened (added,
    changed, removed) and id → the name the trail last gave it."""
    happened: dict[str, str] = {}
    names: dict[str, str] = {}
    entries = TrailEntry.objects.filter(object_type=model_label, at__date__gte=ctx.period_start).order_by(
        "seq"
    )
    for e in entries.values("object_id", "action", "object_repr"):
        oid = e["object_id"]
        names[oid] = e["object_repr"]
        if e["action"] == TrailAction.CREATE:
            happened[oid] = "added"
        elif e["action"] == TrailAction.DELETE:
            happened[oid] = "removed" if happened.get(oid) != "added" else "added and removed"
        elif oid not in happened:
            happened[oid] = "changed"
    return happened, names


def _changed_figures(
    ctx: Ctx, model_label: str, what: str, current: dict[str, list[str]], total: int
) -> Figures:
    happened, names = _changes(ctx, model_label)
    by = Counter(happened.values())
    since = ctx.period_start.isoformat()
    if not happened:
        return Figures(
            summary=f"No {what} added, changed or removed since {since} ({total} recorded).",
            facts=[("Recorded", total), ("Added", 0), ("Changed", 0), ("Removed", 0)],
        )
    f = Figures(
        summary=f"{len(happened)} {what} added, changed or removed since {since}: {by['added']} added, "
        f"{by['changed']} changed, {by['removed']} removed ({total} recorded now).",
        facts=[
            ("Recorded", total),
            ("Added", by["added"]),
            ("Changed", by["changed"]),
            ("Removed", by["removed"]),
        ],
        columns=["Record", "What happened", *_detail_columns(model_label)],
        rows=[
            [names[oid], how, *current.get(oid, ["" for _ in _detail_columns(model_label)])]
            for oid, how in sorted(happened.items(), key=lambda kv: names[kv[0]].lower())
        ],
        chart_title=f"Changes in {what} since {since}",
    )
    f.bar("Added", by["added"], "neutral")
    f.bar("Changed", by["changed"], "warn")
    f.bar("Removed", by["removed"] + by["added and removed"], "bad")
    return f


def _detail_columns(model_label: str) -> list[str]:
    return ["Kind", "Effect"] if model_label == "organisation.contextissue" else ["Category"]


def context_issues(ctx: Ctx) -> Figures:
    issues = ContextIssue.objects.filter(organisation=ctx.organisation)
    current = {
        str(i.pk): [i.get_kind_display(), i.get_effect_display()] for i in issues.only("id", "kind", "effect")
    }
    return _changed_figures(
        ctx, "organisation.contextissue", "internal and external issues", current, len(current)
    )


def interested_parties(ctx: Ctx) -> Figures:
    parties = InterestedParty.objects.filter(organisation=ctx.organisation)
    current = {str(p.pk): [p.get_category_display()] for p in parties.only("id", "category")}
    f = _changed_figures(ctx, "organisation.interestedparty", "interested parties", current, len(current))
    overdue = parties.filter(review_date__lt=ctx.today).count()
    f.facts.append(("Past their review date", overdue))
    if overdue:
        f.notes.append(f"{overdue} interested parties are past their review date: their needs may be stale.")
    return f
