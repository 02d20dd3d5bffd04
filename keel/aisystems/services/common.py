"""What the AI-system services share: the fields each record type accepts, reserved short names,
and the parsing of lists, roles and decimals."""

from __future__ import annotations

import decimal
from typing import Any

from keel.organisation.resolvers import Viewer
from keel.platform.errors import NotFound, ValidationFailed
from keel.suppliers import queries as supplier_queries

from ..choices import AIRole, LifecycleStage

SYSTEM_FIELDS = (
    "short_name",
    "name",
    "purpose",
    "intended_use",
    "foreseeable_misuse",
    "origin",
    "ai_roles",
    "owner",
    "users_description",
    "affected_people",
    "deployment_regions",
    "human_oversight",
    "third_party_components",
    "supplier",
)
MODEL_FIELDS = (
    "name",
    "model_type",
    "base_model",
    "base_model_supplier",
    "supplier",
    "description",
)
VERSION_FIELDS = ("label", "training_date", "notes")
DATASET_FIELDS = (
    "short_name",
    "name",
    "description",
    "owner",
    "source",
    "acquisition",
    "licence",
    "rights",
    "representativeness",
    "personal_data",
    "personal_data_notes",
    "may_train",
    "may_evaluate",
    "licence_scope",
    "deletion_method",
    "classification",
    "supplier",
)
METRIC_FIELDS = ("short_name", "name", "unit", "direction", "threshold", "evaluation_window", "description")
MEASURE_FIELDS = (
    "metric",
    "comparison",
    "criterion_value",
    "criterion",
    "result_value",
    "result",
    "passed",
    "performed_by",
    "performed_by_name",
    "performed_at",
    "notes",
)
PLACES = decimal.Decimal("0.000001")
# Short names that are page paths (/ai-systems/new/, /datasets/new/): refused as names.
RESERVED = frozenset({"new", "flags"})


def _not_reserved(obj: Any) -> None:
    if getattr(obj, "short_name", "") in RESERVED:
        raise ValidationFailed(
            f"{obj.short_name!r} is a reserved word; choose another short name.",
            {"short_name": ["Reserved."]},
        )


STAGE_ORDER = [s.value for s in LifecycleStage]


def _list(value: Any, field: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [v for v in (p.strip() for p in value.replace("\n", ",").split(",")) if v]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValidationFailed(f"{field} is a list of words.", {field: ["A list of text values."]})
    return list(dict.fromkeys(v.strip() for v in value if v.strip()))


def _roles(value: Any) -> list[str]:
    roles = _list(value, "ai_roles")
    unknown = [r for r in roles if r not in AIRole.values]
    if unknown:
        raise ValidationFailed(
            f"Unknown AI role(s): {', '.join(unknown)}. Known (ISO/IEC 22989): {', '.join(AIRole.values)}.",
            {"ai_roles": ["Unknown role."]},
        )
    return roles


def _same_set(data: dict[str, Any], obj: Any, *fields: str) -> None:
    """A list field given with the same values in another order (a form posts them in its own
    order) is no change: keep the stored list, so saving unchanged writes nothing."""
    for name in fields:
        if name in data and sorted(data[name]) == sorted(getattr(obj, name)):
            data[name] = getattr(obj, name)


def _decimal(value: Any, field: str) -> decimal.Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = decimal.Decimal(str(value).strip())
    except decimal.InvalidOperation:
        raise ValidationFailed(
            f"{field} must be a number, not {value!r}.", {field: ["Not a number."]}
        ) from None
    if not number.is_finite():
        raise ValidationFailed(f"{field} must be a finite number.", {field: ["Not a finite number."]})
    if abs(number) >= decimal.Decimal(10) ** 14:
        raise ValidationFailed(
            f"{field} is too large (at most 14 digits before the point).", {field: ["Too large."]}
        )
    return number.quantize(PLACES, rounding=decimal.ROUND_HALF_EVEN)


def resolve_supplier(data: dict[str, Any], who: Viewer) -> None:
    """Turn ``data["supplier"]`` (a supplier's id or ``SUP-nnn``, within ``who``'s perimeter;
    empty or ``None``: no supplier) into the Supplier, in place. Unknown: a 422 on ``supplier``."""
    if "supplier" not in data:
        return
    ref = data["supplier"]
    if ref is None or (isinstance(ref, str) and not ref.strip()):
        data["supplier"] = None
        return
    try:
        data["supplier"] = supplier_queries.get_supplier(who, ref)
    except NotFound as exc:
        raise ValidationFailed(exc.message, {"supplier": ["Unknown supplier."]}) from None
