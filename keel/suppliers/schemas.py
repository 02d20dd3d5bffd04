"""Schemas of the supplier API (``/suppliers``, ``/questionnaires``, ``/supplier-assessments``).
Component names carry the domain (``Supplier…``, ``Questionnaire…``): they are unique across
Keel's OpenAPI document. Suppliers are named by id or ``SUP-nnn``, questionnaires by id or key
(its latest version), assessments by id or ``SA-nnn``, people by email. Bodies refuse unknown
fields."""

from __future__ import annotations

import uuid
from typing import Any

from ninja import Field, Schema

from keel.platform import filters
from keel.platform.api import VersionedOut
from keel.platform.isodates import IsoDate, IsoDateTime
from keel.platform.schemas import MS_REF, Body, Filters, version_in

from . import queries
from .choices import (
    AssessmentDecision,
    QuestionnaireKind,
    QuestionType,
    SupplierAssessmentStatus,
    SupplierCriticality,
    SupplierKind,
    SupplierReviewOutcome,
    SupplierStatus,
)

SUPPLIER_REF = "A supplier's id or reference (SUP-nnn)."


@filters.schema_of(queries.SupplierFilters)
class SupplierListFilters(Filters):
    """Declared in :class:`keel.suppliers.queries.SupplierFilters`."""


@filters.schema_of(queries.AssessmentFilters)
class SupplierAssessmentFilters(Filters):
    """Declared in :class:`keel.suppliers.queries.AssessmentFilters`."""


@filters.schema_of(queries.QuestionnaireFilters)
class QuestionnaireListFilters(Filters):
    """Declared in :class:`keel.suppliers.queries.QuestionnaireFilters`."""


class SupplierContactOut(Schema):
    id: uuid.UUID
    name: str
    email: str
    role: str


class SupplierContractOut(VersionedOut):
    id: uuid.UUID
    title: str
    starts_on: IsoDate
    ends_on: IsoDate | None
    renewal_on: IsoDate | None
    notice_days: int | None
    document: str | None = Field(description="The signed copy's document reference (DOC-nnn).")
    evidence: str | None = Field(description="The signed copy's evidence reference (EV-nnn).")
    notes: str

    @staticmethod
    def resolve_document(obj: Any) -> str | None:
        return obj.document.ref_id if obj.document_id else None

    @staticmethod
    def resolve_evidence(obj: Any) -> str | None:
        return obj.evidence.ref_id if obj.evidence_id else None


class SupplierOut(VersionedOut):
    id: uuid.UUID
    ref_id: str
    management_system: str
    name: str
    kind: SupplierKind
    criticality: SupplierCriticality
    services: str
    website: str
    status: SupplierStatus
    owner: str | None = Field(description="The owner's email.")
    requested_by: str | None
    requested_on: IsoDate
    request_reason: str
    decided_by: str | None
    decided_on: IsoDate | None
    decision_reason: str
    review_months: int
    last_reviewed_on: IsoDate | None
    next_review_on: IsoDate | None
    latest_assessment_status: str | None = Field(None, description="Of its latest assessment not withdrawn.")
    latest_assessment_score: float | None = None
    contacts: list[SupplierContactOut]
    contracts: list[SupplierContractOut]

    @staticmethod
    def resolve_management_system(obj: Any) -> str:
        return str(obj.management_system.short_name)

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return obj.owner.email if obj.owner_id else None

    @staticmethod
    def resolve_requested_by(obj: Any) -> str | None:
        return obj.requested_by.email if obj.requested_by_id else None

    @staticmethod
    def resolve_decided_by(obj: Any) -> str | None:
        return obj.decided_by.email if obj.decided_by_id else None

    @staticmethod
    def resolve_latest_assessment_status(obj: Any) -> str | None:
        return getattr(obj, "latest_status", None)

    @staticmethod
    def resolve_latest_assessment_score(obj: Any) -> float | None:
        score = getattr(obj, "latest_score", None)
        return float(score) if score is not None else None

    @staticmethod
    def resolve_contacts(obj: Any) -> list[Any]:
        return list(obj.contacts.all())

    @staticmethod
    def resolve_contracts(obj: Any) -> list[Any]:
        return list(obj.contracts.all())


