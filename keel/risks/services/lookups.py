"""Shared pieces of the risk services: field lists, lookups, reference resolution, scoring and
the trail snapshot of a risk."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError

from keel.aisystems.models import AISystem
from keel.assets.models import Asset
from keel.controls.models import Control
from keel.controls.queries import control_ref
from keel.organisation import resolvers as organisation_resolvers
from keel.organisation.models import ManagementSystem
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.concurrency import next_ref
from keel.platform.errors import NotFound, ValidationFailed
from keel.standards.choices import EntryKind
from keel.standards.models import Requirement

from ..choices import Register
from ..models import Risk

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
