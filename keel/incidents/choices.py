"""Status and type enums of keel.incidents (names unique across Keel: they become OpenAPI components)."""

from __future__ import annotations

from django.db import models


class IncidentFamily(models.TextChoices):
    SECURITY = "security", "Information security"
    AI = "ai", "AI"


class IncidentStatus(models.TextChoices):
    """The one runbook every incident follows, in order."""

    REPORT = "report", "Reported"
    TRIAGE = "triage", "Triage"
    CONTAIN = "contain", "Containment"
    INVESTIGATE = "investigate", "Investigation"
    RESOLVE = "resolve", "Resolution"
    LEARN = "learn", "Lessons learned"
    CLOSED = "closed", "Closed"


RUNBOOK: list[str] = [s.value for s in IncidentStatus]
OPEN_INCIDENT: list[str] = [s for s in RUNBOOK if s != IncidentStatus.CLOSED]


class IncidentSeverity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class IncidentFlag(models.TextChoices):
    """The facts of an incident that decide which regulatory clocks run and for how long. Each is a
    boolean field of :class:`~keel.incidents.models.Incident` of the same name."""

    SERIOUS_AI_INCIDENT = "serious_ai_incident", "Serious incident under the EU AI Act"
    WIDESPREAD_OR_CRITICAL = (
        "widespread_or_critical",
        "Widespread infringement or serious disruption of critical infrastructure",
    )
    DEATH = "death", "A person died"
    PERSONAL_DATA_BREACH = "personal_data_breach", "Personal data breach"
    NIS2_SIGNIFICANT = "nis2_significant", "Significant incident under NIS2"


FLAG_NAMES: list[str] = [f.value for f in IncidentFlag]


class ClockRegime(models.TextChoices):
    AI_ACT = "ai_act", "EU AI Act, Art. 73"
    GDPR = "gdpr", "GDPR, Art. 33"
    NIS2 = "nis2", "NIS2, Art. 23"
    CONTRACT = "contract", "Contract or other obligation"


class ClockStart(models.TextChoices):
    AWARENESS = "awareness", "When we became aware"
    REPORT = "report", "When it was reported"


class DurationUnit(models.TextChoices):
    HOURS = "hours", "hours"
    DAYS = "days", "days"
    MONTHS = "months", "months"


class TimelineKind(models.TextChoices):
    NOTE = "note", "Note"
    STATUS = "status", "Stage change"
    ACTION = "action", "Action taken"
    NOTIFICATION = "notification", "Notification made"
    DETECTION = "detection", "Detection"
    STEP = "step", "Playbook step"
