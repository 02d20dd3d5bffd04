"""A list's filters, declared once (issue 10).

Each list declares its filters as one dataclass in its app's ``queries.py`` (or, for an app
with many lists, ``list_filters.py``), one field per filter, made with :func:`choice`,
:func:`text`, :func:`reference`, :func:`date`, :func:`moment`, :func:`boolean` or
:func:`integer`::

    @dataclass
    class ControlFilters:
        status: str = filters.choice(ShownStatus, any="Any status", help="…")
        owner: str = filters.reference(label="Owner", any="Anyone", options=owner_options,
                                       help="The owner's email.")
        q: str = filters.text(label="Search", max_length=100, help="Words in the title.")

Everything else comes from that declaration:

- the **query object** is the dataclass itself (a string per filter, ``""`` for "no filter";
  ``None`` for the typed kinds: dates, moments, booleans, numbers), what ``queries.py``
  filters with and the CLI builds;
- the **API query schema** (:func:`api_schema`, or :func:`schema_of` on an empty ``Filters``
  class in ``schemas.py`` so that the schema stays a named class): ``limit`` and ``offset``,
  then one optional parameter per filter (an enum for fixed choices, a length limit for text,
  the declared ``help`` as its description; ``api_type``/``api_default``/``api_name`` where the
  API's parameter differs); :func:`parse` turns a parsed schema back into the dataclass, which
  is what a handler reads;
- the **page form** (:class:`FilterForm`): one field per filter, with the declared label,
  the "any" option first, fixed choices or the ``options`` callable's choices (called with the
  form's keyword arguments, for example ``user=``), and a picker or hidden widget.

A filter only one side has (the template library's "adopted" is a page filter; a list's
``order`` is hidden on the page) says so with ``api=False`` or ``form=False``; the test
``keel/platform/tests/test_filters.py`` checks that every list's schema and form carry exactly
the declared names.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar, Generic, Literal, TypeVar, cast

from django import forms
from ninja import Field, Schema
from pydantic import create_model

from keel.platform.forms import DATE, KeelForm
from keel.platform.isodates import IsoDateTime
from keel.platform.schemas import Filters

Kind = Literal["choice", "text", "bool", "date", "datetime", "reference", "int"]
# kinds whose query value is typed (``None`` for "no filter"); the others hold a string
TYPED: frozenset[str] = frozenset({"bool", "date", "datetime", "int"})
Choices = Sequence[tuple[str, str]]
Options = Callable[[Mapping[str, Any]], Iterable[tuple[str, str]]]

_KEY = "keel_filter"


@dataclasses.dataclass(frozen=True)
class FilterField:
    """One filter of a list: what the API parameter and the page field are made from."""

    kind: Kind
    label: str = ""
    help: str = ""
    # fixed choices: a TextChoices class (the API parameter is that enum) or (value, label) pairs
    choices: type[enum.Enum] | Choices | None = None
    any: str | None = None  # the page's first option, meaning "no filter" (None: no such option)
    # choices known only when the page is drawn (the systems a person may view, the owners…)
    options: Options | None = None
    max_length: int | None = None
    default: str = ""
    api: bool = True
    form: bool = True
    hidden: bool = False  # on the page: a hidden field (a sort order kept from a column header)
    widget_attrs: Mapping[str, Any] | Callable[[], Mapping[str, Any]] | None = None
    invalid_choice: str = ""  # the page's message for a value not among the choices
    api_type: Any = None  # the API parameter's type when the kind's default does not fit
    api_default: Any = None  # a non-null API default (``""`` for "no filter") instead of null
    api_name: str = ""  # the API parameter's name when it is not the field's (the page's is)

    def choice_pairs(self) -> list[tuple[str, str]]:
        if self.choices is None:
            return []
        if isinstance(self.choices, type):
            return [(str(m.value), str(getattr(m, "label", m.value))) for m in self.choices]
        return [(str(v), str(lbl)) for v, lbl in self.choices]


def _declare(kind: Kind, default: str = "", **kwargs: Any) -> Any:
    return dataclasses.field(
        default=default, metadata={_KEY: FilterField(kind=kind, default=default, **kwargs)}
    )


def choice(choices: type[enum.Enum] | Choices | None = None, *, default: str = "", **kwargs: Any) -> Any:
    """A filter with a value among ``choices`` (fixed) or among ``options`` (known when drawn)."""
    return _declare("choice", default, choices=choices, **kwargs)


def text(*, default: str = "", **kwargs: Any) -> Any:
    """Free text (a search, a tag)."""
    return _declare("text", default, **kwargs)


def reference(*, default: str = "", **kwargs: Any) -> Any:
    """A reference to a record (an email, a short name, a key): resolved by the query, which
    answers "not found" for what the caller may not see. On the page, a choice when ``options``
    is given, else a text field (with a picker through ``widget_attrs``)."""
    return _declare("reference", default, **kwargs)


def _typed(kind: Kind, **kwargs: Any) -> Any:
    return dataclasses.field(default=None, metadata={_KEY: FilterField(kind=kind, **kwargs)})


def date(**kwargs: Any) -> Any:
    """A day (ISO ``YYYY-MM-DD``; ``None`` for "no filter")."""
    return _typed("date", **kwargs)


def moment(**kwargs: Any) -> Any:
    """A date and time (ISO 8601; ``None`` for "no filter")."""
    return _typed("datetime", **kwargs)


def boolean(**kwargs: Any) -> Any:
    """Yes or no (``None`` for "no filter")."""
    return _typed("bool", **kwargs)


def integer(**kwargs: Any) -> Any:
    """A whole number (``None`` for "no filter")."""
    return _typed("int", **kwargs)


def spec(filters: type[Any]) -> dict[str, FilterField]:
    """The declared filters of a list, in declaration order (a field declared otherwise is
    not a filter: something the code sets, such as the risk list's ``extra``)."""
    return {f.name: f.metadata[_KEY] for f in dataclasses.fields(filters) if _KEY in f.metadata}


# ---------------------------------------------------------------- the API


def _api_field(name: str, f: FilterField) -> tuple[Any, Any]:
    kwargs: dict[str, Any] = {}
    if f.help:
        kwargs["description"] = f.help
    if f.api_type is not None:
        typ = f.api_type
    elif f.kind == "choice" and isinstance(f.choices, type):
        typ = f.choices
    elif f.kind == "choice" and f.choices is not None:
        typ = Literal[tuple(v for v, _ in f.choice_pairs())]
    elif f.kind == "date":
        typ = datetime.date
    elif f.kind == "datetime":
        typ = IsoDateTime
    elif f.kind == "bool":
        typ = bool
    elif f.kind == "int":
        typ = int
    else:
        typ = str
        if f.max_length:
            kwargs["max_length"] = f.max_length
    if f.default or f.api_default is not None:
        return typ, Field(f.default if f.default else f.api_default, **kwargs)
    return typ | None, Field(None, **kwargs)


def api_schema(filters: type[Any], name: str | None = None, module: str | None = None) -> type[Filters]:
    """The django-ninja query schema of a list: ``limit``, ``offset`` and every filter the API
    has, in declaration order."""
    fields = {f.api_name or n: _api_field(n, f) for n, f in spec(filters).items() if f.api}
    model = create_model(  # type: ignore[call-overload]
        name or filters.__name__,
        __base__=Filters,
        __module__=module or filters.__module__,
        **fields,
    )
    model.keel_filters = filters
    return cast(type[Filters], model)


S = TypeVar("S", bound=type[Filters])


def schema_of(filters: type[Any]) -> Callable[[S], S]:
    """Class decorator: the decorated (empty) ``Filters`` class becomes the query schema of
    ``filters`` (:func:`api_schema`), under its own name, module and docstring::

        @filters.schema_of(queries.ControlFilters)
        class ControlFilters(Filters):
            \"\"\"The control list's parameters.\"\"\"
    """

    def make(cls: S) -> S:
        model = api_schema(filters, cls.__name__, module=cls.__module__)
        model.__doc__ = cls.__doc__
        model.__qualname__ = cls.__qualname__
        return cast(S, model)

    return make


def value(v: Any) -> Any:
    """A parsed parameter as the query object holds it: an enum as its value, a date in ISO
    form, a boolean as ``"yes"``/``"no"``, a number as it is, nothing as ``""``."""
    if v is None:
        return ""
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, datetime.date):
        return v.isoformat()
    return str(getattr(v, "value", v))


