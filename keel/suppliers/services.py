"""Write-side services of the supplier register (docs/suppliers.md): suppliers and their
onboarding (request → due diligence → decision → contract → periodic review), contacts and
contracts. One transaction each: a permission check, a row lock (and the version the person saw)
on read-change-save, and a trail entry. Questionnaires are in :mod:`.questionnaires`,
assessments and the supplier's link in :mod:`.assessments`.

References come as the API and the CLI give them: a management system by id or short name, a
person by email or id (anyone of the directory, login or not), a supplier by id or ``SUP-nnn``,
a document by id or ``DOC-nnn``, evidence by id or ``EV-nnn``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from keel.documents import queries as document_queries
from keel.documents.models import Document
from keel.evidence import queries as evidence_queries
from keel.evidence.models import Evidence
from keel.organisation import resolvers
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version, next_ref
from keel.platform.errors import Conflict, NotFound, ValidationFailed
from keel.platform.permissions import Perm, check
from keel.platform.records import apply_fields, clean, reject_control_characters

from . import queries
from .choices import SupplierReviewOutcome, SupplierStatus
from .models import Supplier, SupplierContact, SupplierContract, SupplierReview

PREFIX = "SUP-"
SUPPLIER_FIELDS = (
    "management_system",
    "name",
    "kind",
    "criticality",
    "services",
    "website",
    "owner",
    "request_reason",
    "review_months",
    "next_review_on",
)
CONTRACT_FIELDS = (
    "title",
    "starts_on",
    "ends_on",
    "renewal_on",
    "notice_days",
    "document",
    "evidence",
    "notes",
)
TRAIL_FIELDS = (*SUPPLIER_FIELDS, "status", "decided_by", "decided_on", "decision_reason", "last_reviewed_on")

# the onboarding moves a person may make, from → to
MOVES: dict[str, tuple[str, ...]] = {
    SupplierStatus.REQUESTED: (SupplierStatus.DUE_DILIGENCE,),
    SupplierStatus.DUE_DILIGENCE: (SupplierStatus.APPROVED, SupplierStatus.REJECTED),
    SupplierStatus.APPROVED: (SupplierStatus.ACTIVE,),
    SupplierStatus.REJECTED: (SupplierStatus.DUE_DILIGENCE,),
    SupplierStatus.ACTIVE: (SupplierStatus.ENDED,),
    SupplierStatus.ENDED: (),
}


def today() -> dt.date:
    return timezone.localdate()


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (the 31st becomes the month's last day)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


# ---------------------------------------------------------------- resolution


def _resolve(actor: Actor, data: Mapping[str, Any], ms: Any = None) -> dict[str, Any]:
    out = dict(data)
    if "management_system" in out:
        out["management_system"] = resolvers.management_system(out["management_system"], resolvers.TRUSTED)
    if "owner" in out:
        out["owner"] = resolvers.user_by_email(out["owner"], "owner")
    for name in ("kind", "criticality"):
        if name in out and out[name] is not None:
            out[name] = str(getattr(out[name], "value", out[name]))
    return out


def _document(actor: Actor, ref: Any) -> Document | None:
    if ref in (None, ""):
        return None
    if isinstance(ref, Document):
        return ref
    qs = (
        document_queries.visible(Document.objects.all(), actor.user) if actor.user else Document.objects.all()
    )
    return resolvers.record(qs, ref, label="document", example="DOC-004", field="document")


def _evidence(actor: Actor, ref: Any) -> Evidence | None:
    if ref in (None, ""):
        return None
    if isinstance(ref, Evidence):
        return ref
    qs = (
        evidence_queries.visible(Evidence.objects.all(), actor.user) if actor.user else Evidence.objects.all()
    )
    return resolvers.record(qs, ref, label="evidence", example="EV-012", field="evidence")


def supplier_qs(actor: Actor | None = None) -> Any:
    qs = Supplier.objects.select_related("management_system", "owner")
    return qs if actor is None else resolvers.in_perimeter(qs, actor)


def get_supplier(actor: Actor, ref: uuid.UUID | str | Supplier, *, lock: bool = False) -> Supplier:
    """A supplier by id or ``SUP-nnn`` within the actor's perimeter (404 otherwise)."""
    found = queries.get_supplier(actor, ref)
    return Supplier.objects.select_for_update().get(pk=found.pk) if lock else found


