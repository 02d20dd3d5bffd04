"""Schemas of the improvement API: ``/nonconformities`` and ``/corrective-actions``.

Nonconformities are named by id or ``NC-nnn``, corrective actions by id or ``CA-nnn``,
management systems by id or short name, requirements by key, controls by ``KC-nnn``, evidence by
``EV-nnn``, people by email. Bodies refuse unknown fields. Component names carry the domain
(``Nonconformity…``, ``CorrectiveAction…``, ``Effectiveness…``) to stay unique in the API.
"""

from __future__ import annotations

import uuid
from typing import Any

from ninja import Field, Schema

from keel.platform import filters
from keel.platform.api import VersionedOut
from keel.platform.isodates import IsoDate, IsoDateTime
from keel.platform.schemas import MS_REF, Body, Filters, version_in

from . import progress, queries
from .choices import (
    CorrectiveActionStatus,
    NonconformityKind,
    NonconformitySource,
    NonconformityStatus,
    RootCauseMethod,
)

PERSON = "A person's email (any person of the directory; no login needed)."


def _email(user: Any) -> str | None:
    return user.email if user is not None else None


class CorrectiveActionOut(VersionedOut):
    id: uuid.UUID
    ref_id: str
    nonconformity: str = Field(description="The nonconformity's reference.")
    description: str
    owner: str = Field(description="The owner's email.")
    due_on: IsoDate
    status: CorrectiveActionStatus
    overdue: bool = Field(description="Open and past its due date.")
    done_on: IsoDate | None
    done_note: str
    done_evidence: str | None = Field(description="The evidence record that shows it done (EV-nnn).")
    created_at: IsoDateTime
    updated_at: IsoDateTime

    @staticmethod
    def resolve_nonconformity(obj: Any) -> str:
        return str(obj.nonconformity.ref_id)

    @staticmethod
    def resolve_owner(obj: Any) -> str:
        return str(obj.owner.email)

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        return bool(obj.status == CorrectiveActionStatus.OPEN and obj.due_on < queries.today())

    @staticmethod
    def resolve_done_evidence(obj: Any) -> str | None:
        return obj.done_evidence.ref_id if obj.done_evidence_id else None


class EffectivenessCheckOut(Schema):
    id: uuid.UUID
    checked_by: str = Field(description="Who checked (email).")
    checked_on: IsoDate
    effective: bool
    evidence: str | None = Field(description="The evidence record the check rests on (EV-nnn).")
    evidence_note: str
    note: str

    @staticmethod
    def resolve_checked_by(obj: Any) -> str:
        return str(obj.checked_by.email)

    @staticmethod
    def resolve_evidence(obj: Any) -> str | None:
        return obj.evidence.ref_id if obj.evidence_id else None


class NonconformityOut(VersionedOut):
    id: uuid.UUID
    ref_id: str
    title: str
    description: str
    kind: NonconformityKind
    source: NonconformitySource
    source_ref: str
    source_url: str
    management_systems: list[str] = Field(description="Short names (none: organisation level).")
    requirements: list[str] = Field(description="Keys of the requirements affected.")
    controls: list[str] = Field(description="References of the controls affected.")
    raised_on: IsoDate
    raised_by: str | None
    owner: str | None
    status: NonconformityStatus
    correction: str
    corrected_on: IsoDate | None
    root_cause_method: RootCauseMethod | None
    root_cause_whys: list[str]
    root_cause: str
    root_cause_on: IsoDate | None
    recurrence_of: str | None = Field(description="The earlier nonconformity this one repeats.")
    closed_on: IsoDate | None
    closed_by: str | None
    actions: list[CorrectiveActionOut]
    effectiveness_checks: list[EffectivenessCheckOut]
    missing_for_closure: list[str] = Field(
        description="What still blocks closure, in words (empty: it may close)."
    )
    created_at: IsoDateTime
    updated_at: IsoDateTime

    @staticmethod
    def resolve_management_systems(obj: Any) -> list[str]:
        return [ms.short_name for ms in obj.management_systems.all()]

    @staticmethod
    def resolve_requirements(obj: Any) -> list[str]:
        return [r.key for r in obj.requirements.all()]

    @staticmethod
    def resolve_controls(obj: Any) -> list[str]:
        return sorted(c.ref_id for c in obj.controls.all())

    @staticmethod
    def resolve_raised_by(obj: Any) -> str | None:
        return _email(obj.raised_by)

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return _email(obj.owner)

    @staticmethod
    def resolve_root_cause_method(obj: Any) -> str | None:
        return obj.root_cause_method or None

    @staticmethod
    def resolve_recurrence_of(obj: Any) -> str | None:
        return obj.recurrence_of.ref_id if obj.recurrence_of_id else None

    @staticmethod
    def resolve_closed_by(obj: Any) -> str | None:
        return _email(obj.closed_by)

    @staticmethod
    def resolve_actions(obj: Any) -> list[Any]:
        return list(obj.actions.all())

    @staticmethod
    def resolve_effectiveness_checks(obj: Any) -> list[Any]:
        return list(obj.effectiveness_checks.all())

    @staticmethod
    def resolve_missing_for_closure(obj: Any) -> list[str]:
        if obj.status == NonconformityStatus.CLOSED:
            return []
        return progress.missing_for_closure(
            obj, list(obj.actions.all()), list(obj.effectiveness_checks.all())
        )


