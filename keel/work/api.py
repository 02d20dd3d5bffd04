"""The JSON API of keel.work: ``GET /my-work`` (the caller's due and overdue items; with
``person=`` another person's, for those allowed) and ``GET /notifications`` (what the reminder
job sent; one's own, or everyone's for those who may see other people's work)."""

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from keel.platform.api import Page, actor, paginate, permission, responses
from keel.platform.filters import parse as filters_of
from keel.platform.permissions import Perm, check

from . import queries
from .schemas import MyWorkOut, NotificationFilters, NotificationOut

router = Router(tags=["work"])


def _caller(request: HttpRequest) -> Any:
    who = actor(request)
    check(who, Perm.VIEW)
    return who.user


@router.get(
    "/my-work",
    response=responses(MyWorkOut),
    openapi_extra=permission(Perm.VIEW),
    summary="What is due soon or overdue for the caller (or, with person=, for another person)",
    operation_id="get_my_work",
)
def get_my_work(request: HttpRequest, person: str = "") -> dict[str, Any]:
    viewer = _caller(request)
    who = queries.person_for(viewer, person.strip())
    work = queries.my_work(who, viewer)
    items = work.overdue + work.soon
    return {
        "person": who.email,
        "today": work.today,
        "horizon_days": work.horizon_days,
        "overdue": len(work.overdue),
        "due_soon": len(work.soon),
        "items": [
            {
                "key": d.key,
                "source": work.sources.get(d.key, ""),
                "kind": d.kind,
                "title": d.title,
                "url": d.url,
                "due": d.due,
                "overdue": d.overdue(work.today),
                "detail": d.detail,
                "management_system": d.management_system_id,
            }
            for d in items
        ],
    }


@router.get(
    "/notifications",
    response=responses(Page[NotificationOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="The reminders sent (the caller's own; everyone's with view_others_work)",
    operation_id="list_notifications",
)
def list_notifications(request: HttpRequest, f: Query[NotificationFilters]) -> dict[str, Any]:
    viewer = _caller(request)
    return paginate(
        queries.notifications(viewer, filters_of(queries.NotificationFilters, f)), f.limit, f.offset
    )
