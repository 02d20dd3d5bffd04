"""Write-side services of the gap analysis: a person confirms or corrects an inferred status
(a :class:`CoverageDecision`, with a reason), clears it, or turns the accepted result into a
draft Statement of Applicability. One transaction each, each writes the audit trail.

A person also confirms that a control's scope includes the target's management system for a
harmonised clause (:class:`ScopeConfirmation`): only then does a chain from another standard's
same clause count as covered.

Permissions: ``edit_soa`` over the management system for decisions and scope confirmations;
drafting the SoA also adds control links, so it needs ``edit_soa`` and ``edit_controls`` there.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from keel.controls.choices import Coverage
from keel.controls.models import Control, ControlLink
from keel.organisation import resolvers as organisation_resolvers
from keel.organisation.models import ManagementSystem
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.errors import Conflict, NotFound, ValidationFailed
from keel.platform.permissions import Perm, check
from keel.platform.records import reject_control_characters
from keel.soa import services as soa_services
from keel.standards.models import Requirement

from . import queries
from .choices import CoverageStatus, Strength
from .models import CoverageDecision, ScopeConfirmation

MACHINE_MARK = "[Machine-written by the gap analysis — a person must review it before approval]"
STATUS_LABELS = dict(CoverageStatus.choices)


def decide(
    actor: Actor,
    management_system: uuid.UUID | str | ManagementSystem,
    requirement: str,
    status: str,
    reason: str,
) -> CoverageDecision:
    """Confirm or correct the status of one requirement (creates or replaces the decision)."""
    ms = organisation_resolvers.management_system(management_system, organisation_resolvers.TRUSTED)
    check(actor, Perm.EDIT_SOA, ms)
    errors: dict[str, list[str]] = {}
    if status not in CoverageStatus.values:
        errors["status"] = [f"Choose one of {', '.join(CoverageStatus.values)}."]
    reject_control_characters({"reason": reason or "", "requirement": requirement or ""})
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = ["Say why: a confirmed or corrected status needs a reason."]
    if errors:
        summary = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())
        raise ValidationFailed(f"The decision is not valid — {summary}", errors)
    req = organisation_resolvers.requirement(requirement)
    if not ms.standards.filter(pk=req.standard_id).exists():
        raise ValidationFailed(
            f"{ms.name} does not cover {req.standard.key}.",
            {"requirement": ["Not in a standard of the system."]},
        )
    rep = queries.report(req.standard, ms)
    result = rep.result(req.key)
    with transaction.atomic():
        decision = (
            CoverageDecision.objects.select_for_update().filter(management_system=ms, requirement=req).first()
        )
        before = trail.snapshot(decision, ["confirmed_status", "reason"]) if decision else {}
        if decision is None:
            decision = CoverageDecision(management_system=ms, requirement=req)
        decision.confirmed_status = status
        decision.reason = reason
        decision.inferred_status = result.inference.status
        decision.decided_by = actor.user
        decision.decided_at = timezone.now()
        changes = trail.diff(before, {"confirmed_status": status, "reason": reason})
        if changes or decision._state.adding:
            try:
                with transaction.atomic():  # two first decisions at once: the later one is a conflict
                    decision.save()
            except IntegrityError:
                raise Conflict(
                    f"Someone else decided {req.key} for {ms.short_name} at the same moment, so nothing "
                    "was saved: look at their decision and change it if needed.",
                    {"status": ["Decided by someone else just now."]},
                ) from None
            trail.record(
                actor,
                TrailAction.CREATE if not before else TrailAction.UPDATE,
                decision,
                object_repr=f"Gap decision {req.key}"[:255],
                management_system_id=ms.pk,
                changes={**changes, "inferred_status": result.inference.status},
            )
    return decision


def clear_decision(
    actor: Actor, management_system: uuid.UUID | str | ManagementSystem, requirement: str
) -> None:
    """Remove a person's decision: the inferred status applies again."""
    ms = organisation_resolvers.management_system(management_system, organisation_resolvers.TRUSTED)
    check(actor, Perm.EDIT_SOA, ms)
    req = organisation_resolvers.requirement(requirement)
    with transaction.atomic():
        decision = (
            CoverageDecision.objects.select_for_update().filter(management_system=ms, requirement=req).first()
        )
        if decision is None:
            raise NotFound(f"No decision on {req.key} for {ms.name}.")
        trail.record(
            actor,
            TrailAction.DELETE,
            decision,
            object_repr=f"Gap decision {req.key}"[:255],
            management_system_id=ms.pk,
            changes=trail.diff(trail.snapshot(decision, ["confirmed_status", "reason"]), {}),
        )
        decision.delete()


