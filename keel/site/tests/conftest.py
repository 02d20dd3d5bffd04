"""Fixtures shared by the site app's tests."""

from __future__ import annotations

import pytest

from keel.site.cli import main

from .cli_support import Run


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    """``run("createuser", ...)`` -> (exit code, stdout, stderr)."""

    def call(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return call
