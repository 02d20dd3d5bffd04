"""The one loader of Keel's YAML libraries (standards, control templates, crosswalks): a safe
YAML reader that reports a file's problem instead of raising, the error that lists every problem
at once (each naming its file and entry), and the loop that reads every file of a library and
collects the problems of all of them. Each library supplies only its entry rules
(``keel/standards/loader.py``, ``keel/controls/templates_loader.py``, ``keel/mapping/loader.py``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import yaml

try:  # libyaml when available: several times faster
    SAFE_LOADER: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    SAFE_LOADER = yaml.SafeLoader

Item = TypeVar("Item")
Result = TypeVar("Result")


class LibraryDataError(Exception):
    """A library's data is malformed. ``problems`` lists every problem found, each naming its
    file and entry; ``what`` names the library in the message."""

    what = "library data"

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{self.what} is invalid:\n  " + "\n  ".join(problems))


def read_yaml(path: Path, where: str, problems: list[str]) -> Any:
    """The file's YAML (safely loaded), or ``None`` with the problem added to ``problems``."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506 (a safe loader)
    except FileNotFoundError:
        problems.append(f"{where}: file not found")
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problems.append(f"{where}: not valid YAML: {exc}")
    return None


def text(value: Any) -> str:
    """A YAML value as one line of text (runs of white space become one space)."""
    return " ".join(str(value).split()) if value is not None else ""


def read_library(
    items: Iterable[Item], read_one: Callable[[Item], Result], problems: list[str]
) -> list[Result]:
    """Read every file (or folder) of a library with ``read_one``; a file's
    :class:`LibraryDataError` adds its problems and the others are still read, so one run reports
    everything that is wrong."""
    out: list[Result] = []
    for item in items:
        try:
            out.append(read_one(item))
        except LibraryDataError as exc:
            problems.extend(exc.problems)
    return out