def _repr(s: Supplier) -> str:
    return f"{s.ref_id} {s.name}"


# ---------------------------------------------------------------- suppliers


def request_supplier(
    actor: Actor, *, contacts: list[Mapping[str, Any]] | None = None, **data: Any
) -> Supplier:
    """Ask for a new supplier (status *requested*); the actor is the requester."""
    data = {k: v for k, v in data.items() if v is not None or k in ("owner", "next_review_on")}
    if not data.get("name") or not str(data["name"]).strip():
        raise ValidationFailed("Give the supplier's name.", {"name": ["Required."]})
    if not data.get("kind"):
        raise ValidationFailed("Choose what the supplier provides (kind).", {"kind": ["Required."]})
    with transaction.atomic():
        values = _resolve(actor, data)
        ms = values.get("management_system")
        if ms is None:
            raise ValidationFailed("Choose the management system.", {"management_system": ["Required."]})
        check(actor, Perm.EDIT_SUPPLIERS, ms)
        supplier = Supplier(ref_id=next_ref(Supplier, PREFIX), requested_on=today(), requested_by=actor.user)
        apply_fields(supplier, values, SUPPLIER_FIELDS)
        supplier.name = supplier.name.strip()
        clean(supplier, "supplier")
        supplier.save()
        for c in contacts or []:
            _add_contact(supplier, c)
        trail.record(
            actor, TrailAction.CREATE, supplier, object_repr=_repr(supplier), changes=_snap(supplier, None)
        )
    return supplier


def _snap(s: Supplier, before: Mapping[str, Any] | None) -> dict[str, Any]:
    after = trail.snapshot(s, TRAIL_FIELDS)
    return trail.diff(before or {}, after)


def update_supplier(
    actor: Actor, ref: uuid.UUID | str, data: Mapping[str, Any], *, version: str | None = None
) -> Supplier:
    """Change a supplier's details (not its onboarding status: :func:`move`)."""
    with transaction.atomic():
        supplier = get_supplier(actor, ref, lock=True)
        check(actor, Perm.EDIT_SUPPLIERS, supplier.management_system_id)
        check_version(supplier, version, _repr(supplier))
        values = _resolve(actor, data)
        if "management_system" in values:
            check(actor, Perm.EDIT_SUPPLIERS, values["management_system"])
        before = trail.snapshot(supplier, TRAIL_FIELDS)
        apply_fields(supplier, values, SUPPLIER_FIELDS)
        clean(supplier, "supplier")
        changes = trail.diff(before, trail.snapshot(supplier, TRAIL_FIELDS))
        if changes:
            supplier.save()
            trail.record(actor, TrailAction.UPDATE, supplier, object_repr=_repr(supplier), changes=changes)
    return supplier


def move(actor: Actor, ref: uuid.UUID | str, to: str, *, reason: str = "") -> Supplier:
    """One step of the onboarding workflow. Approving or rejecting is a decision: it needs
    ``approve_suppliers``, a reason when rejecting, and someone other than the requester.
    Putting a supplier under contract needs a contract on record; it sets the next review."""
    to = str(getattr(to, "value", to))
    if to not in SupplierStatus.values:
        raise ValidationFailed(
            f"{to!r} is not a supplier status: one of {', '.join(SupplierStatus.values)}.",
            {"status": ["Unknown status."]},
        )
    reject_control_characters({"reason": reason})
    reason = reason.strip()
    with transaction.atomic():
        supplier = get_supplier(actor, ref, lock=True)
        deciding = to in (SupplierStatus.APPROVED, SupplierStatus.REJECTED)
        check(
            actor, Perm.APPROVE_SUPPLIERS if deciding else Perm.EDIT_SUPPLIERS, supplier.management_system_id
        )
        if to not in MOVES[supplier.status]:
            allowed = ", ".join(SupplierStatus(s).label.lower() for s in MOVES[supplier.status]) or "nothing"
            raise Conflict(
                f"{supplier.ref_id} is {supplier.get_status_display().lower()}: it can move to {allowed}, "
                f"not to {SupplierStatus(to).label.lower()}.",
                {"status": ["Not allowed from the current status."]},
            )
        before = trail.snapshot(supplier, TRAIL_FIELDS)
        if deciding:
            if actor.user is not None and supplier.requested_by_id == actor.user.pk:
                raise Conflict(
                    f"{actor.label} requested {supplier.ref_id} and cannot also decide on it: "
                    "someone else with the right to approve suppliers decides.",
                    {"decided_by": ["The requester cannot decide."]},
                )
            if to == SupplierStatus.REJECTED and not reason:
                raise ValidationFailed(
                    "Give the reason for rejecting the supplier.", {"reason": ["Required when rejecting."]}
                )
            supplier.decided_by = actor.user
            supplier.decided_on = today()
            supplier.decision_reason = reason
        if to == SupplierStatus.ACTIVE:
            if not supplier.contracts.exists():
                raise Conflict(
                    f"Record {supplier.ref_id}'s contract before putting it under contract.",
                    {"contracts": ["No contract recorded."]},
                )
            if supplier.next_review_on is None:
                supplier.next_review_on = add_months(today(), supplier.review_months)
        supplier.status = to
        supplier.save()
        trail.record(
            actor,
            TrailAction.UPDATE,
            supplier,
            object_repr=_repr(supplier),
            changes=trail.diff(before, trail.snapshot(supplier, TRAIL_FIELDS)),
        )
    return supplier