class NonconformitySummaryOut(Schema):
    ref_id: str
    title: str
    status: NonconformityStatus
    raised_on: IsoDate


@filters.schema_of(queries.NonconformityFilters)
class NonconformityFilters(Filters):
    """Declared in :class:`keel.improvement.queries.NonconformityFilters`."""


@filters.schema_of(queries.CorrectiveActionFilters)
class CorrectiveActionFilters(Filters):
    """Declared in :class:`keel.improvement.queries.CorrectiveActionFilters`."""


class NonconformityIn(Body):
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field(..., min_length=1, max_length=20_000)
    source: NonconformitySource
    source_ref: str = Field("", max_length=120)
    source_url: str = Field("", max_length=500)
    kind: NonconformityKind = NonconformityKind.MINOR
    management_systems: list[str] = Field(default_factory=list, description=MS_REF)
    requirements: list[str] = Field(default_factory=list, description="Requirement keys.")
    controls: list[str] = Field(default_factory=list, description="Control references (KC-nnn).")
    owner: str | None = Field(None, description=PERSON)
    raised_on: IsoDate | None = Field(None, description="Default: today.")
    raised_by: str | None = Field(None, description=PERSON + " Default: you.")
    recurrence_of: str | None = Field(None, description="An earlier nonconformity (NC-nnn) this one repeats.")


class NonconformityPatch(Body):
    title: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=20_000)
    source: NonconformitySource | None = None
    source_ref: str | None = Field(None, max_length=120)
    source_url: str | None = Field(None, max_length=500)
    kind: NonconformityKind | None = None
    management_systems: list[str] | None = None
    requirements: list[str] | None = None
    controls: list[str] | None = None
    owner: str | None = None
    raised_on: IsoDate | None = None
    recurrence_of: str | None = None
    version: str | None = version_in()


class CorrectionIn(Body):
    correction: str = Field(..., max_length=20_000)
    corrected_on: IsoDate | None = Field(None, description="Default: today.")
    version: str | None = version_in()


class RootCauseIn(Body):
    method: RootCauseMethod
    whys: list[str] = Field(default_factory=list, description="The whys in order (five whys: at least two).")
    conclusion: str = Field(..., max_length=20_000, description="The root cause the actions will remove.")
    analysed_on: IsoDate | None = Field(None, description="Default: today.")
    version: str | None = version_in()


class CorrectiveActionIn(Body):
    description: str = Field(..., max_length=20_000)
    owner: str = Field(..., description=PERSON)
    due_on: IsoDate
    version: str | None = Field(None, max_length=80, description="The nonconformity's version you read.")


class CorrectiveActionCreateIn(CorrectiveActionIn):
    nonconformity: str = Field(..., max_length=100, description="The nonconformity (NC-nnn or id).")


class CorrectiveActionPatch(Body):
    description: str | None = Field(None, max_length=20_000)
    owner: str | None = None
    due_on: IsoDate | None = None
    version: str | None = version_in()


class CorrectiveActionDoneIn(Body):
    done_on: IsoDate | None = Field(None, description="Default: today.")
    note: str = Field("", max_length=20_000, description="What was done.")
    evidence: str | None = Field(
        None, max_length=100, description="An evidence record (EV-nnn) that shows it."
    )
    version: str | None = version_in()


class CorrectiveActionReopenIn(Body):
    reason: str = Field(..., max_length=4000)
    version: str | None = version_in()


class EffectivenessIn(Body):
    effective: bool
    checked_by: str | None = Field(None, description=PERSON + " Default: you.")
    checked_on: IsoDate | None = Field(None, description="Default: today.")
    evidence: str | None = Field(None, max_length=100, description="An evidence record (EV-nnn).")
    evidence_note: str = Field(
        "", max_length=500, description="What was looked at (when no evidence record)."
    )
    note: str = Field("", max_length=20_000)
    version: str | None = version_in()


class NonconformityCloseIn(Body):
    closed_on: IsoDate | None = Field(None, description="Default: today.")
    version: str | None = version_in()
