"""PDF documents: WeasyPrint (imported only when a PDF is asked for, with a clear message when it
or the operating system's Pango is missing), one local font family, and CSS strings for the page
margins. Used by the SoA, the gap report and the impact assessment exports."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

from .errors import KeelError

PDF_MISSING = (
    "PDF export needs WeasyPrint and the Pango library of the operating system. Install them "
    "('pip install weasyprint'; on Debian/Ubuntu 'apt-get install libpango-1.0-0 libpangoft2-1.0-0'), "
    "or export XLSX instead (--format xlsx)."
)


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string, safe inside a ``<style>`` element."""
    escaped = (
        " ".join(text.split())
        .replace("\\", "\\5c ")
        .replace('"', "\\22 ")
        .replace("<", "\\3c ")
        .replace(">", "\\3e ")
    )
    return '"' + escaped + '"'


# One local font family for every PDF, declared with @font-face from the files of the
# fonts-dejavu package: WeasyPrint then loads two files instead of asking fontconfig to match
# every run of text. Without the files, the CSS names the family and fontconfig finds one.
PDF_FONT_FAMILY = "KeelPDF"
PDF_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
PDF_FONT_FILES = {"normal": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}


@cache
def pdf_font_css() -> str:
    """``@font-face`` rules for :data:`PDF_FONT_FAMILY` from the local DejaVu Sans files, or an
    empty string when they are not installed (the PDFs then use "DejaVu Sans", sans-serif)."""
    rules = []
    for weight, name in PDF_FONT_FILES.items():
        found = next((d / name for d in PDF_FONT_DIRS if (d / name).is_file()), None)
        if found is None:
            return ""
        rules.append(
            f'@font-face {{ font-family: "{PDF_FONT_FAMILY}"; font-weight: {weight}; '
            f'src: url("{found.as_uri()}"); }}'
        )
    return "\n".join(rules)


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """Render ``template`` with ``context`` (plus ``font_css``) and lay it out with WeasyPrint."""
    try:
        from weasyprint import HTML
        from weasyprint.text.fonts import FontConfiguration
    except (ImportError, OSError) as exc:
        raise KeelError(f"{PDF_MISSING} ({exc})") from None
    html = render_to_string(template, {**context, "font_css": pdf_font_css(), "font_family": PDF_FONT_FAMILY})
    return bytes(HTML(string=html).write_pdf(font_config=FontConfiguration()))
