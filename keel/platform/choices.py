"""Enums of the platform: roles, channels and trail actions."""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Administrator"
    COMPLIANCE_MANAGER = "compliance_manager", "Compliance manager"
    CONTRIBUTOR = "contributor", "Contributor (control owner)"
    AUDITOR = "auditor", "Auditor (read-only)"
    VIEWER = "viewer", "Viewer"


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
