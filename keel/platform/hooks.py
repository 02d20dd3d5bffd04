"""The hook and page-panel registry: how a lower app learns about a higher one without
importing it (docs/adr/0018-layers.md, docs/architecture.md).

Two shapes, after Saleor's plugin manager and NetBox's view registry:

- **Hooks**: a named event a lower app announces (``hooks.call("aisystem.stage_changed",
  actor=…, system=…)``) and higher apps answer with functions they register at start-up
  (``hooks.register("aisystem.stage_changed", fn)`` in their ``AppConfig.ready``). ``call``
  runs every registered function in registration order (the order of INSTALLED_APPS) inside
  the caller's transaction and returns their results; an exception propagates, so a failing
  hook rolls the whole change back. A hook with nothing registered is a no-op.
- **Panels**: a page of a lower app draws cards that higher apps contribute
  (``panels.register("requirement_detail", "controls/_requirement_panel.html", context_fn)``).
  The page asks :func:`render_panels` for the HTML of every registered panel, each rendered
  with its own template and the context its function returns.

Names are checked: ``call`` and ``render_panels`` refuse an event or page that is not declared
in :data:`EVENTS` / :data:`PAGES`, so a typo fails loudly instead of silently doing nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

# Every event a lower app announces, with what it passes.
EVENTS: dict[str, str] = {
    "roles.assignments": "user -> list of (role, management_system_id or None): the user's roles",
    "aisystem.changed": "actor, system, what (stage, intended_use, model, drift, data_quality), detail"
    "[, old_stage, new_stage]: inside the change's transaction",
    "aisystem.gate_problem": "system -> str: why the deployment gate stays shut, or ''",
    "aisystem.annotate_systems": "(registered() only) queryset -> queryset: columns for the AI system list",
    "control.annotate_controls": "(registered() only) queryset -> queryset: columns for the control list "
    "(evidence adds has_current_evidence)",
    "soa.draft_from_gap": "actor, management_system, standard -> dict: draft the SoA from the gap analysis "
    "(answered by gap; the SoA page offers it only when registered)",
    "choice_labels": "kind -> TextChoices class or None: labels for the choice_labels template filter",
    "person.owned": "person, viewer -> list of Owned: the records the person owns that the viewer may see",
    "management_system.restructured": "actor, kind ('split' or 'merge'), source, target, standard (the "
    "ISO/IEC 42001 Standard moved on a split, None on a merge) -> list of trail.Pending: called by aiact's "
    "split and merge inside their transaction; each app with records scoped to a management system moves "
    "or re-tags them (a split: what serves 42001 only goes to target, what serves both stays and is shared; "
    "a merge: everything of source goes to target) and returns the trail entries",
}
# Every page that draws panels; context functions receive (request, obj).
PAGES: dict[str, str] = {
    "requirement_detail": "the standards requirement page; obj is the Requirement",
    "aisystem_detail": "the AI system page; obj is the AISystem",
    "control_detail": "the control page; obj is the Control",
    "asset_detail": "the asset page; obj is the Asset",
    "supplier_detail": "the supplier page; obj is the Supplier (what depends on it: aisystems)",
}

_hooks: dict[str, list[Callable[..., Any]]] = {}


@dataclass(frozen=True)
class Owned:
    """One record a person owns, as the person page lists it (answer to ``person.owned``)."""

    kind: str  # "Control", "Risk", "AI system"…, the heading it is grouped under
    ref: str  # KC-012, IS-003… (may be empty)
    title: str
    url: str
    detail: str = ""  # status or role ("owner", "delegate")


@dataclass(frozen=True)
class Panel:
    page: str
    template: str
    context: Callable[..., dict[str, Any]]
    order: int


_panels: dict[str, list[Panel]] = {}


def _known(name: str, table: dict[str, str], what: str) -> None:
    if name not in table:
        raise LookupError(f"Unknown {what} {name!r}; declared: {', '.join(sorted(table))}")


def register(event: str, fn: Callable[..., Any]) -> None:
    """Answer ``event`` with ``fn``. Registering the same function twice is a no-op, so a
    ``ready()`` that runs twice (tests) does not double the effect."""
    _known(event, EVENTS, "hook")
    fns = _hooks.setdefault(event, [])
    if fn not in fns:
        fns.append(fn)


def call(event: str, **kwargs: Any) -> list[Any]:
    """Run every function registered for ``event``; their results, in registration order."""
    _known(event, EVENTS, "hook")
    return [fn(**kwargs) for fn in _hooks.get(event, [])]


def registered(event: str) -> list[Callable[..., Any]]:
    _known(event, EVENTS, "hook")
    return list(_hooks.get(event, []))


def register_panel(
    page: str, template: str, context: Callable[..., dict[str, Any]], order: int = 100
) -> None:
    """Draw ``template`` on ``page`` with the context ``context(request, obj)`` returns;
    lower ``order`` first."""
    _known(page, PAGES, "page")
    panels = _panels.setdefault(page, [])
    if not any(p.template == template for p in panels):
        panels.append(Panel(page, template, context, order))
        panels.sort(key=lambda p: p.order)


def panels_for(page: str) -> list[Panel]:
    _known(page, PAGES, "page")
    return list(_panels.get(page, []))


def render_panels(page: str, request: HttpRequest, obj: Any, **extra: Any) -> list[SafeString]:
    """The HTML of every panel registered for ``page``, in order."""
    out: list[SafeString] = []
    for panel in panels_for(page):
        context = panel.context(request, obj) | extra
        out.append(mark_safe(render_to_string(panel.template, context, request=request)))  # noqa: S308
    return out
