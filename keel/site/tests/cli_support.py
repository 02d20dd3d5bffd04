"""Helpers shared by the ``keel`` command-line tests (test_cli_*.py)."""

from __future__ import annotations

from collections.abc import Callable

Run = Callable[..., tuple[int, str, str]]


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines, "expected an error message on stderr"
    assert lines[-1].startswith("keel: error: "), err
    assert "Traceback" not in err
    return lines[-1]
