"""Supplier assessments (docs/suppliers.md#assessments): a published questionnaire version sent
to a supplier, answered through a signed, expiring link without an account, scored, and reviewed
by someone other than the sender.

The link (``django.core.signing``, like policy acknowledgements' links) signs the assessment's
id and its expiry; an altered link fails the signature, an expired one is refused with the date
it expired, a withdrawn assessment answers nothing. The supplier saves drafts as often as they
like and submits once; after that the link says "already submitted". Files are checked like
evidence: the size limit, the content sniffed against the extension, hashed, stored in the
evidence storage and deleted again if the save fails.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from keel.evidence import services as evidence_files
from keel.organisation import resolvers
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import Channel, TrailAction
from keel.platform.concurrency import next_ref
from keel.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from keel.platform.permissions import Perm, check
from keel.platform.records import reject_control_characters

from .choices import AssessmentDecision, QuestionType, SupplierAssessmentStatus, SupplierStatus
from .models import Question, Questionnaire, Supplier, SupplierAnswer, SupplierAssessment
from .questionnaires import get_questionnaire
from .services import get_supplier

SALT = "keel.suppliers.assessment-link"
PREFIX = "SA-"
MAX_TEXT = 5000
# what a supplier may upload, and the first bytes each must start with
UPLOADS: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
}


def link_days() -> int:
    return int(getattr(settings, "KEEL_SUPPLIER_LINK_DAYS", 30))


# ---------------------------------------------------------------- reading


def assessment_qs() -> Any:
    return SupplierAssessment.objects.select_related(
        "supplier__management_system", "questionnaire", "sent_by", "reviewer"
    )


def get_assessment(
    actor: resolvers.Viewer, ref: uuid.UUID | str, *, lock: bool = False, every: bool = False
) -> SupplierAssessment:
    """An assessment by id or ``SA-nnn``, within the actor's perimeter (404 otherwise)."""
    qs = assessment_qs()
    if not every:
        qs = resolvers.in_perimeter(qs, actor, "supplier__management_system")
    pk = resolvers.as_uuid(ref)
    found = qs.filter(pk=pk).first() if pk else qs.filter(ref_id__iexact=str(ref).strip()[:32]).first()
    if found is None:
        raise NotFound(f"No supplier assessment {str(ref)[:40]!r}: give its id or reference (e.g. SA-001).")
    if lock:
        found = assessment_qs().select_for_update(of=("self",)).get(pk=found.pk)
    return found


def _repr(a: SupplierAssessment) -> str:
    return f"{a.ref_id} {a.questionnaire.name} v{a.questionnaire.version} for {a.supplier.ref_id} {a.supplier.name}"


# ---------------------------------------------------------------- the signed link


