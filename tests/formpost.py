"""What a browser would post back from a page's form, read from the rendered HTML: the
values the page showed, unchanged (for "saving unchanged changes nothing" tests)."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any


class _FormValues(HTMLParser):
    def __init__(self, form_index: int) -> None:
        super().__init__(convert_charrefs=True)
        self.form_index = form_index
        self.forms_seen = -1
        self.inside = False
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._select_multiple = False
        self._select_first: str | None = None
        self._select_chosen = False
        self._option_value: str | None = None
        self._option_selected = False
        self._option_text = ""
        self._textarea: str | None = None
        self._text = ""

    def _add(self, name: str, value: str) -> None:
        self.data.setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self.forms_seen += 1
            self.inside = self.forms_seen == self.form_index
            return
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self._add(name, a.get("value", "on"))
                return
            self._add(name, a.get("value", ""))
        elif tag == "select" and name and "disabled" not in a:
            self._select, self._select_multiple = name, "multiple" in a
            self._select_first, self._select_chosen = None, False
        elif tag == "option" and self._select is not None:
            self._option_value = a.get("value")
            self._option_selected = "selected" in a
            self._option_text = ""
        elif tag == "textarea" and name and "disabled" not in a:
            self._textarea, self._text = name, ""

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text += data
        if self._option_value is None and self._select is not None:
            self._option_text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "option" and self._select is not None:
            value = self._option_value if self._option_value is not None else self._option_text.strip()
            if self._select_first is None:
                self._select_first = value
            if self._option_selected and (self._select_multiple or not self._select_chosen):
                self._add(self._select, value)
                self._select_chosen = True
            self._option_value = None
        elif tag == "select" and self._select is not None:
            if not self._select_multiple and not self._select_chosen and self._select_first is not None:
                self._add(self._select, self._select_first)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # the HTML parser drops the newline right after <textarea>, like a browser
            self._add(self._textarea, self._text.removeprefix("\n").replace("\r\n", "\n"))
            self._textarea = None


def form_values(html: str, form_index: int | None = None) -> dict[str, Any]:
    """The values of a page's edit form as a browser would submit them unchanged. Without
    ``form_index`` the form with the most fields carrying a ``csrfmiddlewaretoken`` is taken."""
    if form_index is not None:
        parser = _FormValues(form_index)
        parser.feed(html)
        return _flatten(parser.data)
    best: dict[str, list[str]] = {}
    index = 0
    while True:
        parser = _FormValues(index)
        parser.feed(html)
        if index > parser.forms_seen:
            break
        if "csrfmiddlewaretoken" in parser.data and len(parser.data) > len(best):
            best = parser.data
        index += 1
    return _flatten(best)


def _flatten(data: dict[str, list[str]]) -> dict[str, Any]:
    data = {k: v for k, v in data.items() if k != "csrfmiddlewaretoken"}
    return {k: v if len(v) > 1 else v[0] for k, v in data.items()}
