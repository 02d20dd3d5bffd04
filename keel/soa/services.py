"""Write-side services of the Statement of Applicability: one transaction each, each records
its trail entry. Permissions: ``edit_soa`` to create an SoA and edit its rows, ``approve_soa``
(and a named person) to approve a version — both over the SoA's management system."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from keel.aisystems.models import AISystem
from keel.controls.models import Control
from keel.controls.services import get_control
from keel.organisation import resolvers as organisation_resolvers
from keel.organisation.models import ManagementSystem
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version
from keel.platform.errors import Conflict, NotFound, ValidationFailed
from keel.platform.models import User
from keel.platform.permissions import Perm, check
from keel.platform.records import apply_fields, clean
from keel.standards.choices import EntryKind
from keel.standards.models import Requirement
from keel.standards.records import standards_by_key
from keel.support.models import LegalRequirement

from . import queries, rules
from .choices import SoAStatus
from .models import SoARow, SoAVersion, StatementOfApplicability

ROW_FIELDS = (
    "applicable",
    "obligations",
    "business_need",
    "justification",
    "accountable",
    "review_date",
    "combined_coverage",
    "status_override",
    "override_reason",
    "target_date",
    "owner",
    "ai_systems",
    "legal_requirements",
)
ADDITIONAL_OFFSET = 100_000  # additional rows sort after every Annex A control


SCALAR_FIELDS = tuple(n for n in ROW_FIELDS if n not in ("ai_systems", "legal_requirements"))
M2M_FIELDS = ["soa", "requirement", "control", "ai_systems", "legal_requirements"]


def _row_snapshot(
    row: SoARow, systems: list[AISystem] | None = None, legal: list[LegalRequirement] | None = None
) -> dict[str, Any]:
    """The row's fields for the trail; its AI systems by name and legal requirements by
    reference (``systems``/``legal``: the ones about to be set, else the stored ones)."""
    if systems is None:
        systems = list(row.ai_systems.all())
    if legal is None:
        legal = list(row.legal_requirements.all()) if row.pk else []
    return {
        **trail.snapshot(row, SCALAR_FIELDS),
        "ai_systems": sorted(s.name for s in systems),
        "legal_requirements": sorted(r.ref_id for r in legal),
    }


def legal_requirements_of(ms: ManagementSystem, values: Any) -> list[LegalRequirement]:
    """The legal requirements a row names — records, ids or references (LR-004) — among those of
    the SoA's management system ``ms``; an unknown one is refused by name."""
    if values is None:
        return []
    if isinstance(values, str | LegalRequirement) or not isinstance(values, Iterable):
        values = [values]
    own = {r.ref_id.lower(): r for r in LegalRequirement.objects.filter(management_system=ms)}
    own |= {str(r.pk): r for r in list(own.values())}
    found: dict[Any, LegalRequirement] = {}
    for value in values:
        label = value.ref_id if isinstance(value, LegalRequirement) else str(value).strip()
        if not label:
            continue
        req = own.get(label.lower())
        if req is None:
            raise ValidationFailed(
                f"No legal requirement {label[:40]!r} in {ms.name}: give the reference of one of its "
                "legal requirements (e.g. LR-001).",
                {"legal_requirements": [f"Unknown legal requirement {label[:40]!r}."]},
            )
        found[req.pk] = req
    return sorted(found.values(), key=lambda r: r.ref_id)


def create_soa(
    actor: Actor, management_system: uuid.UUID | str, standard: str, *, owner: User | None = None
) -> StatementOfApplicability:
    """Create the SoA of a management system for a standard with one row per Annex A control;
    on an existing SoA, add the rows of Annex A controls it lacks (a newer standards revision)
    and change nothing else. Idempotent."""
    ms = organisation_resolvers.management_system(management_system, organisation_resolvers.TRUSTED)
    (std,) = standards_by_key([standard], field="standard")
    check(actor, Perm.EDIT_SOA, ms)
    if not ms.standards.filter(pk=std.pk).exists():
        raise ValidationFailed(
            f"{ms.name} does not cover {std.key}: add the standard to the management system first.",
            {"standard": ["Not covered by this management system."]},
        )
    with transaction.atomic():
        soa, created = StatementOfApplicability.objects.get_or_create(
            management_system=ms, standard=std, defaults={"owner": owner}
        )
        have = set(soa.rows.exclude(requirement=None).values_list("requirement_id", flat=True))
        wanted = Requirement.objects.filter(
            standard=std, kind=EntryKind.ANNEX_CONTROL, withdrawn_at__isnull=True
        ).order_by("sort_order")
        new_rows = [
            SoARow(soa=soa, requirement=r, sort_order=r.sort_order) for r in wanted if r.pk not in have
        ]
        SoARow.objects.bulk_create(new_rows)
        if created or new_rows:
            trail.record(
                actor,
                TrailAction.CREATE if created else TrailAction.UPDATE,
                soa,
                object_repr=str(soa)[:255],
                changes={"rows_added": [r.requirement.ref_id for r in new_rows if r.requirement]},
            )
    return soa


