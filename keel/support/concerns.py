"""Concerns about AI systems (ISO/IEC 42001 A.3.3): reporting, with reporter protection, and
answering.

Reporter protection: an anonymous concern stores no reporter at all. A named concern stores the
reporter, and only people with ``view_concern_reporters`` see who it is (pages, API). The audit
trail entry of a report is written under the channel's name, never the reporter's, and leaves
the reporter out of its changes, so the trail (which auditors read) does not reveal them either.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version, next_ref
from keel.platform.errors import ValidationFailed
from keel.platform.permissions import Perm, check, has_perm
from keel.platform.records import apply_fields, clean

from . import services
from .choices import OPEN_CONCERN, ConcernStatus
from .models import Concern

CHANNEL_LABEL = "concern reporting channel"
REPORT_FIELDS = ("management_system", "ai_system", "summary", "description")
RESPONSE_FIELDS = ("status", "response", "handler")
TRAIL_FIELDS = ("ref_id", "management_system", "ai_system", "summary", "description", "anonymous", "status")


def get(ref: uuid.UUID | str, lock: bool = False) -> Concern:
    return services.get(services.Spec(Concern, "concern", (), prefix="CN-"), ref, lock=lock)


def report(actor: Actor, *, anonymous: bool = False, **data: Any) -> Concern:
    """Report a concern. ``management_system`` may be left out when ``ai_system`` is given (the
    concern belongs to the system's management system)."""
    with transaction.atomic():
        values = services.resolve(actor, data)
        system = values.get("ai_system")
        if system is not None:
            if (
                values.get("management_system") not in (None, "")
                and values["management_system"] != system.management_system
            ):
                raise ValidationFailed(
                    "The AI system belongs to another management system.",
                    {"ai_system": ["Another management system."]},
                )
            values["management_system"] = system.management_system
        elif values.get("management_system") in (None, ""):
            raise ValidationFailed(
                "Name the AI system the concern is about, or its management system.",
                {"ai_system": ["Required without a management system."]},
            )
        concern = Concern(reported_on=timezone.localdate(), anonymous=bool(anonymous))
        apply_fields(concern, values, REPORT_FIELDS)
        check(actor, Perm.REPORT_CONCERNS, concern.management_system)
        concern.reporter = None if anonymous else actor.user
        concern.ref_id = next_ref(Concern, "CN-")
        clean(concern, "concern")
        concern.save()
        channel = Actor(user=None, label=CHANNEL_LABEL, channel=actor.channel)
        trail.record(
            channel,
            TrailAction.CREATE,
            concern,
            changes=trail.diff({}, trail.snapshot(concern, TRAIL_FIELDS)),
        )
    return concern


def respond(
    actor: Actor, ref: uuid.UUID | str, *, expected_version: str | None = None, **data: Any
) -> Concern:
    """Change a concern's status, response or handler. Answering or closing needs a response."""
    with transaction.atomic():
        concern = get(ref, lock=True)
        check(actor, Perm.HANDLE_CONCERNS, concern.management_system)
        check_version(concern, expected_version, concern.ref_id)
        before = trail.snapshot(concern, (*RESPONSE_FIELDS, "responded_on"))
        apply_fields(concern, services.resolve(actor, data), RESPONSE_FIELDS)
        if concern.status not in OPEN_CONCERN and not concern.response.strip():
            raise ValidationFailed(
                "Write the response before marking the concern answered or closed.",
                {"response": ["Required to answer or close."]},
            )
        if concern.response.strip() and concern.responded_on is None:
            concern.responded_on = timezone.localdate()
        if concern.status == ConcernStatus.RECEIVED and concern.response.strip():
            concern.status = ConcernStatus.ANSWERED
        clean(concern, "concern")
        concern.save()
        changes = trail.diff(before, trail.snapshot(concern, (*RESPONSE_FIELDS, "responded_on")))
        if changes:
            trail.record(actor, TrailAction.UPDATE, concern, changes=changes)
    return concern


def may_see_reporter(user: Any, concern: Concern) -> bool:
    return bool(has_perm(user, Perm.VIEW_CONCERN_REPORTERS, concern.management_system_id))
