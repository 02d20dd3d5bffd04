"""Dates and datetimes as the API accepts them: ISO 8601 text only.

Pydantic on its own reads a number as a Unix timestamp, so ``until=0.5`` was taken as
1970-01-01T00:00:00.5Z and ``0`` as 1 January 1970. The API's date fields use
:data:`IsoDate` (``YYYY-MM-DD``) and :data:`IsoDateTime` (ISO 8601, e.g.
``2026-03-31T09:00:00Z``); a number, or text that is only a number, is a 422 that says so."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator

NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")
MESSAGE = "Give a date as YYYY-MM-DD (a date and time as ISO 8601, e.g. 2026-03-31T09:00:00Z), not a number."


def reject_numbers(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float | Decimal) or (isinstance(value, str) and NUMBER.fullmatch(value)):
        raise ValueError(MESSAGE)
    return value


IsoDate = Annotated[dt.date, BeforeValidator(reject_numbers)]
IsoDateTime = Annotated[dt.datetime, BeforeValidator(reject_numbers)]