def record_review(
    actor: Actor, ref: uuid.UUID | str, *, outcome: str, notes: str = "", reviewed_on: dt.date | None = None
) -> SupplierReview:
    """A periodic review of a supplier under contract: sets the next review date (or ends the
    relationship when that is the outcome)."""
    outcome = str(getattr(outcome, "value", outcome))
    if outcome not in SupplierReviewOutcome.values:
        raise ValidationFailed(
            f"outcome is one of {', '.join(SupplierReviewOutcome.values)}.", {"outcome": ["Unknown outcome."]}
        )
    on = reviewed_on or today()
    if on > today():
        raise ValidationFailed("A review cannot be dated in the future.", {"reviewed_on": ["In the future."]})
    reject_control_characters({"notes": notes})
    with transaction.atomic():
        supplier = get_supplier(actor, ref, lock=True)
        check(actor, Perm.EDIT_SUPPLIERS, supplier.management_system_id)
        if supplier.status != SupplierStatus.ACTIVE:
            raise Conflict(
                f"{supplier.ref_id} is {supplier.get_status_display().lower()}: only a supplier under contract "
                "is reviewed periodically.",
                {"status": ["Not under contract."]},
            )
        if actor.user is None:
            raise ValidationFailed("A review is recorded by a person: use --as.", {"reviewer": ["Required."]})
        before = trail.snapshot(supplier, TRAIL_FIELDS)
        review = SupplierReview.objects.create(
            supplier=supplier, reviewed_on=on, reviewer=actor.user, outcome=outcome, notes=notes.strip()
        )
        supplier.last_reviewed_on = on
        if outcome == SupplierReviewOutcome.END:
            supplier.status = SupplierStatus.ENDED
            supplier.next_review_on = None
        else:
            supplier.next_review_on = add_months(on, supplier.review_months)
        supplier.save()
        trail.record(
            actor,
            TrailAction.UPDATE,
            supplier,
            object_repr=f"{_repr(supplier)} reviewed: {review.get_outcome_display()}",
            changes=trail.diff(before, trail.snapshot(supplier, TRAIL_FIELDS)),
        )
    return review


# ---------------------------------------------------------------- contacts


def _add_contact(supplier: Supplier, data: Mapping[str, Any]) -> SupplierContact:
    contact = SupplierContact(supplier=supplier)
    apply_fields(
        contact, {k: v for k, v in data.items() if k in ("name", "email", "role")}, ("name", "email", "role")
    )
    contact.name = contact.name.strip()
    if not contact.name:
        raise ValidationFailed("Give the contact's name.", {"contacts": ["A contact needs a name."]})
    clean(contact, "contact", exclude=["supplier"])
    contact.save()
    return contact


def add_contact(
    actor: Actor, ref: uuid.UUID | str, *, name: str, email: str = "", role: str = ""
) -> SupplierContact:
    """A person at the supplier (not a Keel user)."""
    with transaction.atomic():
        supplier = get_supplier(actor, ref, lock=True)
        check(actor, Perm.EDIT_SUPPLIERS, supplier.management_system_id)
        contact = _add_contact(supplier, {"name": name, "email": email, "role": role})
        trail.record(
            actor,
            TrailAction.CREATE,
            contact,
            object_repr=f"{supplier.ref_id} contact {contact.name}",
            changes={
                "name": [None, contact.name],
                "email": [None, contact.email],
                "role": [None, contact.role],
            },
            management_system_id=supplier.management_system_id,
        )
    return contact