F = TypeVar("F")


def _held(f: FilterField, v: Any) -> Any:
    if f.kind in TYPED:
        return None if v == "" else v
    return value(v) or f.default


def parse(filters: type[F], params: Schema, **extra: Any) -> F:
    """The query object of a list from its parsed API parameters (``limit`` and ``offset`` are
    the pagination's); ``extra`` sets what the handler decides itself."""
    declared = spec(filters)
    data = {n: _held(f, getattr(params, f.api_name or n, None)) for n, f in declared.items() if f.api}
    return filters(**data | extra)


# ---------------------------------------------------------------- the page


def _form_field(f: FilterField) -> forms.Field:
    kwargs: dict[str, Any] = {"required": False}
    if f.label:
        kwargs["label"] = f.label
    attrs = f.widget_attrs() if callable(f.widget_attrs) else f.widget_attrs
    if f.kind == "int":
        return forms.IntegerField(widget=forms.HiddenInput if f.hidden else forms.NumberInput, **kwargs)
    if f.kind == "date":
        return forms.DateField(widget=forms.HiddenInput if f.hidden else DATE, **kwargs)
    if f.kind == "datetime":
        return forms.DateTimeField(widget=forms.HiddenInput if f.hidden else forms.DateTimeInput, **kwargs)
    if f.kind == "bool":
        return forms.NullBooleanField(widget=forms.NullBooleanSelect, **kwargs)
    if f.kind == "choice" or (f.kind == "reference" and f.options is not None):
        choices = f.choice_pairs()
        if f.any is not None:
            choices = [("", f.any), *choices]
        if f.invalid_choice:
            kwargs["error_messages"] = {"invalid_choice": f.invalid_choice}
        select: forms.Widget = forms.HiddenInput() if f.hidden else forms.Select(attrs=dict(attrs or {}))
        return forms.ChoiceField(choices=choices, widget=select, **kwargs)
    if f.max_length:
        kwargs["max_length"] = f.max_length
    text_input: forms.Widget = forms.HiddenInput() if f.hidden else forms.TextInput(attrs=dict(attrs or {}))
    return forms.CharField(widget=text_input, **kwargs)