def _control(ms: ManagementSystem, control: str) -> Control:
    return organisation_resolvers.record(
        Control.objects.filter(management_systems=ms),
        control,
        label="control of " + ms.short_name,
        example="KC-012",
        field="control",
    )


def scope_candidates(ms: ManagementSystem, target: Any, control: str | None = None) -> list[tuple[str, str]]:
    """(control reference, requirement key) of every chain the report holds back for want of a
    scope confirmation: what a person can confirm. ``target``: the target standard."""
    rep = queries.report(target, ms)
    out: list[tuple[str, str]] = []
    for r in rep.results:
        for c in r.inference.chains:
            if c.scope == "unconfirmed" and (
                control is None or c.link.control_ref.lower() == control.lower()
            ):
                out.append((c.link.control_ref, r.node.key))
    return list(dict.fromkeys(out))


def confirm_scope(
    actor: Actor,
    management_system: uuid.UUID | str | ManagementSystem,
    control: str,
    requirement: str | None,
    note: str,
    target: str | None = None,
) -> list[ScopeConfirmation]:
    """Record that ``control``'s scope includes the target's management system for the
    harmonised clause ``requirement`` (a key); without a requirement, for every clause of
    ``target`` where the gap analysis holds a chain of the control back for want of it.
    Confirming again only updates the note. Returns the confirmations written."""
    ms = organisation_resolvers.management_system(management_system, organisation_resolvers.TRUSTED)
    check(actor, Perm.EDIT_SOA, ms)
    reject_control_characters(
        {"note": note or "", "control": control or "", "requirement": requirement or ""}
    )
    note = (note or "").strip()
    if not note:
        raise ValidationFailed(
            "Say what shows the scope includes the management system (for example the audit programme "
            "that names the AIMS): a confirmation needs a note.",
            {"note": ["Required."]},
        )
    ctl = _control(ms, control)
    if requirement:
        req = organisation_resolvers.requirement(requirement)
        if not ms.standards.filter(pk=req.standard_id).exists():
            raise ValidationFailed(
                f"{ms.name} does not cover {req.standard.key}.", {"requirement": ["Not covered."]}
            )
        if req.kind != "clause" or req.hs_relation != "shared":
            raise ValidationFailed(
                f"{req.ref_id} is not a clause of the shared harmonised structure: scope confirmations are for "
                "clauses such as 9.2.2 or 7.2 that a process of another management system can serve.",
                {"requirement": ["Not a shared harmonised clause."]},
            )
        reqs = [req]
    else:
        if not target:
            raise ValidationFailed(
                "Name the clause to confirm, or the target standard to confirm every clause the control reaches.",
                {"requirement": ["Required without a target."]},
            )
        standard, ms = queries.resolve(target, str(ms.pk))
        keys = [k for ref, k in scope_candidates(ms, standard, ctl.ref_id)]
        if not keys:
            raise ValidationFailed(
                f"No chain of {ctl.ref_id} into a harmonised clause of {standard.key} waits for a scope "
                "confirmation: nothing to confirm.",
                {"control": ["Nothing to confirm."]},
            )
        reqs = list(Requirement.objects.filter(key__in=keys).order_by("sort_order"))
    written: list[ScopeConfirmation] = []
    with transaction.atomic():
        for req in reqs:
            row = (
                ScopeConfirmation.objects.select_for_update()
                .filter(management_system=ms, control=ctl, requirement=req)
                .first()
            )
            if row is not None and row.note == note:
                written.append(row)
                continue
            before = {"note": row.note} if row is not None else {}
            if row is None:
                row = ScopeConfirmation(management_system=ms, control=ctl, requirement=req)
            row.note = note
            row.confirmed_by = actor.user
            row.confirmed_at = timezone.now()
            try:
                with transaction.atomic():
                    row.save()
            except IntegrityError:
                raise Conflict(
                    f"Someone else confirmed {ctl.ref_id} for {req.key} at the same moment: look at their note.",
                    {"control": ["Confirmed by someone else just now."]},
                ) from None
            trail.record(
                actor,
                TrailAction.UPDATE if before else TrailAction.CREATE,
                row,
                object_repr=f"Scope of {ctl.ref_id} includes the system for {req.key}"[:255],
                management_system_id=ms.pk,
                changes=trail.diff(before, {"note": note})
                | ({} if before else {"control": [None, ctl.ref_id], "requirement": [None, req.key]}),
            )
            written.append(row)
    return written


