"""Write-side services of the certification cycle (docs/certification.md): one transaction each,
the ``edit_certification`` permission (organisation level: a certificate covers the organisation),
the row locked for every read-change-save, and an audit-trail entry. A certification body's major
or minor nonconformity enters the one nonconformity queue through
:func:`keel.improvement.services.raise_nonconformity`, in the same transaction as the finding."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from keel.controls.queries import control_ref
from keel.documents.queries import document_detail, document_for
from keel.evidence.queries import evidence_detail, evidence_for
from keel.improvement import refs as improvement_refs
from keel.improvement.choices import NonconformitySource
from keel.improvement.services import raise_nonconformity
from keel.organisation import resolvers
from keel.organisation.models import Organisation
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import next_ref
from keel.platform.errors import Conflict, NotFound, ValidationFailed
from keel.platform.permissions import Perm, check
from keel.platform.records import clean
from keel.standards.models import Standard

from .choices import (
    RAISES_NONCONFORMITY,
    AuditorRequestLinkKind,
    AuditorRequestStatus,
    CbFindingGrade,
    CertificationAuditKind,
    CertificationAuditStatus,
    CertificationOutcome,
    IntegrationAnswerValue,
)
from .models import (
    AuditorRequest,
    AuditorRequestLink,
    CbFinding,
    CertificationAudit,
    CertificationCycle,
    IntegrationAnswer,
)
from .questions import QUESTIONS

CYCLE_FIELDS = (
    "ref_id",
    "title",
    "certification_body",
    "certificate_number",
    "decision_on",
    "expires_on",
    "notes",
)
AUDIT_FIELDS = (
    "ref_id", "kind", "status", "planned_start", "planned_end", "actual_start", "actual_end",
    "auditors", "audit_days", "outcome", "notes",
)  # fmt: skip
REQUEST_FIELDS = (
    "ref_id",
    "text",
    "requested_by",
    "requested_on",
    "due_on",
    "owner",
    "status",
    "answer",
    "answered_on",
)


def _date(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ValidationFailed(
            f"{field}: {value!r} is not a date (YYYY-MM-DD).", {field: ["Not a date."]}
        ) from None


def _choice(value: Any, choices: Any, field: str) -> str:
    value = str(value or "")
    if value not in choices.values:
        allowed = ", ".join(v for v in choices.values if v)
        raise ValidationFailed(
            f"{field}: {value!r} is not one of {allowed}.", {field: ["Not a valid choice."]}
        )
    return value


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = value.replace("\n", ",").split(",")
    return [str(v).strip() for v in value if str(v).strip()]


def _standards(keys: Iterable[Any]) -> list[Standard]:
    keys = [str(k).strip() for k in keys if str(k).strip()]
    if not keys:
        raise ValidationFailed(
            "standards: name at least one standard (e.g. iso27001:2022).", {"standards": ["Required."]}
        )
    found = {s.key: s for s in Standard.objects.filter(key__in=keys)}
    missing = [k for k in keys if k not in found]
    if missing:
        raise ValidationFailed(
            f"standards: unknown standard {', '.join(missing)}.", {"standards": ["Unknown standard."]}
        )
    return [found[k] for k in keys]


def cycle(ref: CertificationCycle | uuid.UUID | str, *, lock: bool = False) -> CertificationCycle:
    if isinstance(ref, CertificationCycle):
        ref = ref.pk
    qs = CertificationCycle.objects.select_for_update() if lock else CertificationCycle.objects.all()
    pk = resolvers.as_uuid(ref)
    found = qs.filter(pk=pk).first() if pk else qs.filter(ref_id__iexact=str(ref).strip()).first()
    if found is None:
        raise NotFound(f"No certification cycle {ref!r}.")
    return found


def audit(ref: CertificationAudit | uuid.UUID | str, *, lock: bool = False) -> CertificationAudit:
    if isinstance(ref, CertificationAudit):
        ref = ref.pk
    qs = CertificationAudit.objects.select_related("cycle")
    if lock:
        qs = qs.select_for_update(of=("self",))
    pk = resolvers.as_uuid(ref)
    found = qs.filter(pk=pk).first() if pk else qs.filter(ref_id__iexact=str(ref).strip()).first()
    if found is None:
        raise NotFound(f"No certification audit {ref!r}.")
    return found


def request(ref: AuditorRequest | uuid.UUID | str, *, lock: bool = False) -> AuditorRequest:
    if isinstance(ref, AuditorRequest):
        ref = ref.pk
    qs = AuditorRequest.objects.select_related("cycle")
    if lock:
        qs = qs.select_for_update(of=("self",))
    pk = resolvers.as_uuid(ref)
    found = qs.filter(pk=pk).first() if pk else qs.filter(ref_id__iexact=str(ref).strip()).first()
    if found is None:
        raise NotFound(f"No auditor request {ref!r}.")
    return found


# ---------------------------------------------------------------- cycles


def create_cycle(
    actor: Actor,
    *,
    title: str,
    standards: Iterable[str],
    certification_body: str,
    management_systems: Iterable[Any] = (),
    certificate_number: str = "",
    decision_on: Any = None,
    expires_on: Any = None,
    notes: str = "",
    organisation: Organisation | None = None,
) -> CertificationCycle:
    with transaction.atomic():
        check(actor, Perm.EDIT_CERTIFICATION)
        org = improvement_refs.organisation(organisation)
        stds = _standards(standards)
        systems = improvement_refs.management_systems(management_systems, actor)
        obj = CertificationCycle(
            ref_id=next_ref(CertificationCycle, "CERT-"),
            organisation=org,
            title=(title or "").strip(),
            certification_body=(certification_body or "").strip(),
            certificate_number=(certificate_number or "").strip(),
            decision_on=_date(decision_on, "decision_on"),
            expires_on=_date(expires_on, "expires_on"),
            notes=notes or "",
        )
        if obj.decision_on and not obj.expires_on:
            obj.expires_on = obj.decision_on.replace(year=obj.decision_on.year + 3) - dt.timedelta(days=1)
        clean(obj, "certification cycle", exclude=["standards", "management_systems"])
        obj.save()
        obj.standards.set(stds)
        obj.management_systems.set(systems)
        trail.record(
            actor,
            TrailAction.CREATE,
            obj,
            changes={**trail.snapshot(obj, CYCLE_FIELDS), "standards": [s.key for s in stds]},
            management_system_ids=[ms.pk for ms in systems],
        )
        return obj


def update_cycle(actor: Actor, ref: Any, **data: Any) -> CertificationCycle:
    allowed = {"title", "certification_body", "certificate_number", "decision_on", "expires_on", "notes"}
    unknown = set(data) - allowed
    if unknown:
        raise ValidationFailed(
            f"Unknown field(s): {', '.join(sorted(unknown))}.", {k: ["Unknown field."] for k in unknown}
        )
    with transaction.atomic():
        check(actor, Perm.EDIT_CERTIFICATION)
        obj = cycle(ref, lock=True)
        before = trail.snapshot(obj, CYCLE_FIELDS)
        for name, value in data.items():
            if name in ("decision_on", "expires_on"):
                value = _date(value, name)
            setattr(obj, name, value if value is not None else "")
        if obj.decision_on and not obj.expires_on:
            obj.expires_on = obj.decision_on.replace(year=obj.decision_on.year + 3) - dt.timedelta(days=1)
        clean(obj, "certification cycle", exclude=["standards", "management_systems"])
        obj.save()
        trail.record(
            actor, TrailAction.UPDATE, obj, changes=trail.diff(before, trail.snapshot(obj, CYCLE_FIELDS))
        )
        return obj


# ---------------------------------------------------------------- audits


def add_audit(
    actor: Actor,
    cycle_ref: Any,
    *,
    kind: str,
    planned_start: Any = None,
    planned_end: Any = None,
    auditors: Any = (),
    audit_days: Any = None,
    notes: str = "",
) -> CertificationAudit:
    with transaction.atomic():
        check(actor, Perm.EDIT_CERTIFICATION)
        c = cycle(cycle_ref, lock=True)
        kind = _choice(kind, CertificationAuditKind, "kind")
        if c.audits.filter(kind=kind).exists():
            raise Conflict(
                f"kind: {c.ref_id} already has its {CertificationAuditKind(kind).label.lower()} audit."
            )
        start, end = _date(planned_start, "planned_start"), _date(planned_end, "planned_end")
        if start and end and end < start:
            raise ValidationFailed(
                "planned_end: the audit cannot end before it starts.", {"planned_end": ["Before the start."]}
            )
        obj = CertificationAudit(
            ref_id=next_ref(CertificationAudit, "CBA-"),
            cycle=c,
            kind=kind,
            planned_start=start,
            planned_end=end or start,
            auditors=_names(auditors),
            audit_days=_days(audit_days),
            notes=notes or "",
        )
        clean(obj, "certification audit")
        obj.save()
        trail.record(actor, TrailAction.CREATE, obj, changes=trail.snapshot(obj, AUDIT_FIELDS))
        return obj


def _days(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        days = Decimal(str(value))
    except InvalidOperation:
        raise ValidationFailed("audit_days: not a number.", {"audit_days": ["Not a number."]}) from None
    if days <= 0 or days > 999:
        raise ValidationFailed("audit_days: between 0.5 and 999.", {"audit_days": ["Out of range."]})
    return days


def record_audit(actor: Actor, ref: Any, **data: Any) -> CertificationAudit:
    """Update an audit: dates, auditors, days, status and outcome. Marking it done needs its
    actual end date."""
    allowed = {
        "status",
        "planned_start",
        "planned_end",
        "actual_start",
        "actual_end",
        "auditors",
        "audit_days",
        "outcome",
        "notes",
    }
    unknown = set(data) - allowed
    if unknown:
        raise ValidationFailed(
            f"Unknown field(s): {', '.join(sorted(unknown))}.", {k: ["Unknown field."] for k in unknown}
        )
    with transaction.atomic():
        check(actor, Perm.EDIT_CERTIFICATION)
        obj = audit(ref, lock=True)
        before = trail.snapshot(obj, AUDIT_FIELDS)
        for name, value in data.items():
            if name == "status":
                value = _choice(value, CertificationAuditStatus, "status")
            elif name == "outcome":
                value = _choice(value or "", CertificationOutcome, "outcome")
            elif name == "auditors":
                value = _names(value)
            elif name == "audit_days":
                value = _days(value)
            elif name != "notes":
                value = _date(value, name)
            setattr(
                obj, name, value if value is not None or name.endswith(("_start", "_end", "days")) else ""
            )
        if obj.status == CertificationAuditStatus.DONE and obj.actual_end is None:
            raise ValidationFailed(
                "actual_end: record the day the audit ended before marking it done.",
                {"actual_end": ["Required when done."]},
            )
        if obj.actual_start and obj.actual_end and obj.actual_end < obj.actual_start:
            raise ValidationFailed(
                "actual_end: the audit cannot end before it starts.", {"actual_end": ["Before the start."]}
            )
        clean(obj, "certification audit")
        obj.save()
        trail.record(
            actor, TrailAction.UPDATE, obj, changes=trail.diff(before, trail.snapshot(obj, AUDIT_FIELDS))
        )
        return obj


def add_finding(
    actor: Actor,
    audit_ref: Any,
    *,
    grade: str,
    title: str,
    description: str = "",
    requirements: Iterable[Any] = (),
    raised_on: Any = None,
    owner: Any = None,
) -> CbFinding:
    """Record a finding of the certification body; a major or minor nonconformity enters the
    nonconformity queue at once (source: certification audit), in the same transaction."""
    with transaction.atomic():
        check(actor, Perm.EDIT_CERTIFICATION)
        a = audit(audit_ref, lock=True)
        grade = _choice(grade, CbFindingGrade, "grade")
        title = (title or "").strip()
        if not title:
            raise ValidationFailed("title: say what the auditor found.", {"title": ["Required."]})
        reqs = improvement_refs.requirements(list(requirements)) if requirements else []
        number = (a.findings.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        finding = CbFinding(
            audit=a,
            number=number,
            grade=grade,
            title=title,
            description=description or "",
            requirement_keys=[r.key for r in reqs],
            raised_on=_date(raised_on, "raised_on") or a.actual_end or timezone.localdate(),
        )
        clean(finding, "finding")
        finding.save()
        if grade in RAISES_NONCONFORMITY:
            nc = raise_nonconformity(
                actor,
                organisation=a.cycle.organisation,
                title=title,
                description=description or title,
                source=NonconformitySource.CERTIFICATION_AUDIT,
                source_ref=f"{a.ref_id} F-{number}",
                source_url=reverse("certification-audit", args=[a.ref_id]),
                kind=RAISES_NONCONFORMITY[grade],
                management_systems=list(a.cycle.management_systems.all()),
                requirements=reqs,
                owner=owner,
                raised_on=finding.raised_on,
            )
            finding.nonconformity_ref = nc.ref_id
            finding.save(update_fields=["nonconformity_ref"])
        trail.record(
            actor,
            TrailAction.CREATE,
            object_type="certification.cbfinding",
            object_id=str(finding.pk),
            object_repr=f"{a.ref_id} F-{number} {title}"[:255],
            changes={
                "grade": grade,
                "title": title,
                "requirements": finding.requirement_keys,
                "nonconformity": finding.nonconformity_ref,
            },
        )
        return finding


# ---------------------------------------------------------------- auditor requests


def add_request(
    actor: Actor,
    cycle_ref: Any,
    *,
    text: str,
    requested_by: str = "",
    requested_on: Any = None,
    due_on: Any = None,
    audit_ref: Any = None,
    owner: Any = None,
) -> AuditorRequest:
    with transaction.atomic():
        check(actor, Perm.EDIT_CERTIFICATION)
        c = cycle(cycle_ref)
        text = (text or "").strip()
        if not text:
            raise ValidationFailed("text: write what the auditor asked for.", {"text": ["Required."]})
        a = audit(audit_ref) if audit_ref else None
        if a is not None and a.cycle_id != c.pk:
            raise ValidationFailed(
                f"audit: {a.ref_id} belongs to another cycle.", {"audit": ["Another cycle."]}
            )
        obj = AuditorRequest(
            ref_id=next_ref(AuditorRequest, "AR-"),
            cycle=c,
            audit=a,
            text=text,
            requested_by=(requested_by or "").strip(),
            requested_on=_date(requested_on, "requested_on") or timezone.localdate(),
            due_on=_date(due_on, "due_on"),
            owner=improvement_refs.person(owner, "owner"),
        )
        clean(obj, "auditor request")
        obj.save()
        trail.record(actor, TrailAction.CREATE, obj, changes=trail.snapshot(obj, REQUEST_FIELDS))
        return obj


def _target(actor: Actor, kind: str, ref: str, title: str, url: str) -> tuple[str, str, str]:
    """(ref, title, url) of the record that answers: found in Keel for documents, evidence and
    controls (within the actor's perimeter); given for other records."""
    ref = (ref or "").strip()
    trusted = actor.user is None and actor.channel in {"cli", "system"}
    if kind == AuditorRequestLinkKind.DOCUMENT:
        d = document_detail(ref) if trusted else document_for(actor.user, ref)
        return d.ref_id, d.title, reverse("document-detail", args=[d.ref_id])
    if kind == AuditorRequestLinkKind.EVIDENCE:
        e = evidence_detail(ref) if trusted else evidence_for(actor.user, ref)
        return e.ref_id, e.title, reverse("evidence-detail", args=[e.ref_id])
    if kind == AuditorRequestLinkKind.CONTROL:
        c = control_ref(ref, actor, field="ref")
        return c.ref_id, c.title, reverse("control-detail", args=[c.ref_id])
    title, url = (title or "").strip(), (url or "").strip()
    if not title or not url:
        raise ValidationFailed(
            "title, url: name the record and give its page.", {"url": ["Required for other records."]}
        )
    if not (url.startswith("/") or url.startswith("https://") or url.startswith("http://")):
        raise ValidationFailed(
            "url: a Keel page (/…) or a web address (https://…).", {"url": ["Not a link."]}
        )
    return ref or title[:64], title, url


def link_request(
    actor: Actor, request_ref: Any, *, kind: str, ref: str = "", title: str = "", url: str = ""
) -> AuditorRequestLink:
    """Answer a request with a record; an open request becomes answered."""
    with transaction.atomic():
        check(actor, Perm.EDIT_CERTIFICATION)
        r = request(request_ref, lock=True)
        kind = _choice(kind, AuditorRequestLinkKind, "kind")
        ref, title, url = _target(actor, kind, ref, title, url)
        if r.links.filter(kind=kind, ref=ref).exists():
            raise Conflict(f"ref: {ref} already answers {r.ref_id}.")
        try:
            with transaction.atomic():
                link = AuditorRequestLink.objects.create(
                    request=r, kind=kind, ref=ref, title=title[:300], url=url[:500]
                )
        except IntegrityError:  # pragma: no cover - the lock above serialises the check
            raise Conflict(f"ref: {ref} already answers {r.ref_id}.") from None
        if r.status == AuditorRequestStatus.OPEN:
            r.status, r.answered_on = AuditorRequestStatus.ANSWERED, timezone.localdate()
            r.save(update_fields=["status", "answered_on", "updated_at"])
        trail.record(
            actor,
            TrailAction.UPDATE,
            r,
            changes={"linked": {"kind": kind, "ref": ref, "title": title}, "status": r.status},
        )
        return link


def set_request_status(
    actor: Actor, request_ref: Any, *, status: str, answer: str | None = None
) -> AuditorRequest:
    with transaction.atomic():
        check(actor, Perm.EDIT_CERTIFICATION)
        r = request(request_ref, lock=True)
        before = trail.snapshot(r, REQUEST_FIELDS)
        status = _choice(status, AuditorRequestStatus, "status")
        if status != AuditorRequestStatus.OPEN and not r.links.exists() and not (answer or r.answer).strip():
            raise ValidationFailed(
                f"status: {r.ref_id} has no answer yet: link the records that answer it, or write the answer.",
                {"status": ["No answer yet."]},
            )
        r.status = status
        if answer is not None:
            r.answer = answer.strip()
        if status != AuditorRequestStatus.OPEN and r.answered_on is None:
            r.answered_on = timezone.localdate()
        if status == AuditorRequestStatus.OPEN:
            r.answered_on = None
        r.save()
        trail.record(
            actor, TrailAction.UPDATE, r, changes=trail.diff(before, trail.snapshot(r, REQUEST_FIELDS))
        )
        return r


# ---------------------------------------------------------------- the integration self-assessment


def answer_question(
    actor: Actor, *, question: str, answer: str, note: str = "", organisation: Organisation | None = None
) -> IntegrationAnswer:
    with transaction.atomic():
        check(actor, Perm.EDIT_CERTIFICATION)
        if question not in QUESTIONS:
            raise ValidationFailed(
                f"question: {question!r} is not one of {', '.join(QUESTIONS)}.",
                {"question": ["Unknown question."]},
            )
        answer = _choice(answer, IntegrationAnswerValue, "answer")
        org = improvement_refs.organisation(organisation)
        obj = (
            IntegrationAnswer.objects.select_for_update().filter(organisation=org, question=question).first()
        )
        before: dict[str, Any] = {"answer": obj.get_answer_display(), "note": obj.note} if obj else {}
        if obj is None:
            obj = IntegrationAnswer(organisation=org, question=question)
        obj.answer, obj.note, obj.answered_by = answer, note or "", actor.user
        obj.save()
        label = IntegrationAnswerValue(answer).label
        trail.record(
            actor,
            TrailAction.UPDATE if before else TrailAction.CREATE,
            obj,
            changes=dict(trail.diff(before, {"answer": label, "note": obj.note}))
            if before
            else {"question": QUESTIONS[question].text, "answer": label, "note": obj.note},
        )
        return obj
