"""Status and result enums of the internal audit programme (names unique across Keel: they
become OpenAPI components)."""

from __future__ import annotations

from django.db import models


class AuditStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    REPORTED = "reported", "Reported"
    CLOSED = "closed", "Closed"


# the only moves an audit makes (a closed audit is final)
AUDIT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    AuditStatus.PLANNED: (AuditStatus.IN_PROGRESS,),
    AuditStatus.IN_PROGRESS: (AuditStatus.REPORTED,),
    AuditStatus.REPORTED: (AuditStatus.CLOSED, AuditStatus.IN_PROGRESS),
    AuditStatus.CLOSED: (),
}


class AuditItemResult(models.TextChoices):
    NOT_AUDITED = "not_audited", "Not audited"
    CONFORMING = "conforming", "Conforming"
    MINOR_NC = "minor_nc", "Minor nonconformity"
    MAJOR_NC = "major_nc", "Major nonconformity"
    OBSERVATION = "observation", "Observation"
    OFI = "ofi", "Opportunity for improvement"


class AuditFindingGrade(models.TextChoices):
    MAJOR_NC = "major_nc", "Major nonconformity"
    MINOR_NC = "minor_nc", "Minor nonconformity"
    OBSERVATION = "observation", "Observation"
    OFI = "ofi", "Opportunity for improvement"


# the grades that are nonconformities (they enter the improvement queue)
NONCONFORMING_GRADES = frozenset({AuditFindingGrade.MAJOR_NC, AuditFindingGrade.MINOR_NC})


class AuditSampleResult(models.TextChoices):
    PENDING = "pending", "Not yet tested"
    EFFECTIVE = "effective", "Operated as designed"
    EXCEPTION = "exception", "Exception"
    NOT_AVAILABLE = "not_available", "No record"