def withdraw_scope(
    actor: Actor, management_system: uuid.UUID | str | ManagementSystem, control: str, requirement: str
) -> None:
    """Remove a scope confirmation: the chain is partial again ("extend to the AIMS")."""
    ms = organisation_resolvers.management_system(management_system, organisation_resolvers.TRUSTED)
    check(actor, Perm.EDIT_SOA, ms)
    ctl = _control(ms, control)
    req = organisation_resolvers.requirement(requirement)
    with transaction.atomic():
        row = (
            ScopeConfirmation.objects.select_for_update()
            .filter(management_system=ms, control=ctl, requirement=req)
            .first()
        )
        if row is None:
            raise NotFound(f"No scope confirmation of {ctl.ref_id} for {req.key} in {ms.name}.")
        trail.record(
            actor,
            TrailAction.DELETE,
            row,
            object_repr=f"Scope of {ctl.ref_id} includes the system for {req.key}"[:255],
            management_system_id=ms.pk,
            changes={"note": [row.note, None], "control": [ctl.ref_id, None], "requirement": [req.key, None]},
        )
        row.delete()


def _untouched(row: Any) -> bool:
    """A row no person has written in: the draft may write it."""
    return bool(
        row.machine_written
        or (
            row.applicable
            and not row.business_need.strip()
            and not row.obligations.strip()
            and not row.justification.strip()
            and not row.risks
        )
    )


