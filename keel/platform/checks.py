"""The consistency check — "what an auditor would flag" (docs/consistency-check.md).

One service, :func:`run`, and one rule per kind of finding. The platform knows no rule: each
app contributes the rules about its own records from its ``hooks.py`` at start-up
(``checks.register(Rule(...))``), the way it registers hooks and panels (ADR 0018), so a rule
lives beside the records it reads and a lower layer never imports a higher one.

A rule is a function of the viewer's perimeter — the management systems whose records the
viewer may read (``None``: every one) — returning :class:`Finding` objects, each tied to one
management system (or to none: an organisation-level record) and carrying the link to the page
where the finding is fixed. :func:`run` filters the findings once more by that perimeter, so a
rule that forgets to narrow its query still shows nobody another system's records.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

from keel.platform.models import User
from keel.platform.permissions import Perm, system_ids_with

Systems = set[uuid.UUID] | None  # None: every management system


@dataclass(frozen=True)
class Finding:
    """One thing an auditor would flag: which rule, a one-line title, the detail that says what
    is wrong and how to fix it, the record it is about, the page that fixes it."""

    rule: str
    title: str
    detail: str
    record_label: str
    url: str
    management_system_id: uuid.UUID | None

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["management_system_id"] = str(self.management_system_id) if self.management_system_id else None
        return data


@dataclass(frozen=True)
class Rule:
    """A kind of finding: ``key`` (stable, used in the JSON and the API), ``title`` (what an
    auditor would say), ``app`` (which app contributes it), ``find`` (perimeter -> findings)."""

    key: str
    title: str
    app: str
    find: Callable[[Systems], Iterable[Finding]]
    order: int = 100


_rules: dict[str, Rule] = {}


def register(rule: Rule) -> None:
    """Add a rule. Registering the same key again replaces it (a ``ready()`` that runs twice);
    two apps claiming one key is a programming error."""
    known = _rules.get(rule.key)
    if known is not None and known.app != rule.app:
        raise ValueError(f"Check rule {rule.key!r} is already registered by {known.app}.")
    _rules[rule.key] = rule


def rules() -> list[Rule]:
    """Every registered rule, in order."""
    return sorted(_rules.values(), key=lambda r: (r.order, r.key))


def perimeter(user: User | None, *, trusted: bool = False) -> Systems:
    """The management systems whose findings ``user`` may see: those they may view. ``trusted``
    (the CLI's operating-system user) sees every one."""
    if trusted:
        return None
    return system_ids_with(user, Perm.VIEW)


def visible(finding: Finding, systems: Systems) -> bool:
    """A finding of a management system is seen by those who may view that system; an
    organisation-level one by anyone who may view anything."""
    if systems is None:
        return True
    if finding.management_system_id is None:
        return bool(systems)
    return finding.management_system_id in systems


def run(systems: Systems, *, only: Iterable[str] = ()) -> list[Finding]:
    """Every finding within ``systems`` (see :func:`perimeter`), rule by rule in the rules'
    order, each rule's findings in the order it gives them. ``only`` narrows to rule keys
    (an unknown key is a :class:`LookupError`)."""
    wanted = set(only)
    unknown = wanted - set(_rules)
    if unknown:
        raise LookupError(
            f"Unknown check rule {', '.join(sorted(unknown))}; known: {', '.join(sorted(_rules))}"
        )
    if systems is not None and not systems:
        return []
    found: list[Finding] = []
    for rule in rules():
        if wanted and rule.key not in wanted:
            continue
        found.extend(f for f in rule.find(systems) if visible(f, systems))
    return found


def summary(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """Per rule, in the rules' order: key, title, how many findings (zero included)."""
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.rule] = counts.get(f.rule, 0) + 1
    return [{"rule": r.key, "title": r.title, "count": counts.get(r.key, 0)} for r in rules()]


def in_systems(systems: Systems, field: str = "management_system_id") -> dict[str, Any]:
    """Keyword arguments that narrow a queryset to ``systems`` (nothing when ``None``)."""
    return {} if systems is None else {f"{field}__in": systems}