class SupplierContactIn(Body):
    name: str = Field(max_length=200)
    email: str = Field("", max_length=254)
    role: str = Field("", max_length=200)


class SupplierIn(Body):
    management_system: str = Field(description=MS_REF)
    name: str = Field(max_length=200)
    kind: SupplierKind
    criticality: SupplierCriticality = SupplierCriticality.MEDIUM
    services: str = ""
    website: str = Field("", max_length=500)
    owner: str | None = Field(None, description="The owner's email (anyone in the directory).")
    request_reason: str = ""
    review_months: int = Field(12, ge=1, le=60)
    next_review_on: IsoDate | None = None
    contacts: list[SupplierContactIn] = []


class SupplierPatch(Body):
    version: str | None = version_in()
    management_system: str | None = Field(None, description=MS_REF)
    name: str | None = Field(None, max_length=200)
    kind: SupplierKind | None = None
    criticality: SupplierCriticality | None = None
    services: str | None = None
    website: str | None = Field(None, max_length=500)
    owner: str | None = Field(None, description="The owner's email; null removes the owner.")
    request_reason: str | None = None
    review_months: int | None = Field(None, ge=1, le=60)
    next_review_on: IsoDate | None = None


class SupplierMoveIn(Body):
    status: SupplierStatus = Field(description="The onboarding status to move to.")
    reason: str = Field("", max_length=2000, description="Required when rejecting; recorded with a decision.")


class SupplierContractIn(Body):
    title: str = Field(max_length=200)
    starts_on: IsoDate
    ends_on: IsoDate | None = None
    renewal_on: IsoDate | None = None
    notice_days: int | None = Field(None, ge=0, le=3650)
    document: str | None = Field(None, max_length=60, description="A document's id or DOC-nnn.")
    evidence: str | None = Field(None, max_length=60, description="Evidence's id or EV-nnn.")
    notes: str = ""


class SupplierContractPatch(Body):
    version: str | None = version_in()
    title: str | None = Field(None, max_length=200)
    starts_on: IsoDate | None = None
    ends_on: IsoDate | None = None
    renewal_on: IsoDate | None = None
    notice_days: int | None = Field(None, ge=0, le=3650)
    document: str | None = Field(None, max_length=60)
    evidence: str | None = Field(None, max_length=60)
    notes: str | None = None


class SupplierReviewIn(Body):
    outcome: SupplierReviewOutcome
    notes: str = ""
    reviewed_on: IsoDate | None = None


class SupplierReviewOut(Schema):
    id: uuid.UUID
    supplier: str
    reviewed_on: IsoDate
    reviewer: str
    outcome: SupplierReviewOutcome
    notes: str

    @staticmethod
    def resolve_supplier(obj: Any) -> str:
        return str(obj.supplier.ref_id)

    @staticmethod
    def resolve_reviewer(obj: Any) -> str:
        return str(obj.reviewer.email)


# ---------------------------------------------------------------- questionnaires


class QuestionOption(Schema):
    label: str = Field(max_length=200)
    score: float = Field(0, ge=0, le=1000)


class SupplierQuestionOut(Schema):
    id: uuid.UUID
    position: int
    text: str
    help: str
    answer_type: QuestionType
    required: bool
    options: list[QuestionOption]
    weight: int
    reference: str


class QuestionnaireOut(Schema):
    id: uuid.UUID
    key: str
    version: int
    name: str
    kind: QuestionnaireKind
    description: str
    published: bool
    published_at: IsoDateTime | None
    questions: list[SupplierQuestionOut]

    @staticmethod
    def resolve_questions(obj: Any) -> list[Any]:
        return sorted(obj.questions.all(), key=lambda q: q.position)


class QuestionnaireIn(Body):
    key: str = Field(max_length=60, pattern=r"^[-a-z0-9_]+$", description="Names it across its versions.")
    name: str = Field(max_length=200)
    kind: QuestionnaireKind
    description: str = ""


class QuestionnairePatch(Body):
    name: str | None = Field(None, max_length=200)
    kind: QuestionnaireKind | None = None
    description: str | None = None


