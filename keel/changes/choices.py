"""Enums of the change process (ISO/IEC 27001 A.8.32, clause 6.3 of ISO/IEC 27001 and 42001,
ISO/IEC 42001 A.6.2): the three families, the kinds within each, and the workflow states."""

from __future__ import annotations

from django.db import models


class ChangeFamily(models.TextChoices):
    INFORMATION_SYSTEM = "information_system", "Information-system change"
    MODEL_LIFECYCLE = "model_lifecycle", "Model lifecycle change"
    MANAGEMENT_SYSTEM = "management_system", "Management-system change"


class ChangeType(models.TextChoices):
    """The kind of a change within its family (:data:`FAMILY_TYPES`)."""

    # information systems (27001 A.8.32)
    STANDARD = "standard", "Standard (pre-agreed, low risk)"
    NORMAL = "normal", "Normal"
    EMERGENCY = "emergency", "Emergency"
    # model lifecycle (42001 A.6.2)
    RETRAINING = "retraining", "Retraining"
    FINE_TUNING = "fine_tuning", "Fine-tuning"
    ARCHITECTURE = "architecture", "Architecture change"
    TRAINING_DATA = "training_data", "Training-data change"
    THRESHOLD_PROMPT = "threshold_prompt", "Threshold or prompt change"
    RETIREMENT = "retirement", "Retirement"
    # the management system itself (clause 6.3)
    SCOPE = "scope", "Scope or boundaries"
    STRUCTURE = "structure", "Structure (e.g. splitting or merging systems)"
    POLICY_PROCESS = "policy_process", "Policy or process"
    ROLES_RESOURCES = "roles_resources", "Roles, responsibilities or resources"
    OTHER = "other", "Other change to the management system"


FAMILY_TYPES: dict[str, tuple[str, ...]] = {
    ChangeFamily.INFORMATION_SYSTEM: (ChangeType.STANDARD, ChangeType.NORMAL, ChangeType.EMERGENCY),
    ChangeFamily.MODEL_LIFECYCLE: (
        ChangeType.RETRAINING,
        ChangeType.FINE_TUNING,
        ChangeType.ARCHITECTURE,
        ChangeType.TRAINING_DATA,
        ChangeType.THRESHOLD_PROMPT,
        ChangeType.RETIREMENT,
    ),
    ChangeFamily.MANAGEMENT_SYSTEM: (
        ChangeType.SCOPE,
        ChangeType.STRUCTURE,
        ChangeType.POLICY_PROCESS,
        ChangeType.ROLES_RESOURCES,
        ChangeType.OTHER,
    ),
}


class ChangeStatus(models.TextChoices):
    """draft → submitted → approved or rejected → implemented → closed (reviewed)."""

    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted for approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    IMPLEMENTED = "implemented", "Implemented"
    CLOSED = "closed", "Reviewed and closed"


# states in which a change may still be edited; states a deployment pipeline may go on with
EDITABLE = (ChangeStatus.DRAFT, ChangeStatus.SUBMITTED)
RELEASABLE = (ChangeStatus.APPROVED, ChangeStatus.IMPLEMENTED)
OPEN = (ChangeStatus.DRAFT, ChangeStatus.SUBMITTED, ChangeStatus.APPROVED)