class FilterForm(KeelForm, Generic[F]):
    """The filter form of a list page, made from the list's declaration (:attr:`filters_class`).

    Keyword arguments (``user=``, ``methodology=``…) are handed to the ``options`` callables of
    the declaration. :meth:`filters` is the query object: the valid values, ``""`` for the
    others; :meth:`valid_filters` only the filters that are set and valid."""

    filters_class: ClassVar[type[Any]]

    def __init__(
        self,
        data: Any = None,
        *,
        auto_id: str | bool = "id_%s",
        prefix: str | None = None,
        initial: dict[str, Any] | None = None,
        **context: Any,
    ) -> None:
        cls = type(self)
        if "_declared" not in cls.__dict__:
            cls._declared = {n: f for n, f in spec(cls.filters_class).items() if f.form}
            cls.base_fields = {n: _form_field(f) for n, f in cls._declared.items()} | cls.declared_fields
        super().__init__(data, auto_id=auto_id, prefix=prefix, initial=initial)
        self.context = context
        for name, f in cls._declared.items():
            if f.options is not None and name not in cls.declared_fields:
                field = cast(forms.ChoiceField, self.fields[name])
                opts = list(f.options(context))
                field.choices = [("", f.any), *opts] if f.any is not None else opts

    _declared: ClassVar[dict[str, FilterField]]

    def _cleaned(self) -> dict[str, Any]:
        data = getattr(self, "cleaned_data", {})
        return {n: _held(f, data.get(n)) for n, f in self._declared.items() if n not in self.errors}

    def filters(self) -> F:
        """The query object: every filter as the person set it, or no filter at all when one of
        them is not valid (the page says which)."""
        if not self.is_valid():
            return cast(F, self.filters_class())
        return cast(F, self.filters_class(**self._cleaned()))

    def problem(self) -> str:
        """What a list page says when some of the filters it was given are not valid (each with
        its label and why), or ``""``: one wording on every list page."""
        if not self.is_bound or self.is_valid():
            return ""
        return "Some filters were not understood and were not applied: " + " ".join(
            f"{self.fields[n].label or n}: {' '.join(str(x) for x in e)}" for n, e in self.errors.items()
        )

    def valid_filters(self) -> dict[str, Any]:
        """The filters that are set and valid; an invalid one is left out (the page says which),
        the others still apply."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            n: _held(f, data.get(n))
            for n, f in self._declared.items()
            if n not in self.errors and data.get(n) is not None and data.get(n) != ""
        }
