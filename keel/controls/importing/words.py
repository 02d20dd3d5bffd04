"""The words people write in control spreadsheets (normalised) → Keel's values, for status,
frequency, type and effectiveness; an unknown word in an optional field never rejects a row."""

from __future__ import annotations

import re

from keel.controls.choices import ControlType, Effectiveness, Frequency, ImplementationStatus
from keel.platform.importing.columns import normalise
from keel.platform.importing.report import text
from keel.platform.spreadsheets import Cell

# Words people write in spreadsheets (normalised) → our values.
STATUS_WORDS: dict[str, str] = {
    **dict.fromkeys(
        [
            "implemented",
            "done",
            "complete",
            "completed",
            "in place",
            "yes",
            "y",
            "operational",
            "live",
            "operating",
            "effective",
            "fully implemented",
            "active",
            "in use",
            "established",
        ],
        ImplementationStatus.IMPLEMENTED,
    ),
    **dict.fromkeys(
        [
            "in progress",
            "progress",
            "ongoing",
            "partial",
            "partially",
            "partially implemented",
            "partly",
            "partly implemented",
            "wip",
            "work in progress",
            "started",
            "in implementation",
            "implementing",
            "in development",
            "being implemented",
        ],
        ImplementationStatus.IN_PROGRESS,
    ),
    **dict.fromkeys(
        [
            "planned",
            "plan",
            "not started",
            "to do",
            "todo",
            "open",
            "new",
            "not implemented",
            "no",
            "n",
            "tbd",
            "proposed",
            "backlog",
            "missing",
            "gap",
            "not yet",
            "pending",
        ],
        ImplementationStatus.PLANNED,
    ),
    **dict.fromkeys(
        ["not applicable", "n a", "na", "excluded", "not relevant", "out of scope", "none"],
        ImplementationStatus.NOT_APPLICABLE,
    ),
}
FREQUENCY_WORDS: dict[str, str] = {
    **dict.fromkeys(
        [
            "continuous",
            "continuously",
            "ongoing",
            "always",
            "real time",
            "realtime",
            "automated",
            "automatic",
            "constant",
            "permanent",
        ],
        Frequency.CONTINUOUS,
    ),
    **dict.fromkeys(
        [
            "per event",
            "on each event",
            "each event",
            "event",
            "event driven",
            "on event",
            "ad hoc",
            "adhoc",
            "as needed",
            "as required",
            "on demand",
            "per change",
            "on change",
            "per request",
            "per occurrence",
            "when needed",
            "per incident",
        ],
        Frequency.PER_EVENT,
    ),
    **dict.fromkeys(["daily", "every day", "day", "nightly"], Frequency.DAILY),
    **dict.fromkeys(["weekly", "every week", "week"], Frequency.WEEKLY),
    **dict.fromkeys(["monthly", "every month", "month"], Frequency.MONTHLY),
    **dict.fromkeys(
        ["quarterly", "every quarter", "quarter", "every 3 months", "3 monthly"], Frequency.QUARTERLY
    ),
    **dict.fromkeys(
        [
            "semi annually",
            "semi annual",
            "semiannually",
            "semiannual",
            "half yearly",
            "biannually",
            "biannual",
            "every 6 months",
            "every six months",
            "twice a year",
            "6 monthly",
            "bi annually",
            "bi annual",
        ],
        Frequency.SEMI_ANNUALLY,
    ),
    **dict.fromkeys(
        ["annually", "annual", "yearly", "every year", "once a year", "year", "12 months", "every 12 months"],
        Frequency.ANNUALLY,
    ),
}
TYPE_WORDS: dict[str, str] = {
    **dict.fromkeys(["policy", "policies", "directive", "governance"], ControlType.POLICY),
    **dict.fromkeys(
        [
            "process",
            "procedure",
            "procedural",
            "organisational",
            "organizational",
            "administrative",
            "operational",
            "management",
        ],
        ControlType.PROCESS,
    ),
    **dict.fromkeys(
        ["technical", "technological", "technology", "automated", "logical", "it"], ControlType.TECHNICAL
    ),
    **dict.fromkeys(["physical", "environmental", "facility", "facilities"], ControlType.PHYSICAL),
    **dict.fromkeys(["people", "person", "human", "personnel", "hr", "staff"], ControlType.PEOPLE),
}
EFFECTIVENESS_WORDS: dict[str, str] = {
    **dict.fromkeys(["not assessed", "unknown", "not tested", "untested", "tbd"], Effectiveness.NOT_ASSESSED),
    **dict.fromkeys(["effective", "yes", "passed", "pass"], Effectiveness.EFFECTIVE),
    **dict.fromkeys(
        ["partly effective", "partially effective", "partial", "partly", "needs improvement"],
        Effectiveness.PARTLY_EFFECTIVE,
    ),
    **dict.fromkeys(["ineffective", "not effective", "failed", "fail", "no"], Effectiveness.INEFFECTIVE),
}
CHOICE_WORDS = {
    "status": STATUS_WORDS,
    "frequency": FREQUENCY_WORDS,
    "type": TYPE_WORDS,
    "effectiveness": EFFECTIVENESS_WORDS,
}
CHOICE_LABELS = {
    "status": ImplementationStatus,
    "frequency": Frequency,
    "type": ControlType,
    "effectiveness": Effectiveness,
}
DEFAULTS = {
    "type": ControlType.PROCESS,
    "frequency": Frequency.ANNUALLY,
    "status": ImplementationStatus.PLANNED,
}
MAX_LENGTHS = {"ref_id": 32, "title": 200}


