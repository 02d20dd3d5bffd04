"""Incidents of system A for the permission matrix, made through the services on demand (the
catalogue is seeded the first time) and rolled back with each case."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from keel.incidents import catalogue, services
from keel.incidents.models import Incident
from keel.platform.actor import Actor
from keel.platform.models import User
from keel.platform.permissions import Perm, has_perm

from .permission_world import World

SYSTEM = Actor.system("matrix")


def incident_a(w: World) -> Incident:
    found = Incident.objects.filter(ref_id="INC-900").first()
    if found is None:
        catalogue.ensure_incident_catalogue()
        found = services.report_incident(
            SYSTEM,
            management_system=w.a,
            incident_type="security-incident",
            title="Lost laptop",
            personal_data_breach=True,
        )
        Incident.objects.filter(pk=found.pk).update(ref_id="INC-900")
        found.ref_id = "INC-900"
    return found


def reviewed_a(w: World) -> Incident:
    incident = incident_a(w)
    if incident.reviewed_at is None:
        services.record_review(
            SYSTEM,
            incident.ref_id,
            review_what_happened="Lost.",
            review_root_cause="Careless.",
            review_lessons="Lock it.",
        )
    return incident


def kwargs(w: World, u: User | None) -> dict[str, Any]:
    return {"ref": incident_a(w).ref_id}


def reviewed_kwargs(w: World, u: User | None) -> dict[str, Any]:
    return {"ref": reviewed_a(w).ref_id}


def step_kwargs(w: World, u: User | None) -> dict[str, Any]:
    incident = incident_a(w)
    return {"ref": incident.ref_id, "step": str(incident.steps.order_by("order").first().pk)}  # type: ignore[union-attr]


def step_params(w: World, u: User | None) -> dict[str, Any]:
    incident = incident_a(w)
    return {"ref": incident.ref_id, "step_id": str(incident.steps.order_by("order").first().pk)}  # type: ignore[union-attr]


def clock_kwargs(w: World, u: User | None) -> dict[str, Any]:
    return {"ref": incident_a(w).ref_id, "clock": "gdpr-breach-notification"}


def type_kwargs(w: World, u: User | None) -> dict[str, Any]:
    catalogue.ensure_incident_catalogue()
    return {"slug": "security-incident"}


def clock_slug_kwargs(w: World, u: User | None) -> dict[str, Any]:
    catalogue.ensure_incident_catalogue()
    return {"slug": "gdpr-breach-notification"}


def reporting_system(w: World, u: User | None) -> str:
    for ms in (w.a, w.b):
        if has_perm(u, Perm.REPORT_INCIDENTS, ms):
            return ms.short_name
    return w.a.short_name


def report_form(w: World, u: User | None) -> dict[str, Any]:
    catalogue.ensure_incident_catalogue()
    return {
        "incident_type": "security-incident",
        "management_system": reporting_system(w, u),
        "title": "Phishing",
        "severity": "low",
        "aware_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }


def edit_form(w: World, u: User | None) -> dict[str, Any]:
    incident = incident_a(w)
    return {
        "incident_type": "security-incident",
        "title": "Lost laptop, found again",
        "severity": "low",
        "aware_at": timezone.localtime(incident.aware_at).strftime("%Y-%m-%dT%H:%M"),
        "personal_data_breach": "on",
    }


def review_form(w: World, u: User | None) -> dict[str, Any]:
    return {"review_what_happened": "Lost.", "review_root_cause": "Careless.", "review_lessons": "Lock it."}


def type_form(w: World, u: User | None) -> dict[str, Any]:
    catalogue.ensure_incident_catalogue()
    return {"name": "Matrix type", "family": "security", "order": "5", "clocks": ["gdpr-breach-notification"]}


def clock_form(w: World, u: User | None) -> dict[str, Any]:
    catalogue.ensure_incident_catalogue()
    return {
        "name": "Matrix clock",
        "regime": "contract",
        "starts_from": "awareness",
        "duration": "2",
        "unit": "days",
        "order": "5",
    }
