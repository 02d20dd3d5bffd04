"""Status and type enums of the core domain."""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Administrator"
    COMPLIANCE_MANAGER = "compliance_manager", "Compliance manager"
    CONTRIBUTOR = "contributor", "Contributor (control owner)"
    AUDITOR = "auditor", "Auditor (read-only)"
    VIEWER = "viewer", "Viewer"


class OperatingModel(models.TextChoices):
    UNIFIED = "unified", "Unified (one system covering both standards)"
    FEDERATED = "federated", "Federated (separate systems, shared governance layer)"


class ManagementSystemStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    RETIRED = "retired", "Retired"


class ScopeStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved"
    SUPERSEDED = "superseded", "Superseded"


class LifecycleStage(models.TextChoices):
    """AI system life cycle stages (ISO/IEC 22989 / ISO/IEC 5338 vocabulary)."""

    DESIGN = "design", "Design"
    DEVELOPMENT = "development", "Development"
    VERIFICATION = "verification", "Verification and validation"
    DEPLOYMENT = "deployment", "Deployment"
    OPERATION = "operation", "Operation and monitoring"
    RETIRED = "retired", "Retirement"


class AIRole(models.TextChoices):
    """Roles an organisation can hold with respect to an AI system (ISO/IEC 22989)."""

    PROVIDER = "provider", "AI provider"
    PRODUCER = "producer", "AI producer"
    CUSTOMER = "customer", "AI customer (user)"
    PARTNER = "partner", "AI partner"
    SUBJECT = "subject", "AI subject"
    AUTHORITY = "authority", "Relevant authority"


class PartyCategory(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    END_USER = "end_user", "End user"
    AFFECTED_PERSON = "affected_person", "Affected person or community"
    EMPLOYEE = "employee", "Employee"
    INVESTOR = "investor", "Investor or board"
    REGULATOR = "regulator", "Regulator or authority"
    SUPPLIER = "supplier", "Supplier or partner"
    CERTIFICATION_BODY = "certification_body", "Certification body"
    SOCIETY = "society", "Society and the public"
    OTHER = "other", "Other"


class IssueKind(models.TextChoices):
    INTERNAL = "internal", "Internal"
    EXTERNAL = "external", "External"


class IssueCategory(models.TextChoices):
    POLITICAL = "political", "Political"
    ECONOMIC = "economic", "Economic"
    SOCIAL = "social", "Social"
    TECHNOLOGICAL = "technological", "Technological"
    LEGAL = "legal", "Legal and regulatory"
    ENVIRONMENTAL = "environmental", "Environmental and climate"
    ORGANISATIONAL = "organisational", "Organisational"


class IssueEffect(models.TextChoices):
    RISK = "risk", "Mainly a risk"
    OPPORTUNITY = "opportunity", "Mainly an opportunity"
    BOTH = "both", "Risk and opportunity"


class ClimateRelevance(models.TextChoices):
    """The climate-change determination of clause 4.1 (ISO/IEC 42001:2023 as published; ISO/IEC 27001:2022 through Amd 1:2024)."""

    NOT_DETERMINED = "not_determined", "Not yet determined"
    RELEVANT = "relevant", "Relevant"
    NOT_RELEVANT = "not_relevant", "Not relevant"


class Channel(models.TextChoices):
    WEB = "web", "Web"
    API = "api", "API"
    CLI = "cli", "CLI"
    SYSTEM = "system", "System"


class TrailAction(models.TextChoices):
    CREATE = "create", "Created"
    UPDATE = "update", "Updated"
    DELETE = "delete", "Deleted"
    APPROVE = "approve", "Approved"
    LOAD = "load", "Loaded"
    GRANT = "grant", "Granted"
    REVOKE = "revoke", "Revoked"
    LOGIN = "login", "Logged in"
    LOGIN_FAILED = "login_failed", "Login failed"
    REPAIR = "repair", "Repaired"
