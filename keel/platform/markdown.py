"""Markdown rendered safely (AI lifecycle records, documents written in Keel): CommonMark without raw HTML (tags in the text
are shown as text), and markdown-it's link check, which drops ``javascript:``, ``vbscript:``,
``file:`` and non-image ``data:`` links."""

from __future__ import annotations

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")


def render(text: str) -> SafeString:
    """HTML of ``text`` (Markdown); raw HTML in it is escaped, unsafe links are not rendered as links."""
    return mark_safe(_md.render(text or ""))  # noqa: S308 - html=False escapes every tag in the text
