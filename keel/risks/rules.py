"""The one rule for a risk's acceptance on a given day.

The stored ``Risk.acceptance`` says what was decided; an exception also has an expiry date
(``RiskApproval.exception_expires``). No scheduled job rewrites anything when that date comes:
every read computes the state with :func:`acceptance_on` (one risk in Python) or
:func:`acceptance_expression` (the same rule as a queryset annotation, for filters and lists).
A test checks that the two agree.

**The expiry date is exclusive**: an exception expiring on D is in force up to and including
D - 1; on D itself the acceptance has lapsed ("the exception expired on D").
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, CharField, F, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from .choices import Acceptance, AcceptanceState, ApprovalState

LAPSING_DAYS = 30  # the register flags exceptions that lapse within this many days


def acceptance_on(acceptance: str, exception_expires: dt.date | None, on: dt.date) -> str:
    """The acceptance state on ``on``: an approved exception whose expiry date is ``on`` or
    earlier has lapsed (the risk needs a new decision); every other state is as stored."""
    if acceptance == Acceptance.EXCEPTION and exception_expires is not None and exception_expires <= on:
        return AcceptanceState.LAPSED
    return acceptance


def lapses_soon(acceptance: str, exception_expires: dt.date | None, on: dt.date) -> bool:
    """An exception in force on ``on`` that lapses within :data:`LAPSING_DAYS` days."""
    return (
        acceptance_on(acceptance, exception_expires, on) == AcceptanceState.EXCEPTION
        and exception_expires is not None
        and (exception_expires - on).days <= LAPSING_DAYS
    )


def exception_expires_subquery() -> Subquery:
    """The expiry date of the risk's exception in force (or awaiting its second approver)."""
    from .models import RiskApproval

    return Subquery(
        RiskApproval.objects.filter(
            risk=OuterRef("pk"),
            is_exception=True,
            state__in=[ApprovalState.ACTIVE, ApprovalState.PENDING],
        )
        .order_by("-approved_at")
        .values("exception_expires")[:1]
    )


def acceptance_expression(on: dt.date, expires: str = "exception_until") -> Case:
    """:func:`acceptance_on` as an SQL expression over ``acceptance`` and the annotation
    ``expires`` (:func:`exception_expires_subquery`)."""
    return Case(
        When(
            Q(acceptance=Acceptance.EXCEPTION)
            & Q(**{f"{expires}__isnull": False})
            & Q(**{f"{expires}__lte": on}),
            then=Value(AcceptanceState.LAPSED.value),
        ),
        default=F("acceptance"),
        output_field=CharField(),
    )


# ---------------------------------------------------------------- assessments due


def months_before(when: dt.datetime, months: int) -> dt.datetime:
    """``when`` minus ``months`` calendar months (the day clipped to the month's length)."""
    month = when.month - 1 - months
    year, month = when.year + month // 12, month % 12 + 1
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return when.replace(year=year, month=month, day=min(when.day, days))


def assessment_due_on(
    *,
    reassessment_reason: str,
    reassessment_since: dt.datetime | None,
    review_date: dt.date | None,
    assessed_at: dt.datetime,
    interval_months: int | None,
    now: dt.datetime,
) -> tuple[str, str, dt.date] | None:
    """Why an open risk is due for re-assessment on ``now``, as ``(trigger, reason, since)``, or
    ``None``. In order: an event marked it (a significant change, an approved impact
    assessment); its review date has come; the planned interval of the methodology version it
    was assessed under has elapsed since it was last assessed. The queryset form in
    :func:`keel.risks.queries.assessments_due` applies the same rule (a test checks they agree)."""
    if reassessment_reason:
        since = reassessment_since or now
        return ("event", reassessment_reason, timezone.localtime(since).date())
    today = timezone.localtime(now).date()
    if review_date is not None and review_date <= today:
        return ("review_date", f"Its review date ({review_date.isoformat()}) has come.", review_date)
    if interval_months and assessed_at <= months_before(now, interval_months):
        last = timezone.localtime(assessed_at).date()
        return (
            "interval",
            f"Planned interval: last assessed {last.isoformat()}, re-assessed every {interval_months} months.",
            timezone.localtime(months_before(assessed_at, -interval_months)).date(),
        )
    return None