def draft_soa(
    actor: Actor, management_system: uuid.UUID | str | ManagementSystem, target: str
) -> dict[str, Any]:
    """Turn the accepted gap result into a draft SoA for the target standard.

    For each Annex A row: covered and partly covered rows become applicable, the controls of
    their chains are linked to the Annex A control (coverage full for a full chain, partial
    otherwise, with the chain in the note); gaps stay applicable with the templates that would
    close them; a requirement a person confirmed not applicable is excluded. The reasons are
    machine-written and flagged: the SoA cannot be approved until a person has reviewed each
    such row. Rows a person has already written are left alone (only links are added)."""
    ms = organisation_resolvers.management_system(management_system, organisation_resolvers.TRUSTED)
    check(actor, Perm.EDIT_SOA, ms)
    check(actor, Perm.EDIT_CONTROLS, ms)
    standard, ms = queries.resolve(target, str(ms.pk))
    with transaction.atomic():
        soa = soa_services.create_soa(actor, ms.pk, standard.key)
        rep = queries.report(standard, ms)
        results = {r.node.id: r for r in rep.results}
        rows = list(soa.rows.filter(requirement__isnull=False).select_related("requirement"))
        refs = {link.control_ref for r in rep.results for c in r.inference.chains for link in [c.link]}
        controls = {c.ref_id: c for c in Control.objects.filter(ref_id__in=refs)}
        have = set(
            ControlLink.objects.filter(
                requirement_id__in=[r.requirement_id for r in rows], control__ref_id__in=refs
            ).values_list("control__ref_id", "requirement_id")
        )
        today = timezone.localdate().isoformat()
        written: list[str] = []
        kept: list[str] = []
        links_added: list[str] = []
        for row in rows:
            result = results.get(row.requirement_id)  # type: ignore[arg-type]
            if result is None or row.requirement is None:
                continue
            req = row.requirement
            status = result.status
            if status in (CoverageStatus.COVERED, CoverageStatus.PARTIAL):
                best: dict[str, Any] = {}
                for chain in result.inference.chains:
                    ref = chain.link.control_ref
                    if ref not in best or (
                        chain.strength == Strength.FULL and best[ref].strength != Strength.FULL
                    ):
                        best[ref] = chain
                for ref, chain in best.items():
                    if (ref, req.pk) in have or ref not in controls:
                        continue
                    link = ControlLink.objects.create(
                        control=controls[ref],
                        requirement=req,
                        coverage=Coverage.FULL if chain.strength == Strength.FULL else Coverage.PARTIAL,
                        note=f"From the gap analysis: {queries.chain_text(chain, rep.nodes)}"[:2000],
                    )
                    have.add((ref, req.pk))
                    links_added.append(f"{ref} → {req.ref_id}")
                    trail.record(
                        actor,
                        TrailAction.CREATE,
                        link,
                        object_repr=str(link)[:255],
                        management_system_id=ms.pk,
                        changes={
                            "control": [None, ref],
                            "requirement": [None, req.key],
                            "coverage": [None, link.coverage],
                            "source": [None, "gap analysis"],
                        },
                    )
            if not _untouched(row):
                kept.append(req.ref_id)
                continue
            before = (row.applicable, row.business_need, row.justification, row.machine_written)
            if status == CoverageStatus.NOT_APPLICABLE:
                if row.applicable:  # a person confirmed it not applicable in the gap analysis
                    reason = result.decision.reason if result.decision else ""
                    row.applicable = False
                    row.justification = (
                        f"{MACHINE_MARK} Confirmed not applicable in the gap analysis: {reason}"
                    )
                    row.machine_written = True
            else:
                row.applicable = True
                row.business_need = f"{MACHINE_MARK} {_inclusion_text(result, rep, today)}"
                row.machine_written = True
            if (row.applicable, row.business_need, row.justification, row.machine_written) != before:
                row.save()
                written.append(req.ref_id)
        trail.record(
            actor,
            TrailAction.UPDATE,
            soa,
            object_repr=f"SoA {standard.key} drafted from the gap analysis"[:255],
            management_system_id=ms.pk,
            changes={"drafted_from_gap": standard.key, "rows_written": written, "links_added": links_added},
        )
    return {
        "soa_id": str(soa.pk),
        "rows_written": written,
        "rows_kept": kept,
        "links_added": links_added,
    }


def _inclusion_text(result: queries.RequirementResult, rep: queries.GapReport, today: str) -> str:
    label = STATUS_LABELS[result.status]
    if result.status == CoverageStatus.GAP:
        names = ", ".join(f"{t['title']} (size {t['size']})" for t in result.templates[:3])
        close = f" Templates that would close it: {names}." if names else ""
        return (
            f"Gap analysis of {today}: {label.lower()} — no control of ours carries it yet.{close} "
            "Plan the control, or exclude the row with a justification."
        )
    chains = "; ".join(queries.chain_text(c, rep.nodes) for c in result.inference.chains[:3])
    more = len(result.inference.chains) - 3
    text = f"Gap analysis of {today}: {label.lower()} through {chains}"
    if more > 0:
        text += f" (and {more} more)"
    text += "."
    if result.extension:
        text += f" To cover in full: {result.extension}"
    if result.decision is not None:
        text += f" Confirmed by a person: {result.decision.reason}"
    return text
