"""A document version's content (split from :mod:`keel.documents.services`): the checks on a
new version's text or uploaded file, its storage and its row. The services call these inside
their transaction, after the permission check and the row lock; nothing here checks who may.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.files import File
from django.utils import timezone

from keel.evidence import services as evidence_files
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.errors import ValidationFailed
from keel.platform.records import clean, reject_control_characters

from .choices import ChangeKind, VersionFormat
from .models import Document, DocumentVersion

# What may be uploaded as a version, and the first bytes each must start with.
UPLOADS = {".pdf": b"%PDF-", ".docx": b"PK\x03\x04", ".xlsx": b"PK\x03\x04"}
MAX_BODY = 200_000


@dataclass
class NewVersion:
    """The content of a version: Markdown ``body`` or an uploaded ``file`` (PDF, DOCX, XLSX)."""

    body: str = ""
    file: File | None = None
    filename: str = ""
    change: str = ChangeKind.MAJOR
    change_note: str = ""


@dataclass
class Content:
    format: str
    body: str
    file: File | None
    filename: str
    content_type: str
    size: int
    sha256: str


def prepare(v: NewVersion) -> Content:
    """Check a version's content before anything is written; hash it."""
    if v.change not in ChangeKind.values:
        raise ValidationFailed("change is major or minor.", {"change": ["Choose major or minor."]})
    reject_control_characters({"change_note": v.change_note, "filename": v.filename})
    if v.file is not None and v.body.strip():
        raise ValidationFailed(
            "Write the text or upload a file, not both.", {"file": ["Give the text or a file, not both."]}
        )
    if v.file is None:
        body = v.body.replace("\r\n", "\n").strip()
        if not body:
            raise ValidationFailed(
                "Write the document's text (Markdown) or upload its file (PDF, DOCX or XLSX).",
                {"body": ["Required."]},
            )
        if len(body) > MAX_BODY:
            raise ValidationFailed(
                f"The text is {len(body):,} characters; the limit is {MAX_BODY:,}. Upload a file instead.",
                {"body": ["Too long."]},
            )
        raw = body.encode("utf-8")
        return Content(VersionFormat.MARKDOWN, body, None, "", "", len(raw), hashlib.sha256(raw).hexdigest())
    filename = evidence_files.safe_filename(v.filename or getattr(v.file, "name", "") or "")
    ext = "." + filename.rpartition(".")[2].lower() if "." in filename else ""
    if ext not in UPLOADS:
        raise ValidationFailed(
            f"{filename} is not a PDF, Word (.docx) or Excel (.xlsx) file: upload one of those, "
            "or write the document in Keel.",
            {"file": ["Only PDF, DOCX and XLSX files."]},
        )
    limit = evidence_files.max_bytes()
    declared = getattr(v.file, "size", None)
    if declared is not None and declared > limit:
        raise ValidationFailed(
            f"The file is {evidence_files.human_size(declared)}; the limit is {evidence_files.human_size(limit)}.",
            {"file": ["Too large."]},
        )
    with contextlib.suppress(AttributeError, OSError, ValueError):
        v.file.seek(0)
    head = v.file.read(8)
    if not isinstance(head, bytes) or not head.startswith(UPLOADS[ext]):
        raise ValidationFailed(
            f"{filename} does not look like a {ext[1:].upper()} file (its content does not match its name).",
            {"file": ["The content does not match the file type."]},
        )
    v.file.seek(0)
    d = evidence_files.digest(v.file, limit)
    v.file.seek(0)
    content_type = evidence_files.clean_content_type(getattr(v.file, "content_type", ""), filename)
    return Content(VersionFormat.FILE, "", v.file, filename, content_type, d.size, d.sha256)


@contextlib.contextmanager
def files_cleaned_on_failure() -> Iterator[list[str]]:
    """Yield a list the service appends each stored file name to; when the block fails (the
    transaction rolls back), those files are deleted again."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        for name in written:
            with contextlib.suppress(Exception):
                evidence_files.storage().delete(name)
        raise


def next_label(document: Document, change: str) -> tuple[int, int]:
    issued = document.issued_version
    if issued is None:
        return 1, 0
    if change == ChangeKind.MAJOR:
        return issued.major + 1, 0
    return issued.major, issued.minor + 1


def write_version(
    actor: Actor, document: Document, v: NewVersion, content: Content, written: list[str]
) -> DocumentVersion:
    if actor.user is None:
        raise ValidationFailed(
            "A version needs an author: run the command with --as EMAIL (the person who wrote it).",
            {"author": ["Required."]},
        )
    number = (document.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    major, minor = next_label(document, v.change)
    change = ChangeKind.MAJOR if document.issued_version_id is None else v.change
    version = DocumentVersion(
        document=document,
        number=number,
        major=major,
        minor=minor,
        change=change,
        format=content.format,
        body=content.body,
        size=content.size,
        sha256=content.sha256,
        change_note=v.change_note.strip(),
        author=actor.user,
    )
    if content.file is not None:
        ext = "." + content.filename.rpartition(".")[2].lower()
        name = f"documents/{document.pk}/v{number:04d}-{content.sha256[:16]}{ext}"
        stored = evidence_files.storage().save(name, content.file)
        written.append(stored)
        version.file.name = stored
        version.filename = content.filename
        version.content_type = content.content_type
    clean(version, "document version", exclude=["document", "file", "author"])
    version.save()
    document.current_version = version
    Document.objects.filter(pk=document.pk).update(current_version=version, updated_at=timezone.now())
    trail.record(
        actor,
        TrailAction.CREATE,
        version,
        object_repr=f"{document.ref_id} version {version.label}",
        changes={
            "number": [None, number],
            "version": [None, version.label],
            "change": [None, change],
            "format": [None, content.format],
            "filename": [None, content.filename or None],
            "size": [None, content.size],
            "sha256": [None, content.sha256],
            "change_note": [None, version.change_note or None],
        },
    )
    return version