class _StableSigner(signing.TimestampSigner):
    """Stamps the time the assessment was sent rather than now: the same assessment and expiry
    give the same link (a resend emails the link already sent); ``signing.loads`` reads it."""

    def __init__(self, at: dt.datetime, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.at = at

    def timestamp(self) -> str:
        return signing.b62_encode(int(self.at.timestamp()))


def token_for(a: SupplierAssessment) -> str:
    """The link's token: the assessment's id and its expiry, signed (stable for both)."""
    data = {"a": str(a.pk), "e": int(a.expires_at.timestamp())}
    return _StableSigner(a.sent_at, salt=SALT).sign_object(data, compress=True)


def link_for(a: SupplierAssessment, base_url: str = "") -> str:
    base = (base_url or getattr(settings, "KEEL_BASE_URL", "") or "http://localhost:8000").rstrip("/")
    return base + reverse("supplier-answer-link", args=[token_for(a)])


def from_token(token: str) -> SupplierAssessment:
    """The assessment a link names; refused with a clear message when the link was altered,
    has expired, or the assessment was withdrawn."""
    try:
        data = signing.loads(str(token)[:600], salt=SALT)
        pk = uuid.UUID(str(data["a"]))
        expires = dt.datetime.fromtimestamp(int(data["e"]), tz=dt.UTC)
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise NotFound(
            "This link is not valid: it may have been altered or copied incompletely. "
            "Copy the whole link from the message you received, or ask for a new one."
        ) from None
    a = assessment_qs().filter(pk=pk).first()
    if a is None:
        raise NotFound("This link names no questionnaire any more.")
    if timezone.now() >= min(expires, a.expires_at) and a.status == SupplierAssessmentStatus.SENT:
        raise PermissionDenied(
            f"This link expired on {timezone.localtime(min(expires, a.expires_at)):%-d %B %Y}. "
            "Ask your contact for a new link."
        )
    if a.status == SupplierAssessmentStatus.WITHDRAWN:
        raise PermissionDenied("This questionnaire was withdrawn: there is nothing to answer here any more.")
    return a


# ---------------------------------------------------------------- sending


def send(
    actor: Actor,
    supplier_ref: uuid.UUID | str,
    questionnaire_ref: uuid.UUID | str,
    *,
    recipient_name: str = "",
    recipient_email: str = "",
    days: int | None = None,
) -> SupplierAssessment:
    """Send a published questionnaire version to a supplier: an assessment and its link. A
    supplier still *requested* moves to *due diligence*."""
    days = link_days() if days is None else int(days)
    if not 1 <= days <= 180:
        raise ValidationFailed("The link is valid for 1 to 180 days.", {"days": ["Between 1 and 180."]})
    reject_control_characters({"recipient_name": recipient_name, "recipient_email": recipient_email})
    with transaction.atomic():
        supplier = get_supplier(actor, supplier_ref, lock=True)
        check(actor, Perm.EDIT_SUPPLIERS, supplier.management_system_id)
        if supplier.status in (SupplierStatus.REJECTED, SupplierStatus.ENDED):
            raise Conflict(
                f"{supplier.ref_id} is {supplier.get_status_display().lower()}: no questionnaire is sent to it.",
                {"supplier": ["Rejected or ended."]},
            )
        q = get_questionnaire(questionnaire_ref, published=True)
        if not q.published:
            raise Conflict(
                f"{q.name} version {q.version} is a draft: publish it before sending it.",
                {"questionnaire": ["Not published."]},
            )
        now = timezone.now()
        a = SupplierAssessment(
            ref_id=next_ref(SupplierAssessment, PREFIX),
            supplier=supplier,
            questionnaire=q,
            recipient_name=recipient_name.strip()[:200],
            recipient_email=recipient_email.strip()[:254],
            sent_by=actor.user,
            sent_at=now,
            expires_at=now + dt.timedelta(days=days),
        )
        try:
            a.full_clean(exclude=["supplier", "questionnaire", "sent_by", "reviewer"])
        except Exception as exc:  # an invalid email
            raise ValidationFailed(
                "The recipient's email is not a valid address.",
                {"recipient_email": ["Not an email address."]},
            ) from exc
        a.save()
        trail.record(
            actor,
            TrailAction.CREATE,
            a,
            object_repr=_repr(a),
            changes={"status": [None, a.status], "expires_at": [None, a.expires_at.isoformat()]},
            management_system_id=supplier.management_system_id,
        )
        if supplier.status == SupplierStatus.REQUESTED:
            supplier.status = SupplierStatus.DUE_DILIGENCE
            supplier.save(update_fields=["status", "updated_at"])
            trail.record(
                actor,
                TrailAction.UPDATE,
                supplier,
                object_repr=f"{supplier.ref_id} {supplier.name}",
                changes={"status": [SupplierStatus.REQUESTED, SupplierStatus.DUE_DILIGENCE]},
            )
    return a


def extend(actor: Actor, ref: uuid.UUID | str, days: int | None = None) -> SupplierAssessment:
    """Give an unanswered assessment a new expiry (and so a new link; older links keep theirs)."""
    days = link_days() if days is None else int(days)
    if not 1 <= days <= 180:
        raise ValidationFailed("The link is valid for 1 to 180 days.", {"days": ["Between 1 and 180."]})
    with transaction.atomic():
        a = get_assessment(actor, ref, lock=True)
        check(actor, Perm.EDIT_SUPPLIERS, a.supplier.management_system_id)
        if a.status != SupplierAssessmentStatus.SENT:
            raise Conflict(f"{a.ref_id} is {a.get_status_display().lower()}: its link cannot be renewed.")
        before = a.expires_at.isoformat()
        a.expires_at = timezone.now() + dt.timedelta(days=days)
        a.save(update_fields=["expires_at", "updated_at"])
        trail.record(
            actor,
            TrailAction.UPDATE,
            a,
            object_repr=_repr(a),
            changes={"expires_at": [before, a.expires_at.isoformat()]},
            management_system_id=a.supplier.management_system_id,
        )
    return a


def withdraw(actor: Actor, ref: uuid.UUID | str) -> SupplierAssessment:
    with transaction.atomic():
        a = get_assessment(actor, ref, lock=True)
        check(actor, Perm.EDIT_SUPPLIERS, a.supplier.management_system_id)
        if a.status != SupplierAssessmentStatus.SENT:
            raise Conflict(f"{a.ref_id} is {a.get_status_display().lower()}: only an open one is withdrawn.")
        a.status = SupplierAssessmentStatus.WITHDRAWN
        a.save(update_fields=["status", "updated_at"])
        trail.record(
            actor,
            TrailAction.UPDATE,
            a,
            object_repr=_repr(a),
            changes={"status": [SupplierAssessmentStatus.SENT, SupplierAssessmentStatus.WITHDRAWN]},
            management_system_id=a.supplier.management_system_id,
        )
    return a


# ---------------------------------------------------------------- answering


def _option_labels(q: Question) -> dict[str, str]:
    return {str(o["label"]).lower(): str(o["label"]) for o in q.options}


def parse_answer(q: Question, raw: Any) -> Any:
    """One answer as given (form text or JSON), checked against the question; ``None`` when empty."""
    field = f"q_{q.pk}"
    if raw is None or raw == "" or raw == []:
        return None
    if q.answer_type == QuestionType.YES_NO:
        text = str(raw).strip().lower()
        if text in ("yes", "true", "1") or raw is True:
            return "Yes"
        if text in ("no", "false", "0") or raw is False:
            return "No"
        raise ValidationFailed(f"Answer {q.position} is yes or no.", {field: ["Yes or no."]})
    if q.answer_type == QuestionType.SINGLE:
        label = _option_labels(q).get(str(raw).strip().lower())
        if label is None:
            raise ValidationFailed(
                f"Answer {q.position}: choose one of the options.", {field: ["Not an option."]}
            )
        return label
    if q.answer_type == QuestionType.MULTIPLE:
        values = raw if isinstance(raw, list | tuple) else [raw]
        labels = _option_labels(q)
        chosen = [labels.get(str(v).strip().lower()) for v in values]
        if None in chosen:
            raise ValidationFailed(
                f"Answer {q.position}: choose among the options.", {field: ["Not an option."]}
            )
        return [o["label"] for o in q.options if o["label"] in chosen]
    if q.answer_type == QuestionType.TEXT:
        text = str(raw).replace("\r\n", "\n").strip()
        reject_control_characters({field: text})
        if len(text) > MAX_TEXT:
            raise ValidationFailed(
                f"Answer {q.position} is {len(text):,} characters; the limit is {MAX_TEXT:,}.",
                {field: ["Too long."]},
            )
        return text or None
    if q.answer_type == QuestionType.NUMBER:
        try:
            number = Decimal(str(raw).strip().replace(",", "."))
        except InvalidOperation:
            raise ValidationFailed(f"Answer {q.position} is a number.", {field: ["Not a number."]}) from None
        if not number.is_finite() or abs(number) > Decimal("1e12"):
            raise ValidationFailed(f"Answer {q.position} is a number.", {field: ["Not a number."]})
        return str(number.normalize()) if number == number.to_integral() else str(number)
    if q.answer_type == QuestionType.DATE:
        try:
            return dt.date.fromisoformat(str(raw).strip()).isoformat()
        except ValueError:
            raise ValidationFailed(
                f"Answer {q.position} is a date (YYYY-MM-DD).", {field: ["Not a date."]}
            ) from None
    raise ValidationFailed(f"Answer {q.position} is a file: upload it.", {field: ["Upload a file."]})


def check_upload(q: Question, upload: File) -> tuple[str, str, evidence_files.Digest]:
    """A file answer checked like evidence: the size limit, a type we accept whose content matches
    its name, not empty; returns the safe file name, its content type and its digest."""
    field = f"q_{q.pk}"
    filename = evidence_files.safe_filename(getattr(upload, "name", "") or "")
    ext = "." + filename.rpartition(".")[2].lower() if "." in filename else ""
    if ext not in UPLOADS:
        raise ValidationFailed(
            f"{filename}: upload a PDF, Word (.docx), Excel (.xlsx), PNG or JPEG file.",
            {field: ["Only PDF, DOCX, XLSX, PNG and JPEG files."]},
        )
    limit = evidence_files.max_bytes()
    declared = getattr(upload, "size", None)
    if declared is not None and declared > limit:
        raise ValidationFailed(
            f"{filename} is {evidence_files.human_size(declared)}; the limit is {evidence_files.human_size(limit)}.",
            {field: ["Too large."]},
        )
    with contextlib.suppress(AttributeError, OSError, ValueError):
        upload.seek(0)
    head = upload.read(8)
    if not isinstance(head, bytes) or not any(head.startswith(m) for m in UPLOADS[ext]):
        raise ValidationFailed(
            f"{filename} does not look like a {ext[1:].upper()} file (its content does not match its name).",
            {field: ["The content does not match the file type."]},
        )
    upload.seek(0)
    d = evidence_files.digest(upload, limit)
    if d.size == 0:
        raise ValidationFailed(f"{filename} is empty.", {field: ["Empty file."]})
    upload.seek(0)
    return filename, evidence_files.clean_content_type(getattr(upload, "content_type", ""), filename), d


@contextlib.contextmanager
def _files_cleaned_on_failure() -> Iterator[list[str]]:
    written: list[str] = []
    try:
        yield written
    except BaseException:
        for name in written:
            with contextlib.suppress(Exception):
                evidence_files.storage().delete(name)
        raise


def _score_of(q: Question, value: Any) -> Decimal | None:
    """The weighted score of one answer (``None`` for questions that are not scored)."""
    if q.answer_type not in (QuestionType.YES_NO, QuestionType.SINGLE, QuestionType.MULTIPLE):
        return None
    scores = {str(o["label"]): Decimal(str(o["score"])) for o in q.options}
    if q.answer_type == QuestionType.MULTIPLE:
        best = sum((s for s in scores.values() if s > 0), Decimal(0))
        got = min(best, sum((scores.get(v, Decimal(0)) for v in (value or [])), Decimal(0)))
    else:
        best = max(scores.values(), default=Decimal(0))
        got = (
            scores.get("Yes" if value is True else str(value), Decimal(0))
            if value is not None
            else Decimal(0)
        )
    if best <= 0:
        return None
    return (Decimal(q.weight) * got / best).quantize(Decimal("0.001"))


def score(questionnaire: Questionnaire, values: Mapping[uuid.UUID, Any]) -> Decimal | None:
    """The assessment's score, 0–100: each scored question weighs ``weight``; an answer earns its
    option's share of the best possible (several choices add up to the best); unanswered earns 0."""
    total = earned = Decimal(0)
    for q in questionnaire.questions.all():
        s = _score_of(q, values.get(q.pk))
        if s is None:
            continue
        total += q.weight
        earned += s
    return (Decimal(100) * earned / total).quantize(Decimal("0.1")) if total else None


def answer_by_link(
    token: str,
    answers: Mapping[str, Any],
    files: Mapping[str, File] | None = None,
    *,
    submit: bool = False,
    answered_by: str = "",
    ip: str = "",
) -> SupplierAssessment:
    """Save the supplier's answers (``answers`` and ``files`` keyed by question id) as a draft,
    or submit them (``submit``): every required question answered, the score computed, the status
    *answered*, the link closed. Answers left out of a draft keep their saved value."""
    a = from_token(token)
    files = files or {}
    reject_control_characters({"answered_by": answered_by})
    actor = Actor(user=None, label=f"supplier link ({a.supplier.name})"[:200], channel=Channel.WEB, ip=ip)
    with transaction.atomic(), _files_cleaned_on_failure() as written:
        a = (
            SupplierAssessment.objects.select_for_update()
            .select_related("supplier", "questionnaire")
            .get(pk=a.pk)
        )
        if a.status != SupplierAssessmentStatus.SENT:
            raise Conflict(
                f"This questionnaire was already submitted on {timezone.localtime(a.submitted_at):%-d %B %Y}: "
                "the answers cannot be changed any more."
                if a.submitted_at
                else "This questionnaire is closed.",
            )
        questions = list(a.questionnaire.questions.order_by("position"))
        saved = {x.question_id: x for x in a.answers.all()}
        for q in questions:
            key = str(q.pk)
            if q.answer_type == QuestionType.FILE:
                upload = files.get(key)
                if upload is None:
                    continue
                filename, content_type, d = check_upload(q, upload)
                name = f"suppliers/{a.pk}/{q.position:03d}-{d.sha256[:16]}{'.' + filename.rpartition('.')[2].lower()}"
                stored = evidence_files.storage().save(name, upload)
                written.append(stored)
                row = saved.get(q.pk) or SupplierAnswer(assessment=a, question=q)
                row.file, row.filename, row.content_type = stored, filename, content_type
                row.size, row.sha256, row.value = d.size, d.sha256, filename
                row.save()
                saved[q.pk] = row
                continue
            if key not in answers:
                continue
            value = parse_answer(q, answers[key])
            row = saved.get(q.pk) or SupplierAnswer(assessment=a, question=q)
            row.value = value
            row.save()
            saved[q.pk] = row
        now = timezone.now()
        if answered_by.strip():
            a.submitted_by_name = answered_by.strip()[:200]
        if not submit:
            a.draft_saved_at = now
            a.save(update_fields=["draft_saved_at", "submitted_by_name", "updated_at"])
            return a
        missing = [
            q
            for q in questions
            if q.required and (saved.get(q.pk) is None or saved[q.pk].value in (None, "", []))
        ]
        if missing:
            raise ValidationFailed(
                "Answer every required question before submitting (your answers are not lost): "
                + ", ".join(str(q.position) for q in missing)
                + ".",
                {f"q_{q.pk}": ["Required."] for q in missing},
            )
        if not a.submitted_by_name:
            raise ValidationFailed("Give your name before submitting.", {"answered_by": ["Required."]})
        values = {qid: row.value for qid, row in saved.items()}
        by_id = {q.pk: q for q in questions}
        for qid, row in saved.items():
            row.score = _score_of(by_id[qid], row.value)
            row.save(update_fields=["score"])
        a.score = score(a.questionnaire, values)
        a.status = SupplierAssessmentStatus.ANSWERED
        a.submitted_at = now
        a.save(update_fields=["score", "status", "submitted_at", "submitted_by_name", "updated_at"])
        trail.record(
            actor,
            TrailAction.UPDATE,
            a,
            object_repr=f"{_repr(a)} answered by {a.submitted_by_name}",
            changes={
                "status": [SupplierAssessmentStatus.SENT, SupplierAssessmentStatus.ANSWERED],
                "score": [None, str(a.score)],
            },
            management_system_id=a.supplier.management_system_id,
        )
    return a


# ---------------------------------------------------------------- reviewing


def review(actor: Actor, ref: uuid.UUID | str, *, decision: str, notes: str = "") -> SupplierAssessment:
    """The review of an answered assessment: a decision and notes, by someone with
    ``approve_suppliers`` who did not send it."""
    decision = str(getattr(decision, "value", decision))
    if decision not in AssessmentDecision.values:
        raise ValidationFailed(
            f"decision is one of {', '.join(AssessmentDecision.values)}.", {"decision": ["Unknown decision."]}
        )
    reject_control_characters({"notes": notes})
    notes = notes.strip()
    if decision != AssessmentDecision.ACCEPTABLE and not notes:
        raise ValidationFailed(
            "Say what the conditions or the reasons are (notes).", {"notes": ["Required unless acceptable."]}
        )
    with transaction.atomic():
        a = get_assessment(actor, ref, lock=True)
        check(actor, Perm.APPROVE_SUPPLIERS, a.supplier.management_system_id)
        if a.status != SupplierAssessmentStatus.ANSWERED:
            raise Conflict(
                f"{a.ref_id} is {a.get_status_display().lower()}: only an answered assessment is reviewed.",
                {"status": ["Not answered."]},
            )
        if actor.user is not None and a.sent_by_id == actor.user.pk:
            raise Conflict(
                f"{actor.label} sent {a.ref_id} and cannot also review it: someone else reviews the answers.",
                {"reviewer": ["The sender cannot review."]},
            )
        a.status = SupplierAssessmentStatus.REVIEWED
        a.reviewer = actor.user
        a.reviewed_at = timezone.now()
        a.decision = decision
        a.review_notes = notes
        a.save(update_fields=["status", "reviewer", "reviewed_at", "decision", "review_notes", "updated_at"])
        trail.record(
            actor,
            TrailAction.APPROVE,
            a,
            object_repr=f"{_repr(a)} reviewed: {a.get_decision_display()}",
            changes={
                "status": [SupplierAssessmentStatus.ANSWERED, SupplierAssessmentStatus.REVIEWED],
                "decision": [None, decision],
            },
            management_system_id=a.supplier.management_system_id,
        )
    return a


def answers_of(a: SupplierAssessment) -> list[tuple[Question, SupplierAnswer | None]]:
    """Each question of the assessment's version with its saved answer (or ``None``)."""
    saved = {x.question_id: x for x in a.answers.all()}
    return [(q, saved.get(q.pk)) for q in a.questionnaire.questions.order_by("position")]


__all__ = [
    "Supplier",
    "answer_by_link",
    "answers_of",
    "extend",
    "from_token",
    "get_assessment",
    "link_for",
    "review",
    "send",
    "token_for",
    "withdraw",
]
