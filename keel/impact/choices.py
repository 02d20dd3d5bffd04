"""Enums of the AI system impact assessment (ISO/IEC 42001 6.1.4, 8.4, A.5; record structure
after ISO/IEC 42005)."""

from __future__ import annotations

from django.db import models


class AssessmentStatus(models.TextChoices):
    """A version is a draft until approved; approving the next version supersedes it."""

    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded"


class Dimension(models.TextChoices):
    """What an impact touches. The first eight are ISO/IEC 42001 Annex C objectives (the impact
    then points at that objective, see ``ANNEX_C_OBJECTIVE``); the others are dimensions the
    EU AI Act fundamental rights impact assessment and a GDPR DPIA ask about that Annex C has no
    objective for."""

    FAIRNESS = "fairness", "Fairness"
    PRIVACY = "privacy", "Privacy"
    SAFETY = "safety", "Safety"
    TRANSPARENCY = "transparency", "Transparency and explainability"
    ACCOUNTABILITY = "accountability", "Accountability"
    ENVIRONMENTAL = "environmental", "Environmental impact"
    SECURITY = "security", "Security"
    ROBUSTNESS = "robustness", "Robustness"
    FUNDAMENTAL_RIGHTS = "fundamental_rights", "Fundamental rights (other)"
    WELLBEING = "wellbeing", "Well-being and autonomy"
    ECONOMIC = "economic", "Economic and livelihood"
    OTHER = "other", "Other"


# Dimension → ISO/IEC 42001 Annex C objective (reference in keel/standards/data/iso42001-2023).
ANNEX_C_OBJECTIVE: dict[str, str] = {
    Dimension.ACCOUNTABILITY: "C.2.1",
    Dimension.ENVIRONMENTAL: "C.2.4",
    Dimension.FAIRNESS: "C.2.5",
    Dimension.PRIVACY: "C.2.7",
    Dimension.ROBUSTNESS: "C.2.8",
    Dimension.SAFETY: "C.2.9",
    Dimension.SECURITY: "C.2.10",
    Dimension.TRANSPARENCY: "C.2.11",
}

# Dimension → the Annex C risk source an impact of that dimension most often comes from, used
# when an impact is raised into the AI risk register (the user can change it on the risk).
ANNEX_C_RISK_SOURCE: dict[str, str] = {
    Dimension.TRANSPARENCY: "C.3.2",  # lack of transparency and explainability
    Dimension.ACCOUNTABILITY: "C.3.3",  # level of automation
    Dimension.FAIRNESS: "C.3.4",  # risk sources related to machine learning (data bias)
    Dimension.ROBUSTNESS: "C.3.4",
}


class Affects(models.TextChoices):
    """Whom an impact falls on (ISO/IEC 42005: individuals, groups, society)."""

    INDIVIDUALS = "individuals", "Individuals"
    GROUPS = "groups", "Groups"
    SOCIETY = "society", "Society"


class Nature(models.TextChoices):
    BENEFIT = "benefit", "Benefit"
    HARM = "harm", "Harm"


class Occurrence(models.TextChoices):
    ACTUAL = "actual", "Actual"
    POTENTIAL = "potential", "Potential"


class Trigger(models.TextChoices):
    """What makes a re-assessment due."""

    STAGE = "stage", "Change of lifecycle stage"
    MODEL = "model", "New model or model version"
    INTENDED_USE = "intended_use", "Change of intended use"
    DRIFT = "drift", "Operating metric breached its threshold (drift)"
    DATA_QUALITY = "data_quality", "Failed data-quality check"
    INTERVAL = "interval", "Planned interval elapsed"