def get_row(row_id: uuid.UUID | str) -> SoARow:
    try:
        return SoARow.objects.select_related("soa", "soa__management_system", "requirement", "control").get(
            pk=uuid.UUID(str(row_id))
        )
    except (ValueError, ValidationError, SoARow.DoesNotExist):
        raise NotFound(f"No SoA row with id {row_id}.") from None


def _validate_row(row: SoARow) -> None:
    errors: dict[str, list[str]] = {}
    if not row.applicable and not row.justification.strip():
        errors["justification"] = ["An excluded control needs a justification."]
    if row.status_override == SoAStatus.IMPLEMENTED_NO_EVIDENCE:
        errors["status_override"] = [
            "'Implemented — no evidence' is shown by Keel, not set: override as implemented and link evidence."
        ]
    if row.status_override and not row.override_reason.strip():
        errors["override_reason"] = ["A manual status override needs a reason."]
    if row.status_override == SoAStatus.NOT_APPLICABLE and row.applicable:
        errors["status_override"] = ["To exclude the control, set applicable to false instead."]
    if row.status_override and row.status_override != SoAStatus.NOT_APPLICABLE and not row.applicable:
        errors["status_override"] = ["An excluded control has no implementation status to override."]
    if errors:
        summary = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())
        raise ValidationFailed(f"The SoA row is not valid — {summary}", errors)


def ai_systems_of(ms: ManagementSystem, values: Any) -> list[AISystem]:
    """The AI systems a row names — records, ids, short names or names (ignoring case and extra
    spaces) — among the AI systems of the SoA's management system ``ms``. One that is not an AI
    system of that system is refused with its name and the names to choose from."""
    if values is None:
        return []
    if isinstance(values, str | AISystem) or not isinstance(values, Iterable):
        values = [values]
    own = list(AISystem.objects.filter(management_system=ms).order_by("name"))
    by_key: dict[str, AISystem] = {}
    for candidate in own:
        for key in (
            str(candidate.pk),
            candidate.short_name.lower(),
            " ".join(candidate.name.split()).lower(),
        ):
            by_key[key] = candidate
    found: dict[Any, AISystem] = {}
    for value in values:
        system: AISystem | None
        if isinstance(value, AISystem):
            system = by_key.get(str(value.pk))
            label = value.name
        elif isinstance(value, str | uuid.UUID):
            label = " ".join(str(value).split())
            if not label:
                continue
            system = by_key.get(label.lower())
        else:
            raise ValidationFailed(
                "ai_systems: a list of AI system names or short names.", {"ai_systems": ["A list of names."]}
            )
        if system is None:
            choose = ", ".join(s.name for s in own) or "it has none yet"
            raise ValidationFailed(
                f"No AI system {label!r} in {ms.name}: name one of its AI systems ({choose}).",
                {"ai_systems": [f"Unknown AI system {label!r}."]},
            )
        found[system.pk] = system
    return list(found.values())


def _locked_row(row_id: uuid.UUID | str) -> SoARow:
    """The row, locked until the transaction ends (docs/adr/0014-concurrent-writers.md)."""
    found = get_row(row_id)
    return (
        SoARow.objects.select_for_update(of=("self",))
        .select_related("soa", "soa__management_system", "requirement", "control")
        .get(pk=found.pk)
    )


def update_row(
    actor: Actor, row_id: uuid.UUID | str, *, expected_version: str | None = None, **data: Any
) -> SoARow:
    """Change a row: applicability and reasons, an exclusion's justification, accountable person
    and review date, a status override and its reason, the target date, the owner.

    The row is read under a lock and only the changed columns are written, so concurrent edits
    of different fields both stay; ``expected_version`` (the version the person saw) turns a
    save over a newer change into an :class:`~keel.platform.concurrency.EditConflict`."""
    with transaction.atomic():
        row = _locked_row(row_id)
        check(actor, Perm.EDIT_SOA, row.soa.management_system_id)
        check_version(row, expected_version, str(row))
        before = _row_snapshot(row)
        systems = (
            ai_systems_of(row.soa.management_system, data.pop("ai_systems")) if "ai_systems" in data else None
        )
        legal = (
            legal_requirements_of(row.soa.management_system, data.pop("legal_requirements"))
            if "legal_requirements" in data
            else None
        )
        apply_fields(row, data, SCALAR_FIELDS)
        if row.applicable is None:
            row.applicable = True
        _validate_row(row)
        clean(row, "SoA row", exclude=M2M_FIELDS)
        changes = trail.diff(before, _row_snapshot(row, systems, legal))
        if row.machine_written:  # a person saving the row has reviewed the machine-written text
            row.machine_written = False
            changes["machine_written"] = [True, False]
        if changes:
            row.save(
                update_fields=[
                    *(n for n in changes if n in SCALAR_FIELDS),
                    *(["machine_written"] if "machine_written" in changes else []),
                    "updated_at",
                ]
            )
            if "ai_systems" in changes and systems is not None:
                row.ai_systems.set(systems)
            if "legal_requirements" in changes and legal is not None:
                row.legal_requirements.set(legal)
            trail.record(
                actor,
                TrailAction.UPDATE,
                row,
                object_repr=str(row)[:255],
                management_system_id=row.soa.management_system_id,
                changes=changes,
            )
    return row