class QuestionIn(Body):
    text: str = Field(max_length=500)
    help: str = ""
    answer_type: QuestionType
    required: bool = True
    options: list[QuestionOption] = Field([], description="For yes/no and choice questions: label and score.")
    weight: int = Field(1, ge=0, le=100)
    reference: str = Field("", max_length=40)


class QuestionPatch(Body):
    text: str | None = Field(None, max_length=500)
    help: str | None = None
    answer_type: QuestionType | None = None
    required: bool | None = None
    options: list[QuestionOption] | None = None
    weight: int | None = Field(None, ge=0, le=100)
    reference: str | None = Field(None, max_length=40)


class QuestionMoveIn(Body):
    direction: str = Field(pattern="^(up|down)$")


# ---------------------------------------------------------------- assessments


class SupplierAnswerOut(Schema):
    question: uuid.UUID
    position: int
    text: str
    value: Any = Field(None, description="true/false is Yes/No; a list for several choices; text otherwise.")
    filename: str
    sha256: str
    score: float | None

    @staticmethod
    def resolve_question(obj: Any) -> uuid.UUID:
        return obj.question_id

    @staticmethod
    def resolve_position(obj: Any) -> int:
        return int(obj.question.position)

    @staticmethod
    def resolve_text(obj: Any) -> str:
        return str(obj.question.text)

    @staticmethod
    def resolve_score(obj: Any) -> float | None:
        return float(obj.score) if obj.score is not None else None


class SupplierAssessmentOut(Schema):
    id: uuid.UUID
    ref_id: str
    supplier: str
    questionnaire: uuid.UUID
    questionnaire_key: str
    questionnaire_version: int
    status: SupplierAssessmentStatus
    recipient_name: str
    recipient_email: str
    sent_by: str | None
    sent_at: IsoDateTime
    expires_at: IsoDateTime
    draft_saved_at: IsoDateTime | None
    submitted_at: IsoDateTime | None
    submitted_by_name: str
    score: float | None = Field(description="0–100, computed when the answers are submitted.")
    reviewer: str | None
    reviewed_at: IsoDateTime | None
    decision: AssessmentDecision | None
    review_notes: str
    answers: list[SupplierAnswerOut]

    @staticmethod
    def resolve_supplier(obj: Any) -> str:
        return str(obj.supplier.ref_id)

    @staticmethod
    def resolve_questionnaire(obj: Any) -> uuid.UUID:
        return obj.questionnaire_id

    @staticmethod
    def resolve_questionnaire_key(obj: Any) -> str:
        return str(obj.questionnaire.key)

    @staticmethod
    def resolve_questionnaire_version(obj: Any) -> int:
        return int(obj.questionnaire.version)

    @staticmethod
    def resolve_sent_by(obj: Any) -> str | None:
        return obj.sent_by.email if obj.sent_by_id else None

    @staticmethod
    def resolve_reviewer(obj: Any) -> str | None:
        return obj.reviewer.email if obj.reviewer_id else None

    @staticmethod
    def resolve_score(obj: Any) -> float | None:
        return float(obj.score) if obj.score is not None else None

    @staticmethod
    def resolve_decision(obj: Any) -> str | None:
        return obj.decision or None

    @staticmethod
    def resolve_answers(obj: Any) -> list[Any]:
        return sorted(obj.answers.all(), key=lambda a: a.question.position)


class SupplierAssessmentSentOut(SupplierAssessmentOut):
    link: str = Field(description="The signed link the supplier answers through (no account needed).")


class SupplierAssessmentIn(Body):
    supplier: str = Field(max_length=60, description=SUPPLIER_REF)
    questionnaire: str = Field(
        max_length=60, description="A published questionnaire version's id, or a key (latest)."
    )
    contact: str = Field(
        "", max_length=60, description="Id of the supplier contact to email the link to (default: primary)."
    )
    recipient_name: str = Field("", max_length=200)
    recipient_email: str = Field("", max_length=254, description="Used when no contact is picked.")
    days: int = Field(30, ge=1, le=180, description="How long the link is valid.")


class SupplierAssessmentReviewIn(Body):
    decision: AssessmentDecision
    notes: str = ""


class SupplierAssessmentExtendIn(Body):
    days: int = Field(30, ge=1, le=180)
