"""Re-reading every stored evidence file against the SHA-256 and size its version recorded."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.files.storage import Storage

from ..models import EvidenceVersion
from .files import digest, storage


@dataclass
class FileProblem:
    evidence: str
    version: int
    name: str
    problem: str  # "missing" or "altered"
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "evidence": self.evidence,
            "version": self.version,
            "file": self.name,
            "problem": self.problem,
            "detail": self.detail,
        }


@dataclass
class VerifyReport:
    checked: int = 0
    problems: list[FileProblem] = field(default_factory=list)
    unreferenced: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "checked": self.checked,
            "missing": [p.as_dict() for p in self.problems if p.problem == "missing"],
            "altered": [p.as_dict() for p in self.problems if p.problem == "altered"],
            "unreferenced": self.unreferenced,
        }


def _walk(store: Storage, folder: str = "") -> Iterator[str]:
    dirs, files = store.listdir(folder)
    for f in files:
        yield f"{folder}/{f}" if folder else f
    for d in dirs:
        yield from _walk(store, f"{folder}/{d}" if folder else d)


def verify_evidence_files(progress: Callable[[int, int], None] | None = None) -> VerifyReport:
    """Re-read every stored evidence file and compare its SHA-256 and size with the version
    that recorded it: report missing and altered files, and (on storages that can list their
    content) files no version refers to."""
    report = VerifyReport()
    store = storage()
    qs = (
        EvidenceVersion.objects.exclude(file="")
        .select_related("evidence")
        .order_by("evidence__ref_id", "number")
    )
    total = qs.count()
    known: set[str] = set()
    for i, v in enumerate(qs.iterator(chunk_size=500), start=1):
        report.checked += 1
        known.add(v.file.name)
        where = (v.evidence.ref_id, v.number, v.file.name)
        if not store.exists(v.file.name):
            report.problems.append(FileProblem(*where, "missing", "the file is not in the storage"))
        else:
            with store.open(v.file.name, "rb") as fh:
                d = digest(fh)
            if d.sha256 != v.sha256 or d.size != v.size:
                report.problems.append(
                    FileProblem(
                        *where,
                        "altered",
                        f"recorded sha256 {v.sha256[:16]}… ({v.size} bytes), found {d.sha256[:16]}… ({d.size} bytes)",
                    )
                )
        if progress is not None:
            progress(i, total)
    with contextlib.suppress(NotImplementedError, FileNotFoundError, OSError):
        report.unreferenced = sorted(n for n in _walk(store) if n not in known)
    return report