def add_control_row(actor: Actor, soa_id: uuid.UUID | str, control_ref: str, **data: Any) -> SoARow:
    """Declare an additional control of the organisation's own in the SoA (one beyond Annex A)."""

    with transaction.atomic():
        soa = queries.get_soa(soa_id)
        check(actor, Perm.EDIT_SOA, soa.management_system_id)
        # Lock the SoA: two additions of one control (or two sort orders) queue.
        StatementOfApplicability.objects.select_for_update().filter(pk=soa.pk).first()
        control: Control = get_control(control_ref)
        if not control.management_systems.filter(pk=soa.management_system_id).exists():
            raise ValidationFailed(
                f"{control.ref_id} is not a control of {soa.management_system.name}.",
                {"control": ["Not in this management system."]},
            )
        if soa.rows.filter(control=control).exists():
            raise Conflict(f"{control.ref_id} already has a row in this SoA.")
        top = soa.rows.aggregate(m=Max("sort_order"))["m"] or 0
        row = SoARow(soa=soa, control=control, sort_order=max(top + 1, ADDITIONAL_OFFSET))
        systems = ai_systems_of(soa.management_system, data.pop("ai_systems", None))
        legal = legal_requirements_of(soa.management_system, data.pop("legal_requirements", None))
        apply_fields(row, data, SCALAR_FIELDS)
        _validate_row(row)
        clean(row, "SoA row", exclude=M2M_FIELDS)
        row.save()
        row.ai_systems.set(systems)
        row.legal_requirements.set(legal)
        trail.record(
            actor,
            TrailAction.CREATE,
            row,
            object_repr=str(row)[:255],
            management_system_id=soa.management_system_id,
            changes={"control": [None, control.ref_id], **trail.diff({}, _row_snapshot(row, systems, legal))},
        )
    return row


def remove_control_row(actor: Actor, row_id: uuid.UUID | str) -> None:
    """Remove an additional row (Annex A rows stay: exclude them instead)."""
    with transaction.atomic():
        row = _locked_row(row_id)
        check(actor, Perm.EDIT_SOA, row.soa.management_system_id)
        if row.control_id is None:
            raise Conflict(
                "Annex A rows cannot be removed: mark the control not applicable with a justification."
            )
        trail.record(
            actor,
            TrailAction.DELETE,
            row,
            object_repr=str(row)[:255],
            management_system_id=row.soa.management_system_id,
            changes=trail.diff(_row_snapshot(row), {}),
        )
        row.delete()


def approve(actor: Actor, soa_id: uuid.UUID | str, note: str = "") -> SoAVersion:
    """Freeze the current rows as the next version, approved by the acting person. Refused, with
    the rows named, while any check of :func:`keel.soa.rules.approval_findings` fails: a row
    without a reason for inclusion, an applicable row without an owner, an incomplete exclusion,
    an exclusion that open risks or implemented controls contradict, machine-written reasons no
    person reviewed."""
    with transaction.atomic():
        try:
            soa = StatementOfApplicability.objects.select_for_update().get(pk=uuid.UUID(str(soa_id)))
        except (ValueError, ValidationError, StatementOfApplicability.DoesNotExist):
            raise NotFound(f"No Statement of Applicability with id {soa_id}.") from None
        check(actor, Perm.APPROVE_SOA, soa.management_system_id)
        if actor.user is None:
            raise ValidationFailed("Approving needs a named person: use --as EMAIL.")
        data = queries.rows(soa)
        findings = rules.approval_findings(data)
        if findings:
            raise ValidationFailed(
                "The SoA cannot be approved yet. " + " ".join(f.text for f in findings),
                {f.kind: f.rows for f in findings},
            )
        snapshot = queries.snapshot(data)
        latest = queries.latest_version(soa)
        if latest is not None and latest.rows == snapshot:
            raise Conflict(f"Nothing changed since version {latest.number}: there is nothing new to approve.")
        number = (latest.number if latest else 0) + 1
        try:
            version = SoAVersion.objects.create(
                soa=soa,
                number=number,
                approved_by=actor.user,
                approved_at=timezone.now(),
                note=note.strip(),
                rows=snapshot,
            )
        except IntegrityError:
            raise Conflict("Another approval happened at the same time; reload and try again.") from None
        StatementOfApplicability.objects.filter(pk=soa.pk).update(updated_at=timezone.now())
        trail.record(
            actor,
            TrailAction.APPROVE,
            version,
            object_repr=f"SoA {soa.standard.key} version {number}"[:255],
            management_system_id=soa.management_system_id,
            changes={"version": number, "rows": len(snapshot), "approved_by": str(actor.user.pk)},
        )
    return version


def review_date_default(today: dt.date | None = None) -> dt.date:
    """One year from today: the usual review date of an exclusion."""
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        return today + dt.timedelta(days=365)
