"""The audit trail page, and how trail entries read on a page (also the dashboard's recent
activity): readable object types and field names, user ids as people, long values folded, and
a link to the record each entry changed where a page shows it."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.text import capfirst

from keel.organisation import queries as organisation_queries
from keel.organisation.choices import AIRole, LifecycleStage
from keel.organisation.forms import TrailFilterForm
from keel.platform import trail
from keel.platform.models import TrailEntry, User
from keel.platform.pages import page
from keel.platform.permissions import Perm, has_perm
from keel.platform.views.common import current_user, is_partial

SHORT = 80  # characters of a value shown before it folds into <details>
EMPTY = "—"


# ---------------------------------------------------------------- how entries read


@dataclass(frozen=True)
class Value:
    """One value of a change, as text; a long one shows an excerpt and unfolds to all of it.
    ``focus`` is where the excerpt starts: where an old and a new text begin to differ, so two
    long texts that share their start do not look the same when folded."""

    text: str
    focus: int = 0

    @property
    def long(self) -> bool:
        return len(self.text) > SHORT or "\n" in self.text

    @property
    def short(self) -> str:
        if not self.long:
            return self.text
        start = self.focus
        if start > 0:
            space = self.text.rfind(" ", 0, start)
            start = space + 1 if space > start - 20 else start
        excerpt = " ".join(self.text[start:].split())  # line breaks fold into spaces
        cut = excerpt[: SHORT - 1].rstrip()
        return ("…" if start > 0 else "") + cut + ("…" if len(excerpt) > len(cut) else "")


def _focus(old: str, new: str) -> int:
    """Where an excerpt of two differing texts should start: a little before they part."""
    same = 0
    for a, b in zip(old, new, strict=False):
        if a != b:
            break
        same += 1
    return same - 24 if same > SHORT // 2 else 0


@dataclass(frozen=True)
class FieldChange:
    """One field of an entry: ``old`` → ``new``; a plain value (e.g. a version) is ``new`` alone
    with ``plain`` set."""

    name: str
    label: str
    old: Value | None
    new: Value | None
    plain: bool = False


@dataclass
class TrailRow:
    entry: TrailEntry
    type_label: str
    link: str = ""
    gone: bool = False  # the record was deleted since: it has no page any more
    fields: list[FieldChange] = field(default_factory=list)


@cache
def _model(object_type: str) -> type[Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def type_label(object_type: str) -> str:
    """``organisation.scopestatement`` -> ``Scope statement`` (the model's verbose name), or the stored
    type itself for a model Keel no longer has."""
    model = _model(object_type)
    return capfirst(str(model._meta.verbose_name)) if model is not None else object_type


@dataclass(frozen=True)
class _FieldInfo:
    label: str
    is_user: bool
    choices: dict[str, str]
    related: type[Model] | None = None  # the record a foreign key names (not a user)


@cache
def _field(object_type: str, name: str) -> _FieldInfo:
    """The readable name of a recorded field (the model field's verbose name), whether its
    values are user ids, and the labels of its choices."""
    model = _model(object_type)
    f: Any = None
    if model is not None:
        try:
            f = model._meta.get_field(name)
        except FieldDoesNotExist:
            f = None
    verbose = getattr(f, "verbose_name", None)
    label = capfirst(str(verbose)) if verbose else capfirst(name.replace("_", " "))
    label = re.sub(r"\bai\b", "AI", label, flags=re.IGNORECASE)  # "Ai systems" -> "AI systems"
    related = getattr(f, "related_model", None) if f is not None and f.is_relation else None
    is_user = related is not None and related._meta.label == settings.AUTH_USER_MODEL
    choices = getattr(f, "choices", None) or _LIST_CHOICES.get((object_type, name), ())
    return _FieldInfo(
        label, is_user, {str(k): str(v) for k, v in choices}, None if is_user or related is None else related
    )


# Lists of choices stored as JSON (the field itself declares no choices).
_LIST_CHOICES: dict[tuple[str, str], Any] = {
    ("organisation.scopestatement", "lifecycle_stages"): LifecycleStage.choices,
    ("organisation.scopestatement", "ai_roles"): AIRole.choices,
}


def _is_uuid(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _person(user: User) -> str:
    return f"{user.full_name} ({user.email})" if user.full_name else user.email


def _text(value: Any, info: _FieldInfo, found: organisation_queries.TrailLookups) -> str:
    if value is None or value == "" or value == []:
        return EMPTY
    if isinstance(value, bool):
        return "yes" if value else "no"
    if info.is_user and isinstance(value, str) and value in found.users:
        return _person(found.users[value])
    if isinstance(value, list):
        return ", ".join(_text(v, info, found) for v in value)
    if isinstance(value, dict):  # nested changes, e.g. a standard's own fields on a load
        return (
            "; ".join(f"{k.replace('_', ' ')}: {_nested(v, info, found)}" for k, v in value.items()) or EMPTY
        )
    text = str(value)
    if info.related is not None:
        # the record's name; a record deleted since keeps its id, said as such
        name = found.records.get((info.related._meta.label_lower, text))
        if name is not None:
            return name
        if _is_uuid(text) or text.isdigit():
            return f"a deleted {info.related._meta.verbose_name}"
    return info.choices.get(text, text)


def _nested(value: Any, info: _FieldInfo, found: organisation_queries.TrailLookups) -> str:
    if isinstance(value, list) and len(value) == 2:
        return f"{_text(value[0], info, found)} → {_text(value[1], info, found)}"
    return _text(value, info, found)


def _link(entry: TrailEntry, found: organisation_queries.TrailLookups, can_people: bool) -> tuple[str, bool]:
    """Where the record an entry changed is shown, and whether it has been deleted since."""
    kind, oid = entry.object_type, entry.object_id
    if kind in ("organisation.interestedparty", "organisation.contextissue"):
        if (kind, oid) not in found.existing:
            return "", True
        anchor = "party" if kind == "organisation.interestedparty" else "issue"
        return f"{reverse('context')}#{anchor}-{oid}", False
    if kind == "organisation.scopestatement" and oid in found.scopes:
        ms, std = found.scopes[oid]
        return reverse("scope-detail", args=[ms, std]), False
    if kind == "organisation.managementsystem":
        return f"{reverse('organisation')}#ms-{oid}", False
    if kind == "organisation.organisation":
        return reverse("organisation"), False
    if kind == "standards.standard" and oid in found.standards:
        return reverse("standard-detail", args=[found.standards[oid]]), False
    if kind == "standards.requirement" and oid in found.requirements:
        return reverse("requirement-detail", args=[found.requirements[oid]]), False
    if can_people and kind == "platform.user" and _is_uuid(oid):
        return reverse("person", args=[oid]), False
    if can_people and kind == "organisation.roleassignment":
        return reverse("people"), False
    return "", False


def describe(entries: list[TrailEntry], viewer: User, with_changes: bool = True) -> list[TrailRow]:
    """Trail entries as rows a person reads. Runs a fixed number of queries whatever the number
    of entries (see :func:`organisation_queries.trail_lookups`)."""
    entries = trail.readable(entries, viewer)
    changes = {e.seq: organisation_queries.trail_changes(e) for e in entries} if with_changes else {}
    user_ids: set[str] = set()
    related: dict[type[Model], set[str]] = {}
    for e in entries:
        for name, value in changes.get(e.seq, {}).items():
            info = _field(e.object_type, name)
            pair = value if isinstance(value, list) else [value]
            if info.is_user:
                user_ids |= {v for v in pair if _is_uuid(v)}
            elif info.related is not None:
                related.setdefault(info.related, set()).update(str(v) for v in pair if v not in (None, ""))
    found = organisation_queries.trail_lookups(entries, user_ids, related)
    can_people = has_perm(viewer, Perm.MANAGE_USERS)
    rows = []
    for e in entries:
        link, gone = _link(e, found, can_people)
        row = TrailRow(e, type_label(e.object_type), link, gone)
        for name, value in changes.get(e.seq, {}).items():
            info = _field(e.object_type, name)
            if isinstance(value, list) and len(value) == 2 and not _is_list_value(e.object_type, name):
                old, new = value
                old_text = None if old is None else _text(old, info, found)
                new_text = None if new is None else _text(new, info, found)
                focus = _focus(old_text, new_text) if old_text and new_text else 0
                row.fields.append(
                    FieldChange(
                        name,
                        info.label,
                        None if old_text is None else Value(old_text, focus),
                        None if new_text is None else Value(new_text, focus),
                    )
                )
            else:
                row.fields.append(
                    FieldChange(name, info.label, None, Value(_text(value, info, found)), plain=True)
                )
        rows.append(row)
    return rows


# Values that are themselves lists (not [old, new] pairs) in a change, by field: a load report.
_LIST_VALUED = {("standards.standard", n) for n in ("created", "updated", "withdrawn", "restored")} | {
    ("standards.vocabulary", n) for n in ("created", "updated", "withdrawn", "restored")
}


def _is_list_value(object_type: str, name: str) -> bool:
    return (object_type, name) in _LIST_VALUED


# ---------------------------------------------------------------- the page


def object_type_choices(types: list[str]) -> list[tuple[str, str]]:
    """The filter's object types, readable and sorted by what people read."""
    return sorted(((t, type_label(t)) for t in types), key=lambda c: c[1].lower())


@page(Perm.VIEW_TRAIL, anywhere=True)
def trail_page(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    params = request.GET.copy()
    params.pop("page", None)
    form = TrailFilterForm(
        params or None, object_types=object_type_choices(organisation_queries.trail_object_types())
    )
    filters = form.filters()
    page_obj = organisation_queries.trail_page(user, filters, request.GET.get("page", 1))
    rows = describe(list(page_obj.object_list), user)
    ctx = {"form": form, "page_obj": page_obj, "rows": rows}
    template = "organisation/_trail_table.html" if is_partial(request) else "organisation/trail.html"
    return render(request, template, ctx)
