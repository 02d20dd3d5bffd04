"""What the documents app registers at start-up."""

from __future__ import annotations


def register() -> None:
    pass