def remove_contact(actor: Actor, ref: uuid.UUID | str, contact_id: uuid.UUID | str) -> None:
    with transaction.atomic():
        supplier = get_supplier(actor, ref, lock=True)
        check(actor, Perm.EDIT_SUPPLIERS, supplier.management_system_id)
        contact = supplier.contacts.filter(pk=resolvers.as_uuid(contact_id)).first()
        if contact is None:
            raise NotFound(f"{supplier.ref_id} has no such contact.")
        trail.record(
            actor,
            TrailAction.DELETE,
            contact,
            object_repr=f"{supplier.ref_id} contact {contact.name}",
            changes={"name": [contact.name, None]},
            management_system_id=supplier.management_system_id,
        )
        contact.delete()


# ---------------------------------------------------------------- contracts


def _contract_values(actor: Actor, data: Mapping[str, Any]) -> dict[str, Any]:
    values = dict(data)
    if "document" in values:
        values["document"] = _document(actor, values["document"])
    if "evidence" in values:
        values["evidence"] = _evidence(actor, values["evidence"])
    return values


def add_contract(actor: Actor, ref: uuid.UUID | str, **data: Any) -> SupplierContract:
    """A contract with the supplier, with its renewal date, notice period and signed copy."""
    if not str(data.get("title") or "").strip():
        raise ValidationFailed("Give the contract's title.", {"title": ["Required."]})
    if not data.get("starts_on"):
        raise ValidationFailed("Give the day the contract starts.", {"starts_on": ["Required."]})
    with transaction.atomic():
        supplier = get_supplier(actor, ref, lock=True)
        check(actor, Perm.EDIT_SUPPLIERS, supplier.management_system_id)
        contract = SupplierContract(supplier=supplier)
        apply_fields(contract, _contract_values(actor, data), CONTRACT_FIELDS)
        _check_contract(contract)
        clean(contract, "contract")
        contract.save()
        trail.record(
            actor,
            TrailAction.CREATE,
            contract,
            object_repr=f"{supplier.ref_id} contract {contract.title}",
            changes=trail.diff({}, trail.snapshot(contract, CONTRACT_FIELDS)),
            management_system_id=supplier.management_system_id,
        )
    return contract


def _check_contract(c: SupplierContract) -> None:
    if c.ends_on and c.ends_on < c.starts_on:
        raise ValidationFailed(
            f"The contract ends ({c.ends_on.isoformat()}) before it starts ({c.starts_on.isoformat()}).",
            {"ends_on": ["Before the start."]},
        )
    if c.renewal_on and c.renewal_on < c.starts_on:
        raise ValidationFailed(
            f"The renewal date ({c.renewal_on.isoformat()}) is before the contract starts.",
            {"renewal_on": ["Before the start."]},
        )


def update_contract(
    actor: Actor, contract_id: uuid.UUID | str, data: Mapping[str, Any], *, version: str | None = None
) -> SupplierContract:
    with transaction.atomic():
        pk = resolvers.as_uuid(contract_id)
        found = SupplierContract.objects.filter(
            pk=pk, supplier__in=resolvers.in_perimeter(Supplier.objects.all(), actor)
        ).first()
        if pk is None or found is None:
            raise NotFound("No such supplier contract.")
        contract = SupplierContract.objects.select_for_update().select_related("supplier").get(pk=found.pk)
        check(actor, Perm.EDIT_SUPPLIERS, contract.supplier.management_system_id)
        check_version(contract, version, contract.title)
        before = trail.snapshot(contract, CONTRACT_FIELDS)
        apply_fields(contract, _contract_values(actor, data), CONTRACT_FIELDS)
        _check_contract(contract)
        clean(contract, "contract")
        changes = trail.diff(before, trail.snapshot(contract, CONTRACT_FIELDS))
        if changes:
            contract.save()
            trail.record(
                actor,
                TrailAction.UPDATE,
                contract,
                object_repr=f"{contract.supplier.ref_id} contract {contract.title}",
                changes=changes,
                management_system_id=contract.supplier.management_system_id,
            )
    return contract
