"""The obligation catalogue, read from ``data/obligations.yaml``: which obligations of the Act
fall on an AI system given its classification, when each applies (with the history of its date:
original, changes and the acts that made them) and which ISO/IEC 42001 requirements carry it.

The rules of applicability are data (roles, tiers) plus a few named conditions
(:data:`CONDITIONS`) that read the stored classification; the dates are data only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import yaml

from .choices import GPAI, ActRole, HighRiskRoute, Tier

DATA = Path(__file__).parent / "data"


class Classified(Protocol):
    """What the catalogue reads of a classification (a stored one or a fresh result)."""

    tier: str
    role: str
    high_risk_route: str
    derogation_applied: bool
    public_body: bool
    gpai: str

    @property
    def annex_iii_points(self) -> Any: ...

    @property
    def transparency_cases(self) -> Any: ...


def _annex_iii(c: Classified) -> bool:
    return c.high_risk_route == HighRiskRoute.ANNEX_III


def _registration(c: Classified) -> bool:
    # Art. 49(1): Annex III systems except critical infrastructure (point 2)
    return _annex_iii(c) and any(p != "2" for p in c.annex_iii_points)


def _fria(c: Classified) -> bool:
    # Art. 27: public bodies and providers of public services, and deployers of 5(b) and 5(c)
    # systems, before first use of an Annex III system other than point 2
    points = set(c.annex_iii_points)
    if not _annex_iii(c) or not points - {"2"}:
        return False
    return c.public_body or bool(points & {"5(b)", "5(c)"})


def _case(point: str) -> Callable[[Classified], bool]:
    def has(c: Classified) -> bool:
        return point in c.transparency_cases

    return has


CONDITIONS: dict[str, Callable[[Classified], bool]] = {
    "annex_iii_registration": _registration,
    "derogation": lambda c: c.derogation_applied,
    "fria": _fria,
    "annex_i": lambda c: c.high_risk_route == HighRiskRoute.ANNEX_I,
    "gpai": lambda c: c.gpai in (GPAI.GPAI, GPAI.SYSTEMIC),
    "systemic": lambda c: c.gpai == GPAI.SYSTEMIC,
    **{f"art50_{n}": _case(f"50({n})") for n in range(1, 5)},
}


@dataclass(frozen=True)
class DateChange:
    """One entry of a timeline's history: the date from then on and the act that set it."""

    date: dt.date
    act: str  # key of ``acts``
    act_label: str
    note: str


@dataclass(frozen=True)
class Timeline:
    key: str
    history: tuple[DateChange, ...]

    @property
    def original(self) -> DateChange:
        return self.history[0]

    @property
    def current(self) -> DateChange:
        return self.history[-1]

    @property
    def changed(self) -> bool:
        return len(self.history) > 1


@dataclass(frozen=True)
class Obligation:
    key: str
    ref: str
    title: str
    summary: str
    roles: tuple[str, ...]
    tiers: tuple[str, ...]
    when: str
    timeline: str
    supports: tuple[str, ...]
    beyond: str

    def applies(self, c: Classified) -> bool:
        if c.tier == Tier.OUT_OF_SCOPE or c.role not in self.roles:
            return False
        if self.tiers and c.tier not in self.tiers:
            return False
        return CONDITIONS[self.when](c) if self.when else True

    def timeline_for(self, c: Classified | None = None) -> Timeline:
        """The timeline of this obligation; for ``high_risk``, the one of the system's route
        (Annex I or Annex III; Annex III when no classification says)."""
        cat = catalogue()
        if self.timeline != "high_risk":
            return cat.timelines[self.timeline]
        if c is not None and c.high_risk_route == HighRiskRoute.ANNEX_I:
            return cat.timelines["high_risk_annex_i"]
        return cat.timelines["high_risk_annex_iii"]

    def timelines(self) -> list[Timeline]:
        """Every timeline this obligation can follow (both routes for ``high_risk``)."""
        cat = catalogue()
        if self.timeline == "high_risk":
            return [cat.timelines["high_risk_annex_iii"], cat.timelines["high_risk_annex_i"]]
        return [cat.timelines[self.timeline]]


@dataclass(frozen=True)
class Catalogue:
    version: str
    acts: dict[str, str]
    timelines: dict[str, Timeline]
    obligations: tuple[Obligation, ...]

    def by_key(self) -> dict[str, Obligation]:
        return {o.key: o for o in self.obligations}

    def get(self, key: str) -> Obligation | None:
        return self.by_key().get(key)

    def applicable(self, c: Classified | None) -> list[Obligation]:
        return [o for o in self.obligations if c is not None and o.applies(c)]


def parse(raw: dict[str, Any]) -> Catalogue:
    """Build the catalogue; every problem in the file raises ``ValueError`` naming the entry."""
    acts = {str(k): str(v) for k, v in (raw.get("acts") or {}).items()}
    timelines: dict[str, Timeline] = {}
    for key, entries in (raw.get("timelines") or {}).items():
        history = []
        for e in entries or []:
            if e.get("act") not in acts:
                raise ValueError(f"timeline {key!r}: unknown act {e.get('act')!r}")
            if not isinstance(e.get("date"), dt.date):
                raise ValueError(f"timeline {key!r}: date must be YYYY-MM-DD")
            history.append(DateChange(e["date"], e["act"], acts[e["act"]], str(e.get("note", ""))))
        if not history:
            raise ValueError(f"timeline {key!r} has no date")
        timelines[str(key)] = Timeline(str(key), tuple(history))
    obligations, seen = [], set()
    for o in raw.get("obligations") or []:
        key = str(o.get("key", ""))
        if not key or key in seen:
            raise ValueError(f"obligation {key!r}: missing or repeated key")
        seen.add(key)
        for field in ("ref", "title", "summary", "roles", "timeline"):
            if not o.get(field):
                raise ValueError(f"obligation {key!r}: {field} is required")
        bad_roles = set(o["roles"]) - set(ActRole.values)
        bad_tiers = set(o.get("tiers") or []) - set(Tier.values)
        if bad_roles or bad_tiers:
            raise ValueError(f"obligation {key!r}: unknown roles or tiers {sorted(bad_roles | bad_tiers)}")
        if o.get("when") and o["when"] not in CONDITIONS:
            raise ValueError(f"obligation {key!r}: unknown condition {o['when']!r}")
        if o["timeline"] != "high_risk" and o["timeline"] not in timelines:
            raise ValueError(f"obligation {key!r}: unknown timeline {o['timeline']!r}")
        obligations.append(
            Obligation(
                key=key,
                ref=str(o["ref"]),
                title=str(o["title"]),
                summary=str(o["summary"]),
                roles=tuple(o["roles"]),
                tiers=tuple(o.get("tiers") or ()),
                when=str(o.get("when") or ""),
                timeline=str(o["timeline"]),
                supports=tuple(str(k) for k in o.get("supports") or ()),
                beyond=str(o.get("beyond") or ""),
            )
        )
    if any(o.timeline == "high_risk" for o in obligations) and not {
        "high_risk_annex_iii",
        "high_risk_annex_i",
    } <= set(timelines):
        raise ValueError("timelines high_risk_annex_iii and high_risk_annex_i are required")
    return Catalogue(str(raw.get("version", "")), acts, timelines, tuple(obligations))


@cache
def catalogue() -> Catalogue:
    with (DATA / "obligations.yaml").open(encoding="utf-8") as fh:
        return parse(yaml.safe_load(fh))