def choice(fld: str, cell: Cell) -> tuple[str | None, str]:
    """(value, error) for a choice field."""
    word = normalise(text(cell))
    words = CHOICE_WORDS[fld]
    labels = CHOICE_LABELS[fld]
    value = words.get(word) or (word.replace(" ", "_") if word.replace(" ", "_") in labels.values else None)
    if value is None:
        return None, (
            f"{fld} {text(cell)!r} is not understood; use one of: "
            f"{', '.join(str(lbl) for lbl in labels.labels)}"
        )
    return str(value), ""


# Words that start an event-driven frequency ("Per hire", "On change", "Upon request").
_EVENT = re.compile(r"^(per|on|upon|each|every|at each|at every|after|when|whenever|with each|at)\b")
_PERIOD_WORDS = {
    "day": Frequency.DAILY,
    "week": Frequency.WEEKLY,
    "month": Frequency.MONTHLY,
    "quarter": Frequency.QUARTERLY,
    "year": Frequency.ANNUALLY,
    "annum": Frequency.ANNUALLY,
}


def optional_choice(fld: str, cell: Cell) -> tuple[str | None, str, str]:
    """(value, note, warning) for an optional choice field: a word Keel does not know never
    rejects a row. A frequency written as an event ("Per hire", "On change") is the event-driven
    value with the word kept as its note; any other unknown frequency keeps the word as the note
    and the default value; an unknown status, type or effectiveness is left out. Each of these
    last cases has a warning."""
    value, error = choice(fld, cell)
    word = text(cell)
    if not error:
        keep = fld == "frequency" and value == Frequency.PER_EVENT and normalise(word) != "per event"
        return value, word[:120] if keep else "", ""
    if fld == "frequency":
        normal = normalise(word)
        period = (
            _PERIOD_WORDS.get(normal.split()[-1]) if normal.split()[0] in ("per", "every", "each") else None
        )
        if period and len(normal.split()) == 2:
            return str(period), "", ""
        if _EVENT.match(normal):
            return str(Frequency.PER_EVENT), word[:120], ""
        return (
            None,
            word[:120],
            f"frequency {word!r} is not a frequency Keel knows: kept as the control's note",
        )
    return None, "", f"{error}; the row is imported without it"
