"""Write-side services of risk management: one transaction each, each records its trail entry.

Approval rules (docs/risks.md, docs/adr/0012):

- the risk owner or the named delegate approves the treatment plan and accepts the residual
  risk (with ``accept_risks`` over the risk's management system);
- the approval records the residual values, the plan version and the controls it relied on;
  any later change to one of them voids it;
- a residual level above the acceptance criteria is accepted only through an exception with a
  reason, an expiry date and a second approver — a different person with ``edit_risks``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from keel.aisystems.models import AISystem
from keel.assets.models import Asset
from keel.controls.models import Control
from keel.controls.queries import control_ref
from keel.organisation import resolvers as organisation_resolvers
from keel.organisation.models import ManagementSystem
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version, next_ref
from keel.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from keel.platform.models import RefSequence, User
from keel.platform.permissions import Perm, check, has_perm
from keel.platform.records import apply_fields, clean, reject_control_characters
from keel.standards.choices import EntryKind
from keel.standards.models import Requirement

from .choices import Acceptance, ApprovalState, Register, RiskStatus
from .methodology import clean_methodology
from .models import Methodology, Risk, RiskApproval, RiskSnapshot, TreatmentAction

COMMON_FIELDS = (
    "title",
    "description",
    "owner",
    "delegate",
    "inherent_likelihood",
    "inherent_impact",
    "treatment_option",
    "treatment_plan",
    "residual_likelihood",
    "residual_impact",
    "review_date",
)
IS_FIELDS = (
    "asset",
    "process",
    "threat",
    "vulnerability",
    "affects_confidentiality",
    "affects_integrity",
    "affects_availability",
)
AI_FIELDS = ("ai_system", "risk_source", "objective", "affected_people")
PLAN_FIELDS = ("treatment_option", "treatment_plan")
TRAIL_FIELDS = (
    *COMMON_FIELDS,
    *IS_FIELDS,
    *AI_FIELDS,
    "inherent_level",
    "residual_level",
    "plan_version",
    "status",
    "acceptance",
    "management_system",
)
PREFIX = {Register.IS: "IS", Register.AI: "AI"}


# ---------------------------------------------------------------- methodology


def _serialise(name: str) -> None:
    """Queue the writers of ``name`` (until the transaction ends) on a lock row, for creates that
    check "is there one already?" or "what is the last version?" before inserting."""
    RefSequence.objects.bulk_create([RefSequence(prefix=name, last=0)], ignore_conflicts=True)
    RefSequence.objects.select_for_update().get(prefix=name)


def current_methodology() -> Methodology:
    m = Methodology.objects.order_by("-version").first()
    if m is None:
        raise ValidationFailed(
            "No risk methodology yet: create one first (Risks → Methodology, or POST /api/v1/risk-methodologies).",
            {"methodology": ["No methodology."]},
        )
    return m


def get_methodology(ref: uuid.UUID | str | int) -> Methodology:
    try:
        return Methodology.objects.get(version=int(str(ref)))
    except (ValueError, Methodology.DoesNotExist):
        pass
    try:
        return Methodology.objects.get(pk=uuid.UUID(str(ref)))
    except (ValueError, ValidationError, Methodology.DoesNotExist):
        raise NotFound(f"No risk methodology {ref!r}: give its version number or id.") from None


def create_methodology(actor: Actor, **data: Any) -> Methodology:
    """Create the next version of the methodology. Older versions stay as they are, and the
    risks assessed under them keep them until they are re-assessed."""
    check(actor, Perm.EDIT_RISKS)
    reject_control_characters({k: v for k, v in data.items() if isinstance(v, str)})
    unknown = set(data) - {"name", "note", "likelihood", "impact", "levels", "matrix", "max_exception_days"}
    if unknown:
        raise ValidationFailed(
            f"Unknown field(s): {', '.join(sorted(unknown))}.", {k: ["Unknown field."] for k in unknown}
        )
    values = clean_methodology(data)
    with transaction.atomic():
        _serialise("methodology")  # even the first version, which has no row to lock yet
        last = Methodology.objects.order_by("-version").first()
        m = Methodology.objects.create(
            version=(last.version + 1) if last else 1, created_by=actor.user, **values
        )
        trail.record(
            actor,
            TrailAction.CREATE,
            m,
            changes={"version": [None, m.version], **{k: [None, v] for k, v in values.items()}},
        )
    return m


# ---------------------------------------------------------------- lookups


def get_risk(ref: uuid.UUID | str, lock: bool = False) -> Risk:
    qs = Risk.objects.select_related("methodology", "owner", "delegate", "management_system")
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=uuid.UUID(str(ref)))
    except (ValueError, ValidationError, Risk.DoesNotExist):
        pass
    risk = qs.filter(ref_id=str(ref).upper()).first()
    if risk is None:
        raise NotFound(f"No risk {ref!r}: give its id or reference (e.g. IS-004).")
    return risk


def next_ref_id(register: str) -> str:
    """Reserve the next ``IS-nnn`` or ``AI-nnn`` (inside the service's transaction)."""
    return next_ref(Risk, f"{PREFIX[Register(register)]}-")


def _requirement(value: Any, kind: str, field: str) -> Requirement | None:
    if value in (None, ""):
        return None
    if isinstance(value, Requirement):
        req: Requirement | None = value
    else:
        req = Requirement.objects.filter(key=str(value)).first()
    label = "Annex C risk source" if kind == EntryKind.ANNEX_C_RISK_SOURCE else "Annex C objective"
    if req is None or req.kind != kind:
        known = ", ".join(
            Requirement.objects.filter(kind=kind).order_by("sort_order").values_list("key", flat=True)[:12]
        )
        raise ValidationFailed(
            f"{value!r} is not an ISO/IEC 42001 {label}. Choose one of: {known}.",
            {field: [f"Not an {label}."]},
        )
    return req


def _resolve(data: dict[str, Any], actor: Actor, ms: ManagementSystem) -> dict[str, Any]:
    """Turn references (emails, asset refs, AI-system short names, requirement keys) into rows:
    each within the actor's perimeter (outside it is "not found") and the risk's management
    system (another system's asset or AI system is refused; people need a role there)."""
    out = dict(data)
    for name in ("owner", "delegate"):
        if name in out:
            out[name] = organisation_resolvers.user_by_email(out[name], name, management_system=ms)
    v = out.get("asset")
    if isinstance(v, str | uuid.UUID | Asset) and str(v).strip():
        asset = organisation_resolvers.record(
            organisation_resolvers.in_perimeter(Asset.objects.all(), actor),
            v,
            label="asset",
            example="AS-004",
            field="asset",
        )
        organisation_resolvers.same_system(ms, [asset.management_system_id], what="asset", field="asset")
        out["asset"] = asset
    elif isinstance(v, str):
        out["asset"] = None
    v = out.get("ai_system")
    if isinstance(v, str | uuid.UUID | AISystem) and str(v).strip():
        system = organisation_resolvers.record(
            organisation_resolvers.in_perimeter(AISystem.objects.all(), actor),
            v,
            label="AI system",
            example="credit-scoring",
            field="ai_system",
            ref_field="short_name",
        )
        organisation_resolvers.same_system(
            ms, [system.management_system_id], what="AI system", field="ai_system"
        )
        out["ai_system"] = system
    elif isinstance(v, str):
        out["ai_system"] = None
    if "risk_source" in out:
        out["risk_source"] = _requirement(out["risk_source"], EntryKind.ANNEX_C_RISK_SOURCE, "risk_source")
    if "objective" in out:
        out["objective"] = _requirement(out["objective"], EntryKind.ANNEX_C_OBJECTIVE, "objective")
    return out


def _is_uuid(v: Any) -> bool:
    try:
        uuid.UUID(str(v))
    except ValueError:
        return False
    return True


def _controls(refs: Iterable[str | uuid.UUID], actor: Actor) -> list[Control]:
    """Controls by id or ``KC-nnn`` within the actor's perimeter (outside it: "not found"). A
    risk may be treated by a control of another system the actor can see (the demo's risks
    are treated by the integrated system's controls)."""
    out: dict[uuid.UUID, Control] = {}
    for ref in dict.fromkeys(str(r) for r in refs):
        control = control_ref(ref, actor, "controls")
        out.setdefault(control.pk, control)
    return list(out.values())


# ---------------------------------------------------------------- scoring


def _score(risk: Risk) -> None:
    """Check the likelihood and impact against the risk's methodology version and set the levels."""
    m = risk.methodology
    n_l, n_i = len(m.likelihood), len(m.impact)
    errors: dict[str, list[str]] = {}
    for name, top in (
        ("inherent_likelihood", n_l),
        ("inherent_impact", n_i),
        ("residual_likelihood", n_l),
        ("residual_impact", n_i),
    ):
        v = getattr(risk, name)
        if v is None and name.startswith("residual"):
            continue
        if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= top:
            errors[name] = [f"Between 1 and {top} (methodology version {m.version})."]
    if (risk.residual_likelihood is None) != (risk.residual_impact is None):
        errors["residual_impact" if risk.residual_impact is None else "residual_likelihood"] = [
            "Give both residual likelihood and impact, or neither."
        ]
    if errors:
        raise ValidationFailed(
            "Likelihood and impact must be on the methodology's scales: "
            + "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()),
            errors,
        )
    risk.inherent_level = m.level_of(risk.inherent_likelihood, risk.inherent_impact)
    if risk.residual_likelihood is not None and risk.residual_impact is not None:
        risk.residual_level = m.level_of(risk.residual_likelihood, risk.residual_impact)
    else:
        risk.residual_level = ""


def _check_register(risk: Risk) -> None:
    if risk.register == Register.IS:
        if risk.asset is None and not risk.process.strip():
            raise ValidationFailed(
                "An information security risk concerns an asset or a process: give one.",
                {"asset": ["Give an asset or a process."]},
            )
    elif risk.ai_system is None:
        raise ValidationFailed("An AI risk concerns an AI system: choose it.", {"ai_system": ["Required."]})


def _snapshot(risk: Risk) -> dict[str, Any]:
    data = trail.snapshot(risk, TRAIL_FIELDS)
    data["methodology_version"] = risk.methodology.version
    data["controls"] = sorted(risk.controls.values_list("ref_id", flat=True)) if risk.pk else []
    return data


# ---------------------------------------------------------------- approval fingerprint


def fingerprint(risk: Risk, control_refs: Iterable[str] | None = None) -> dict[str, Any]:
    """What an approval relies on: the residual values, the plan version and the controls."""
    refs = control_refs if control_refs is not None else risk.controls.values_list("ref_id", flat=True)
    return {
        "methodology_version": risk.methodology.version,
        "residual_likelihood": risk.residual_likelihood,
        "residual_impact": risk.residual_impact,
        "residual_level": risk.residual_level,
        "plan_version": risk.plan_version,
        "controls": sorted(refs),
    }


def approval_fingerprint(a: RiskApproval) -> dict[str, Any]:
    return {
        "methodology_version": a.methodology_version,
        "residual_likelihood": a.residual_likelihood,
        "residual_impact": a.residual_impact,
        "residual_level": a.residual_level,
        "plan_version": a.plan_version,
        "controls": sorted(a.controls),
    }


def _void_if_changed(actor: Actor, risk: Risk) -> RiskApproval | None:
    """Void the approval in force (or awaiting its second approver) when what it relied on changed."""
    current = fingerprint(risk)
    voided = None
    for a in risk.approvals.filter(state__in=[ApprovalState.ACTIVE, ApprovalState.PENDING]):
        relied = approval_fingerprint(a)
        changed = sorted(k for k in relied if relied[k] != current[k])
        if not changed:
            continue
        old_state, a.state = a.state, ApprovalState.VOIDED
        a.voided_at = timezone.now()
        a.void_reason = "Changed since approval: " + ", ".join(k.replace("_", " ") for k in changed) + "."
        a.save(update_fields=["state", "voided_at", "void_reason"])
        trail.record(
            actor,
            TrailAction.UPDATE,
            a,
            management_system_id=risk.management_system_id,
            changes={"state": [old_state, ApprovalState.VOIDED], "void_reason": [None, a.void_reason]},
        )
        voided = a
    if voided is not None:
        Risk.objects.filter(pk=risk.pk).update(acceptance=Acceptance.VOIDED)
        risk.acceptance = Acceptance.VOIDED
    return voided


# ---------------------------------------------------------------- risks


def create_risk(
    actor: Actor,
    *,
    register: str,
    management_system: uuid.UUID | str,
    controls: Iterable[str | uuid.UUID] = (),
    ref_id: str = "",
    **data: Any,
) -> Risk:
    if register not in Register.values:
        raise ValidationFailed(
            "register is is (information security) or ai.", {"register": ["Choose is or ai."]}
        )
    ms = organisation_resolvers.management_system(management_system, organisation_resolvers.TRUSTED)
    check(actor, Perm.EDIT_RISKS, ms)
    allowed = (*COMMON_FIELDS, *(IS_FIELDS if register == Register.IS else AI_FIELDS))
    data = _resolve(data, actor, ms)
    with transaction.atomic():
        risk = Risk(register=register, management_system=ms, methodology=current_methodology())
        risk.ref_id = ref_id.strip().upper() or next_ref_id(register)
        apply_fields(risk, data, allowed)
        if risk.owner_id is None:
            raise ValidationFailed("Every risk has an owner: choose one.", {"owner": ["Required."]})
        _check_delegate(actor, risk, risk.owner, None)
        _score(risk)
        _check_register(risk)
        clean(risk, "risk")
        risk.save()
        risk.controls.set(_controls(controls, actor))
        trail.record(actor, TrailAction.CREATE, risk, changes=trail.diff({}, _snapshot(risk)))
    return risk


def update_risk(
    actor: Actor,
    ref: uuid.UUID | str,
    *,
    controls: Iterable[str | uuid.UUID] | None = None,
    reassess: bool = False,
    expected_version: str | None = None,
    **data: Any,
) -> Risk:
    """Change a risk. A change of the plan bumps its version; a change of what an approval
    relied on voids that approval. ``reassess`` moves the risk to the current methodology
    version (its scores are then checked against the new scales). The risk's row is locked
    first; ``expected_version`` (the version the person saw) makes a stale edit a conflict."""
    with transaction.atomic():
        risk = get_risk(ref, lock=True)
        check(actor, Perm.EDIT_RISKS, risk.management_system)
        check_version(risk, expected_version, risk.ref_id)
        if risk.status == RiskStatus.CLOSED:
            raise Conflict(f"{risk.ref_id} is closed: reopen it before changing it.")
        before = _snapshot(risk)
        allowed = (*COMMON_FIELDS, *(IS_FIELDS if risk.register == Register.IS else AI_FIELDS))
        data = _resolve(data, actor, risk.management_system)
        if "owner" in data and data["owner"] is None:
            raise ValidationFailed("Every risk has an owner: choose one.", {"owner": ["Required."]})
        owner_before, delegate_before = risk.owner, risk.delegate_id
        apply_fields(risk, data, allowed)
        _check_delegate(actor, risk, owner_before, delegate_before)
        if reassess:
            risk.methodology = current_methodology()
        _score(risk)
        _check_register(risk)
        if any(before[f] != trail.json_value(getattr(risk, f)) for f in PLAN_FIELDS):
            risk.plan_version += 1
        clean(risk, "risk")
        risk.save()
        if controls is not None:
            risk.controls.set(_controls(controls, actor))
        _void_if_changed(actor, risk)
        changes = trail.diff(before, _snapshot(risk))
        if changes:
            trail.record(actor, TrailAction.UPDATE, risk, changes=changes)
    return risk


def set_status(actor: Actor, ref: uuid.UUID | str, status: str) -> Risk:
    """Close a risk (it leaves the heat maps and the SoA) or reopen it."""
    if status not in RiskStatus.values:
        raise ValidationFailed("status is open or closed.", {"status": ["Choose open or closed."]})
    with transaction.atomic():
        risk = get_risk(ref, lock=True)
        check(actor, Perm.EDIT_RISKS, risk.management_system)
        if risk.status != status:
            old, risk.status = risk.status, status
            risk.save(update_fields=["status", "updated_at"])
            trail.record(actor, TrailAction.UPDATE, risk, changes={"status": [old, status]})
    return risk


# ---------------------------------------------------------------- treatment actions


def _bump_plan(actor: Actor, risk: Risk, what: str) -> None:
    risk.plan_version += 1
    risk.save(update_fields=["plan_version", "updated_at"])
    trail.record(
        actor,
        TrailAction.UPDATE,
        risk,
        changes={"plan_version": [risk.plan_version - 1, risk.plan_version], "plan": [None, what]},
    )
    _void_if_changed(actor, risk)


ACTION_FIELDS = ("title", "owner", "due_date", "status")


def add_action(actor: Actor, ref: uuid.UUID | str, **data: Any) -> TreatmentAction:
    with transaction.atomic():
        risk = get_risk(ref, lock=True)
        check(actor, Perm.EDIT_RISKS, risk.management_system)
        data = _resolve(data, actor, risk.management_system)
        action = TreatmentAction(risk=risk)
        apply_fields(action, data, ACTION_FIELDS)
        clean(action, "treatment action")
        action.save()
        trail.record(
            actor,
            TrailAction.CREATE,
            action,
            management_system_id=risk.management_system_id,
            changes=trail.diff({}, trail.snapshot(action, ACTION_FIELDS)),
        )
        _bump_plan(actor, risk, f"action added: {action.title}")
    return action


def update_action(
    actor: Actor, action_id: uuid.UUID | str, *, expected_version: str | None = None, **data: Any
) -> TreatmentAction:
    with transaction.atomic():
        found = TreatmentAction.objects.filter(pk=action_id).first() if _is_uuid(action_id) else None
        if found is None:
            raise NotFound(f"No treatment action {action_id}.")
        # the risk first (every plan write locks it), then the action read again under its lock
        risk = get_risk(found.risk_id, lock=True)
        action = TreatmentAction.objects.select_for_update().get(pk=found.pk)
        check(actor, Perm.EDIT_RISKS, risk.management_system)
        check_version(action, expected_version, f"The action {action.title}")
        before = trail.snapshot(action, ACTION_FIELDS)
        apply_fields(action, _resolve(data, actor, risk.management_system), ACTION_FIELDS)
        clean(action, "treatment action")
        action.save()
        changes = trail.diff(before, trail.snapshot(action, ACTION_FIELDS))
        if changes:
            trail.record(
                actor,
                TrailAction.UPDATE,
                action,
                management_system_id=risk.management_system_id,
                changes=changes,
            )
            # Progress on an action (its status) is not a change of the plan; anything else is.
            if set(changes) - {"status"}:
                _bump_plan(actor, risk, f"action changed: {action.title}")
    return action


# ---------------------------------------------------------------- approval, acceptance, exception


def may_accept(user: User | None, risk: Risk) -> bool:
    """The approval rule: the risk's owner or named delegate, holding ``accept_risks`` over its
    system, approves the plan and accepts the residual risk. Pages ask this to show the button;
    :func:`approve` enforces it."""
    return (
        user is not None
        and user.pk in {risk.owner_id, risk.delegate_id}
        and has_perm(user, Perm.ACCEPT_RISKS, risk.management_system)
    )


def may_second_approve(user: User | None, risk: Risk, pending: RiskApproval | None) -> bool:
    """The second approver of a pending exception: ``edit_risks`` over the risk's system and not
    the person who requested it (:func:`approve_exception` enforces it)."""
    return (
        user is not None
        and pending is not None
        and pending.state == ApprovalState.PENDING
        and pending.approved_by_id != user.pk
        and has_perm(user, Perm.EDIT_RISKS, risk.management_system)
    )


def may_name_delegate(actor: Actor, owner: User | None, delegate: User | None, risk: Risk) -> bool:
    """Naming, changing or removing a risk's delegate is the owner's act, or that of an
    authorised approver (``accept_risks`` over the risk's management system) naming someone
    other than themselves: nobody makes themselves the delegate of another person's risk.
    ``owner`` is the owner as stored before the change (the one being named, on create).
    Operators without a user (the CLI's operating-system user, system jobs) may."""
    user = actor.user
    if user is None:
        return True
    if not has_perm(user, Perm.ACCEPT_RISKS, risk.management_system):
        return False
    if owner is not None and user.pk == owner.pk:
        return True
    return delegate is None or delegate.pk != user.pk


def _check_delegate(actor: Actor, risk: Risk, owner: User | None, old_delegate_id: Any) -> None:
    if risk.delegate_id == old_delegate_id:
        return
    if not may_name_delegate(actor, owner, risk.delegate, risk):
        whose = owner.email if owner is not None else "the owner"
        raise PermissionDenied(
            f"Only the risk owner ({whose}), or another person who may accept risks in "
            f"{risk.management_system.short_name}, may name or change the delegate of "
            f"{risk.ref_id or 'a risk'}; nobody names themselves the delegate of another person's risk. "
            "Nothing was changed."
        )


def _check_approver(actor: Actor, risk: Risk) -> User:
    check(actor, Perm.ACCEPT_RISKS, risk.management_system)
    user = actor.user
    if user is None or not may_accept(user, risk):
        who = risk.owner.email + (f" or the delegate {risk.delegate.email}" if risk.delegate else "")
        raise PermissionDenied(
            f"Only the risk owner ({who}) may approve the treatment plan and accept the residual risk of {risk.ref_id}."
        )
    return user


def _ready(risk: Risk) -> None:
    if risk.status == RiskStatus.CLOSED:
        raise Conflict(f"{risk.ref_id} is closed: there is nothing to accept.")
    if not risk.treatment_option:
        raise ValidationFailed(
            f"Choose a treatment option for {risk.ref_id} before approving its plan.",
            {"treatment_option": ["Required."]},
        )
    if risk.residual_likelihood is None or risk.residual_impact is None:
        raise ValidationFailed(
            f"Assess the residual likelihood and impact of {risk.ref_id} before accepting it.",
            {"residual_likelihood": ["Required."], "residual_impact": ["Required."]},
        )


def _supersede(actor: Actor, risk: Risk, reason: str) -> None:
    for a in risk.approvals.filter(state__in=[ApprovalState.ACTIVE, ApprovalState.PENDING]):
        a.state, a.voided_at, a.void_reason = ApprovalState.VOIDED, timezone.now(), reason
        a.save(update_fields=["state", "voided_at", "void_reason"])


def _new_approval(risk: Risk, user: User, state: str, **extra: Any) -> RiskApproval:
    fp = fingerprint(risk)
    return RiskApproval.objects.create(
        risk=risk,
        state=state,
        approved_by=user,
        approved_at=timezone.now(),
        methodology_version=fp["methodology_version"],
        residual_likelihood=fp["residual_likelihood"],
        residual_impact=fp["residual_impact"],
        residual_level=fp["residual_level"],
        plan_version=fp["plan_version"],
        controls=fp["controls"],
        **extra,
    )


def approve_risk(actor: Actor, ref: uuid.UUID | str) -> RiskApproval:
    """The owner (or delegate) approves the plan and accepts the residual risk. Refused, with
    nothing changed, when the residual level is above the acceptance criteria."""
    with transaction.atomic():
        risk = get_risk(ref, lock=True)
        user = _check_approver(actor, risk)
        _ready(risk)
        m = risk.methodology
        if not m.acceptable(risk.residual_level):
            acceptable = ", ".join(lv["label"] for lv in m.levels if lv["acceptable"])
            raise Conflict(
                f"The residual risk of {risk.ref_id} is {m.level(risk.residual_level)['label']}, above the acceptance "
                f"criteria (acceptable: {acceptable}). Treat it further, or request an exception with a reason, "
                "an expiry date and a second approver."
            )
        _supersede(actor, risk, "Superseded by a new approval.")
        approval = _new_approval(risk, user, ApprovalState.ACTIVE)
        old, risk.acceptance = risk.acceptance, Acceptance.ACCEPTED
        risk.save(update_fields=["acceptance", "updated_at"])
        trail.record(
            actor,
            TrailAction.APPROVE,
            risk,
            changes={
                "acceptance": [old, risk.acceptance],
                "relied_on": [None, approval_fingerprint(approval)],
            },
        )
    return approval


def request_exception(
    actor: Actor, ref: uuid.UUID | str, *, reason: str, expires: dt.date | None
) -> RiskApproval:
    """The owner (or delegate) accepts a residual risk above the criteria by exception: it is
    in force only once a second approver, a different person, approves it."""
    reason = (reason or "").strip()
    reject_control_characters({"reason": reason})
    errors: dict[str, list[str]] = {}
    if not reason:
        errors["reason"] = ["Say why the risk is accepted above the criteria."]
    if expires is None:
        errors["expires"] = ["Give the date the exception ends."]
    elif expires <= timezone.localdate():
        errors["expires"] = ["The expiry date must be in the future."]
    if errors:
        raise ValidationFailed("An exception needs a reason and a future expiry date.", errors)
    with transaction.atomic():
        risk = get_risk(ref, lock=True)
        user = _check_approver(actor, risk)
        _ready(risk)
        longest = risk.methodology.max_exception_days
        if expires is not None and expires > timezone.localdate() + dt.timedelta(days=longest):
            latest = (timezone.localdate() + dt.timedelta(days=longest)).isoformat()
            raise ValidationFailed(
                f"An exception may run at most {longest} days under methodology version "
                f"{risk.methodology.version}: choose an expiry date on or before {latest}.",
                {"expires": [f"At most {longest} days from today (on or before {latest})."]},
            )
        if risk.methodology.acceptable(risk.residual_level):
            raise Conflict(
                f"The residual risk of {risk.ref_id} is within the acceptance criteria: approve it directly, no exception is needed."
            )
        lapsed = risk.approvals.filter(
            state=ApprovalState.ACTIVE, is_exception=True, exception_expires__lte=timezone.localdate()
        ).first()
        _supersede(
            actor,
            risk,
            f"The exception expired on {lapsed.exception_expires.isoformat()}; superseded by a new exception request."
            if lapsed is not None and lapsed.exception_expires
            else "Superseded by an exception request.",
        )
        approval = _new_approval(
            risk,
            user,
            ApprovalState.PENDING,
            is_exception=True,
            exception_reason=reason,
            exception_expires=expires,
        )
        old, risk.acceptance = risk.acceptance, Acceptance.EXCEPTION_PENDING
        risk.save(update_fields=["acceptance", "updated_at"])
        trail.record(
            actor,
            TrailAction.UPDATE,
            risk,
            changes={
                "acceptance": [old, risk.acceptance],
                "exception_reason": [None, reason],
                "exception_expires": [None, expires.isoformat() if expires else None],
            },
        )
    return approval


def approve_exception(actor: Actor, ref: uuid.UUID | str) -> RiskApproval:
    """The second approver of an exception: someone with ``edit_risks`` over the risk's
    management system who is not the person who requested it."""
    with transaction.atomic():
        risk = get_risk(ref, lock=True)
        check(actor, Perm.EDIT_RISKS, risk.management_system)
        pending = risk.approvals.filter(state=ApprovalState.PENDING).first()
        if pending is None:
            raise Conflict(f"{risk.ref_id} has no exception awaiting a second approver.")
        if actor.user is None:
            raise PermissionDenied("The second approver must be a named person (use --as EMAIL).")
        if actor.user.pk == pending.approved_by_id:
            raise PermissionDenied(
                f"The second approver must be a different person from the one who requested the exception ({pending.approved_by.email})."
            )
        pending.state, pending.second_approver, pending.second_approved_at = (
            ApprovalState.ACTIVE,
            actor.user,
            timezone.now(),
        )
        pending.save(update_fields=["state", "second_approver", "second_approved_at"])
        old, risk.acceptance = risk.acceptance, Acceptance.EXCEPTION
        risk.save(update_fields=["acceptance", "updated_at"])
        trail.record(
            actor,
            TrailAction.APPROVE,
            risk,
            changes={"acceptance": [old, risk.acceptance], "second_approver": [None, actor.user.email]},
        )
    return pending


# ---------------------------------------------------------------- snapshots


def take_snapshot(actor: Actor, register: str, cycle: str) -> RiskSnapshot:
    """Freeze a register (every risk, open or closed) for an assessment cycle."""
    from .queries import export_rows, risks

    check(actor, Perm.EDIT_RISKS)
    if register not in Register.values:
        raise ValidationFailed("register is is or ai.", {"register": ["Choose is or ai."]})
    cycle = " ".join((cycle or "").split())
    reject_control_characters({"cycle": cycle})
    if not cycle:
        raise ValidationFailed("Name the assessment cycle (e.g. 2026 Q4).", {"cycle": ["Required."]})
    with transaction.atomic():
        # two snapshots at once: the second finds the first and gets the conflict below
        _serialise(f"snapshot-{register}")
        if RiskSnapshot.objects.filter(register=register, cycle=cycle).exists():
            raise Conflict(
                f"There is already a snapshot of this register for {cycle!r}: snapshots never change."
            )
        rows = export_rows(risks(None, register=register, include_closed=True))
        snap = RiskSnapshot.objects.create(
            register=register,
            cycle=cycle,
            taken_by=actor.user,
            taken_at=timezone.now(),
            risk_count=len(rows),
            rows=rows,
        )
        trail.record(
            actor,
            TrailAction.CREATE,
            snap,
            changes={"register": [None, register], "cycle": [None, cycle], "risks": [None, len(rows)]},
        )
    return snap
