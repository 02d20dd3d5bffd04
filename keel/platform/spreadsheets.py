"""The one spreadsheet reader every importer uses (controls, SoA, assets, crosswalk CSV,
standard catalogues): CSV or XLSX, title rows above the header, ``,`` ``;`` or tab delimiters,
UTF-8 (with or without BOM), UTF-16 or Windows-1252.

It streams, so memory stays bounded whatever the file's shape (docs/adr/0016):

- CSV is decoded incrementally (the encoding is chosen by a validating pass that keeps no
  text) and parsed row by row; the delimiter is chosen on the rows above and at the header.
- XLSX is read with openpyxl ``read_only=True`` and only the columns up to the header's last
  column are materialised, so one stray cell in column XFD costs nothing. A workbook whose XML
  declares a DOCTYPE or entities, whose XML is broken, or that is not a zip is a file error.
- :attr:`Table.rows` is a generator: the row limit (``KEEL_IMPORT_MAX_ROWS``) and the column
  limit (``KEEL_IMPORT_MAX_COLUMNS``) stop the reading as soon as they are passed; the size
  limit (``KEEL_IMPORT_MAX_BYTES``) is checked before anything is parsed, and
  :func:`read_limited` never reads more than one byte past it.

The reader does not know what the columns mean: the caller passes a ``score`` function that
says how many cells of a row look like known column names, and the header is the first row
(among the first :data:`HEADER_SEARCH_ROWS` non-empty rows) that scores at least two.

Every problem with the file itself raises :class:`ImportFileError` (exit status 2 on the CLI, a
form message in the wizard, 422 in the API) — also while :attr:`Table.rows` is being consumed.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_ROWS = 20_000
DEFAULT_MAX_COLUMNS = 200
HEADER_SEARCH_ROWS = 30
DELIMITERS = (",", ";", "\t")
CHUNK = 1024 * 1024
# Cells this far right of the header's last column are still read (and ignored by the column
# mapping); a header is found among the first MAX_COLUMNS + HEADER_MARGIN columns only.
HEADER_MARGIN = 5
# The XML prolog (declaration, comments) of an XLSX part longer than this is refused.
MAX_PROLOG = 64 * 1024

Cell = Any  # str for CSV; str, int, float, bool, datetime or None for XLSX
Score = Callable[[Sequence[Cell]], int]
Row = tuple[int, list[Cell]]


class ImportFileError(Exception):
    """The file cannot be read at all (exit status 2): the message says why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def max_bytes() -> int:
    return int(getattr(settings, "KEEL_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES))


def max_rows() -> int:
    return int(getattr(settings, "KEEL_IMPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def max_columns() -> int:
    return int(getattr(settings, "KEEL_IMPORT_MAX_COLUMNS", DEFAULT_MAX_COLUMNS))


def too_large(filename: str) -> str:
    limit = max_bytes()
    shown = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit} bytes"
    return f"{filename} is larger than {shown} (KEEL_IMPORT_MAX_BYTES); split it."


@dataclass
class Table:
    """The rows under the header, each with its row number as a spreadsheet program shows it.

    ``rows`` is read lazily, once: iterate it once and expect :class:`ImportFileError` from it."""

    header: list[str]
    header_row: int
    rows: Iterator[Row]
    format: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    notes: list[str] = field(default_factory=list)


def read_limited(path: str | Path, filename: str | None = None) -> bytes:
    """The bytes of the file at ``path``, refusing (without reading it all) one over the size
    limit. :class:`OSError` when it cannot be opened."""
    limit = max_bytes()
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise ImportFileError(too_large(filename or Path(path).name))
    return data


def read_upload(upload: IO[bytes], filename: str) -> bytes:
    """The bytes of an uploaded file, refusing one over the size limit after reading at most one
    byte more than the limit."""
    limit = max_bytes()
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ImportFileError(too_large(filename))
    return data


def read_table(data: bytes, filename: str, score: Score) -> Table:
    """Read a CSV or XLSX file (told apart by content, not by name) and find its header."""
    if not data:
        raise ImportFileError(f"{filename} is empty.")
    if len(data) > max_bytes():
        raise ImportFileError(too_large(filename))
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, filename, score)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError(
            f"{filename} is an old Excel (.xls) workbook: save it as .xlsx or .csv and import that."
        )
    return _read_csv(data, filename, score)


# ---------------------------------------------------------------- encodings


def _decodes(data: bytes, encoding: str) -> bool:
    """Whether all of ``data`` decodes as ``encoding``, checked chunk by chunk (no text kept)."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    view = memoryview(data)
    try:
        for start in range(0, len(view), CHUNK):
            decoder.decode(view[start : start + CHUNK], final=False)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(data: bytes) -> str:
    """UTF-8 (BOM or not) when every byte is valid UTF-8, UTF-16 with a BOM, else Windows-1252
    (Latin-1 when one of the five bytes cp1252 leaves undefined occurs)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if _decodes(data, "utf-8"):
        return "utf-8"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if _decodes(data, "cp1252"):
        return "cp1252"
    return "latin-1"


# ---------------------------------------------------------------- shared

_TOTAL_WORDS = re.compile(r"^\s*(grand\s+|sub\s*-?\s*)?(totals?|count|sum)\b", re.IGNORECASE)
_A_COUNT = re.compile(
    r"^\s*(?:(?:totals?|count|sum)\s*[:=]?\s*)?\d+(?:[.,]\d+)?\s*(?:controls?|rows?|items?|entries)?\s*$",
    re.IGNORECASE,
)


def footer_reason(cells: Sequence[Cell], key_index: int) -> str | None:
    """Why a body row is a footer, not a record (None when it is a record): its key column says
    ``TOTAL`` / ``Total: 40`` / ``Count``, or its key is empty and the rest is only a count."""
    key = cells[key_index] if key_index < len(cells) else None
    key_text = "" if key is None else str(key).strip()
    if key_text:
        if _TOTAL_WORDS.match(key_text):
            return f"a total row ({key_text[:40]!r})"
        return None
    filled = [c for c in cells if not (c is None or (isinstance(c, str) and not c.strip()))]
    if not filled:
        return None
    first = str(filled[0]).strip()
    if _TOTAL_WORDS.match(first) or all(
        (isinstance(c, int | float) and not isinstance(c, bool)) or _A_COUNT.match(str(c)) for c in filled
    ):
        return f"a total or count row without a reference ({first[:40]!r})"
    return None


def _is_empty(cells: Sequence[Cell]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _trim(cells: Sequence[Cell]) -> list[Cell]:
    """The cells without the empty ones at the right end."""
    end = len(cells)
    while end and (
        cells[end - 1] is None or (isinstance(cells[end - 1], str) and not cells[end - 1].strip())
    ):
        end -= 1
    return list(cells[:end])


def _header_of(cells: Sequence[Cell], filename: str) -> list[str]:
    header = ["" if c is None else str(c).strip() for c in _trim(cells)]
    if len(header) > max_columns():
        raise ImportFileError(_too_wide(filename, len(header)))
    return header


def _too_wide(filename: str, width: int) -> str:
    return (
        f"{filename} has {width} columns or more in its header; at most {max_columns()} are read "
        "(KEEL_IMPORT_MAX_COLUMNS). Delete the columns you do not import."
    )


def _too_long(filename: str) -> str:
    limit = max_rows()
    return (
        f"{filename} has more than {limit} rows under its header (KEEL_IMPORT_MAX_ROWS); "
        f"split it into files of at most {limit} rows."
    )


def _limited(rows: Iterator[Row], width: int, filename: str) -> Iterator[Row]:
    """The non-empty rows under the header cut to the header's width (plus a margin), stopping
    with :class:`ImportFileError` at the first row past the row limit."""
    limit = max_rows()
    keep = width + HEADER_MARGIN
    count = 0
    for number, cells in rows:
        cut = list(cells[:keep])
        if _is_empty(cut):
            continue
        count += 1
        if count > limit:
            raise ImportFileError(_too_long(filename))
        yield number, cut


# ---------------------------------------------------------------- CSV


def _csv_rows(data: bytes, encoding: str, delimiter: str, filename: str) -> Iterator[Row]:
    """Every record of the file (numbered from 1), decoded and parsed as it is read."""
    text = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    try:
        reader = csv.reader(text, delimiter=delimiter)
        widest = max_columns() + HEADER_MARGIN
        number = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise ImportFileError(f"{filename} could not be read as CSV: {exc}.") from None
            except UnicodeDecodeError:
                raise ImportFileError(f"{filename} is not valid {encoding} text.") from None
            number += 1
            # No header may be wider than the limit: cells further right are never kept.
            yield number, cells[:widest]
    finally:
        text.detach()


def _first_rows(rows: Iterator[Row]) -> Iterator[Row]:
    """The first :data:`HEADER_SEARCH_ROWS` non-empty rows."""
    seen = 0
    for number, cells in rows:
        if _is_empty(cells):
            continue
        yield number, cells
        seen += 1
        if seen >= HEADER_SEARCH_ROWS:
            return


def _find_header(rows: Iterator[Row], score: Score) -> tuple[int, list[Cell], int]:
    """(row number, cells, score) of the header row, or (-1, [], best score seen)."""
    best = 0
    for number, cells in _first_rows(rows):
        s = score(cells)
        best = max(best, s)
        if s >= 2:
            return number, cells, s
    return -1, [], best


def _read_csv(data: bytes, filename: str, score: Score) -> Table:
    if b"\x00" in data[:CHUNK] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(f"{filename} is not a CSV or XLSX file (it contains binary data).")
    encoding = detect_encoding(data)
    best: tuple[int, str, int, list[Cell]] | None = None
    for delimiter in DELIMITERS:
        number, cells, s = _find_header(_csv_rows(data, encoding, delimiter, filename), score)
        if number >= 0 and (best is None or s > best[0]):
            best = (s, delimiter, number, cells)
    if best is None:
        raise ImportFileError(_no_header(filename))
    _, delimiter, header_row, cells = best
    header = _header_of(cells, filename)

    def body() -> Iterator[Row]:
        rows = _csv_rows(data, encoding, delimiter, filename)
        for number, _row in rows:
            if number == header_row:
                break
        for number, row in _limited(rows, len(header), filename):
            if any(isinstance(c, str) and "\x00" in c for c in row):
                raise ImportFileError(f"{filename} is not a CSV or XLSX file (it contains binary data).")
            yield number, row

    return Table(
        header=header,
        header_row=header_row,
        rows=body(),
        format="csv",
        encoding=encoding,
        delimiter=delimiter,
    )


# ---------------------------------------------------------------- XLSX


def _not_xlsx(filename: str, why: str) -> ImportFileError:
    return ImportFileError(
        f"{filename} is not a readable XLSX workbook ({why}). Open it in a spreadsheet program, "
        "save it again as .xlsx (or .csv) and import that."
    )


def _refuse_doctype(archive: zipfile.ZipFile, filename: str) -> None:
    """Refuse a workbook any of whose XML parts declares a DOCTYPE (entities, external
    references): no spreadsheet program writes one. Only the prolog of each part is read."""
    for info in archive.infolist():
        if info.is_dir():
            continue
        with archive.open(info) as part:
            head = part.read(4)
            if head.startswith((b"\xff\xfe", b"\xfe\xff")):
                text = (head + part.read(MAX_PROLOG)).decode("utf-16", errors="replace")
            else:
                text = (head + part.read(MAX_PROLOG)).decode("utf-8", errors="replace")
        if not (
            info.filename.endswith((".xml", ".rels", ".vml")) or text.lstrip("\ufeff \t\r\n").startswith("<")
        ):
            continue
        upper = _prolog(text).upper()
        if "<!DOCTYPE" in upper or "<!ENTITY" in upper:
            raise _not_xlsx(filename, f"{info.filename} declares a DOCTYPE, which workbooks never do")


def _prolog(text: str) -> str:
    """The start of an XML text up to just past where its root element (or a DOCTYPE) begins:
    the declaration, comments and processing instructions before it."""
    text = text.lstrip("\ufeff")
    at = 0
    while True:
        while at < len(text) and text[at] in " \t\r\n":
            at += 1
        if text.startswith("<?", at):
            end = text.find("?>", at)
        elif text.startswith("<!--", at):
            end = text.find("-->", at)
        else:
            return text[: at + 16]
        if end < 0:
            return text  # the prolog runs past what was read: look at all of it
        at = end + 2


def _open_workbook(data: bytes, filename: str) -> Any:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _refuse_doctype(archive, filename)
    except zipfile.BadZipFile as exc:
        raise _not_xlsx(filename, f"not a zip archive: {exc}") from None
    except (OSError, EOFError, RuntimeError, NotImplementedError, ValueError) as exc:
        raise _not_xlsx(filename, f"{type(exc).__name__}: {exc}") from None
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ImportFileError:
        raise
    except Exception as exc:  # any parse failure of a hostile or broken file is the file's fault
        raise _not_xlsx(filename, _why(exc)) from None


def _why(exc: BaseException) -> str:
    name = type(exc).__name__
    if name == "ParseError":
        return f"its XML is malformed: {exc}"
    return f"{name}: {exc}" if str(exc) else name


def _xlsx_rows(sheet: Any, width: int, filename: str) -> Iterator[Row]:
    """Every row of ``sheet`` numbered from 1, only its first ``width`` columns materialised."""
    try:
        for number, cells in enumerate(sheet.iter_rows(max_col=width, values_only=True), start=1):
            end = len(cells)
            while end and cells[end - 1] is None:  # padding of missing cells, not data
                end -= 1
            yield number, list(cells[:end])
    except ImportFileError:
        raise
    except Exception as exc:  # raised while parsing the sheet's XML lazily
        raise _not_xlsx(filename, _why(exc)) from None


def _read_xlsx(data: bytes, filename: str, score: Score) -> Table:
    workbook = _open_workbook(data, filename)
    search_width = max_columns() + HEADER_MARGIN
    try:
        for sheet in workbook.worksheets:
            # The sheet's declared dimension can claim XFD; never trust it for the width.
            if hasattr(sheet, "reset_dimensions"):
                sheet.reset_dimensions()
            header_row, cells, _ = _find_header(_xlsx_rows(sheet, search_width, filename), score)
            if header_row < 0:
                continue
            header = _header_of(cells, filename)
            return Table(
                header=header,
                header_row=header_row,
                rows=_xlsx_body(workbook, sheet, header_row, len(header), filename),
                format="xlsx",
                sheet=str(sheet.title),
            )
    except BaseException:
        workbook.close()
        raise
    workbook.close()
    raise ImportFileError(_no_header(filename))


def _xlsx_body(workbook: Any, sheet: Any, header_row: int, width: int, filename: str) -> Iterator[Row]:
    try:
        rows = _xlsx_rows(sheet, width + HEADER_MARGIN, filename)
        for number, _cells in rows:
            if number == header_row:
                break
        yield from _limited(rows, width, filename)
    finally:
        workbook.close()


def _no_header(filename: str) -> str:
    return (
        f"No header row found in {filename}: the first {HEADER_SEARCH_ROWS} rows have no row with at "
        "least two known column names (e.g. 'Control ID' and 'Title'). Rename the columns or name "
        "them with --map 'Your column=ref'."
    )
