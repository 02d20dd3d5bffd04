"""Test helpers of management review, made through the services (so their trail entries exist)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.models import User

from .. import services
from ..models import ManagementReview

SYSTEM = Actor.system("test")


def review(systems: list[ManagementSystem], chair: User, **kw: Any) -> ManagementReview:
    data: dict[str, Any] = {"held_on": timezone.localdate() - dt.timedelta(days=1), **kw}
    return services.create_review(
        SYSTEM, management_systems=[ms.short_name for ms in systems], chair=chair.email, **data
    )


def held(systems: list[ManagementSystem], chair: User, **kw: Any) -> ManagementReview:
    r = review(systems, chair, **kw)
    return services.hold_review(SYSTEM, r.ref_id)
