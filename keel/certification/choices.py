"""Choices of keel.certification (class names prefixed: they become OpenAPI components)."""

from django.db import models


class CertificationAuditKind(models.TextChoices):
    STAGE_1 = "stage_1", "Stage 1"
    STAGE_2 = "stage_2", "Stage 2"
    SURVEILLANCE_1 = "surveillance_1", "Surveillance, year 1"
    SURVEILLANCE_2 = "surveillance_2", "Surveillance, year 2"
    RECERTIFICATION = "recertification", "Recertification"


KIND_ORDER = [k.value for k in CertificationAuditKind]


class CertificationAuditStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class CertificationOutcome(models.TextChoices):
    NONE = "", "Not yet known"
    READY = "ready", "Ready for the next stage"
    RECOMMENDED = "recommended", "Certification recommended"
    CONDITIONAL = "conditional", "Recommended once the major nonconformities are closed"
    CONTINUED = "continued", "Certification continued"
    NOT_RECOMMENDED = "not_recommended", "Not recommended"


class CbFindingGrade(models.TextChoices):
    MAJOR = "major", "Major nonconformity"
    MINOR = "minor", "Minor nonconformity"
    OBSERVATION = "observation", "Observation"
    OFI = "ofi", "Opportunity for improvement"


RAISES_NONCONFORMITY: dict[str, str] = {
    CbFindingGrade.MAJOR.value: "major",
    CbFindingGrade.MINOR.value: "minor",
}


class AuditorRequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    ANSWERED = "answered", "Answered"
    ACCEPTED = "accepted", "Accepted by the auditor"


class AuditorRequestLinkKind(models.TextChoices):
    DOCUMENT = "document", "Document"
    EVIDENCE = "evidence", "Evidence"
    CONTROL = "control", "Control"
    RECORD = "record", "Other record"


class IntegrationAnswerValue(models.TextChoices):
    YES = "yes", "Yes"
    PARTLY = "partly", "Partly"
    NO = "no", "No"
