"""Evidence files: input checks, the size limit, the storage, digests and writing a version's
file (deleted again when the transaction fails).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import mimetypes
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import Storage
from django.core.validators import URLValidator
from django.utils import timezone

from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.errors import ValidationFailed
from keel.platform.models import User
from keel.platform.records import clean, reject_control_characters

from .. import queries
from ..choices import EvidenceKind
from ..models import Evidence, EvidenceVersion

CHUNK = 64 * 1024


CONTENT_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}$")


# Content types a browser may be told as they are (the download is an attachment anyway);
# anything else (HTML, SVG, scripts…) is served as application/octet-stream.
SAFE_CONTENT_TYPES = frozenset(
    {
        "application/pdf",
        "application/json",
        "application/zip",
        "application/msword",
        "application/vnd.ms-excel",
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "text/plain",
        "text/csv",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
    }
)


def storage() -> Storage:
    """The storage of evidence files (the one the model field uses)."""
    return EvidenceVersion._meta.get_field("file").storage


def max_bytes() -> int:
    return int(settings.KEEL_EVIDENCE_MAX_BYTES)


def human_size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n} {unit}" if unit == "bytes" else f"{n:.1f} {unit}".replace(".0 ", " ")
        n = n / 1024  # type: ignore[assignment]
    return f"{n} bytes"


def safe_filename(name: str) -> str:
    """The uploaded file's own name without any folder part, control characters or quotes;
    what downloads offer as the file name."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C" and c not in '"<>|*?:')
    base = base.strip(" .")
    if len(base) > 200:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 200 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else base[:200]
    return base or "evidence"


def _extension(filename: str) -> str:
    ext = filename.rpartition(".")[2].lower() if "." in filename else ""
    return f".{ext}" if re.fullmatch(r"[a-z0-9]{1,10}", ext) else ""


def clean_content_type(value: str | None, filename: str) -> str:
    value = (value or "").split(";")[0].strip().lower()
    if not CONTENT_TYPE.match(value) or value == "application/octet-stream":
        value = (mimetypes.guess_type(filename)[0] or "application/octet-stream").lower()
    return value


def download_content_type(stored: str) -> str:
    """What a download says it is: the stored type only when it is on the safe list."""
    return stored if stored in SAFE_CONTENT_TYPES else "application/octet-stream"


def clean_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        raise ValidationFailed("Give the link's address (http:// or https://).", {"url": ["Required."]})
    reject_control_characters({"url": url})
    if any(c.isspace() for c in url):
        raise ValidationFailed("A link cannot contain spaces.", {"url": ["Contains a space."]})
    if len(url) > 2000:
        raise ValidationFailed("A link is at most 2,000 characters long.", {"url": ["Too long."]})
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise ValidationFailed(
            f"{url[:80]!r} is not a web address: only http:// and https:// links are accepted.",
            {"url": ["Only http:// and https:// links."]},
        ) from None
    return url


def _check_dates(collected_on: dt.date | None, valid_until: dt.date | None) -> dt.date:
    on = collected_on or queries.today()
    if on > queries.today():
        raise ValidationFailed(
            f"Collected on {on.isoformat()} is in the future: give the day the evidence was collected.",
            {"collected_on": ["In the future."]},
        )
    if valid_until is not None and valid_until < on:
        raise ValidationFailed(
            f"Valid until {valid_until.isoformat()} is before the day it was collected ({on.isoformat()}).",
            {"valid_until": ["Before the collection date."]},
        )
    return on


@dataclass
class Digest:
    sha256: str
    size: int


def digest(stream: IO[bytes] | File, limit: int | None = None) -> Digest:
    """SHA-256 and size of a file, read in chunks (never whole into memory). Over ``limit``
    bytes it stops and raises."""
    h = hashlib.sha256()
    size = 0
    chunks: Iterable[bytes] = (
        stream.chunks(CHUNK) if isinstance(stream, File) else iter(lambda: stream.read(CHUNK), b"")
    )
    for chunk in chunks:
        size += len(chunk)
        if limit is not None and size > limit:
            raise _too_big(size, limit)
        h.update(chunk)
    return Digest(h.hexdigest(), size)


def _too_big(size: int | None, limit: int) -> ValidationFailed:
    shown = f"more than {human_size(limit)}" if size is None else human_size(size)
    return ValidationFailed(
        f"The file is {shown}; the limit is {human_size(limit)} (KEEL_EVIDENCE_MAX_BYTES). "
        "Upload a smaller file, or link to where it is kept.",
        {"file": [f"Larger than {human_size(limit)}."]},
    )


@contextlib.contextmanager
def _files_cleaned_on_failure() -> Iterator[list[str]]:
    """Yield a list the service appends each stored file name to; when the block fails (the
    transaction rolls back), those files are deleted again."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        for name in written:
            with contextlib.suppress(Exception):
                storage().delete(name)
        raise


@dataclass
class NewVersion:
    """What a version is made of, checked before anything is written."""

    file: File | None = None
    filename: str = ""
    content_type: str = ""
    url: str = ""
    collected_on: dt.date | None = None
    valid_until: dt.date | None = None
    collected_by: User | None = None
    collected_by_name: str = ""
    note: str = ""


def _prepare(kind: str, v: NewVersion) -> tuple[NewVersion, Digest | None]:
    reject_control_characters(
        {"filename": v.filename, "collected_by_name": v.collected_by_name, "note": v.note}
    )
    v.collected_on = _check_dates(v.collected_on, v.valid_until)
    if len(v.collected_by_name) > 200:
        raise ValidationFailed(
            "The collector's name is at most 200 characters.", {"collected_by_name": ["Too long."]}
        )
    if kind == EvidenceKind.LINK:
        if v.file is not None:
            raise ValidationFailed(
                "This evidence is a link: give a URL, not a file.", {"file": ["Links take a URL."]}
            )
        v.url = clean_url(v.url)
        return v, None
    if v.url:
        raise ValidationFailed(
            "This evidence is a file: upload a file, not a URL.", {"url": ["Files take a file."]}
        )
    if v.file is None:
        raise ValidationFailed("Choose the file to upload.", {"file": ["Required."]})
    limit = max_bytes()
    declared = getattr(v.file, "size", None)
    if declared is not None and declared > limit:
        raise _too_big(declared, limit)
    v.filename = safe_filename(v.filename or getattr(v.file, "name", "") or "")
    with contextlib.suppress(AttributeError, OSError, ValueError):
        v.file.seek(0)
    d = digest(v.file, limit)
    if d.size == 0:
        raise ValidationFailed(
            f"{v.filename} is empty (0 bytes): choose the file that holds the evidence.",
            {"file": ["The file is empty."]},
        )
    with contextlib.suppress(AttributeError, OSError, ValueError):
        v.file.seek(0)
    v.content_type = clean_content_type(v.content_type or getattr(v.file, "content_type", ""), v.filename)
    return v, d


def _store(evidence: Evidence, number: int, v: NewVersion, d: Digest, written: list[str]) -> str:
    """Write the file under ``<evidence id>/v<number>-<sha256 prefix><.ext>``; the storage
    never overwrites, so a leftover file of the same name gets a fresh name instead."""
    assert v.file is not None
    name = f"{evidence.pk}/v{number:04d}-{d.sha256[:16]}{_extension(v.filename)}"
    stored = storage().save(name, v.file)
    written.append(stored)
    actual = storage().size(stored)
    if actual != d.size:
        raise ValidationFailed(
            f"The stored file is {actual} bytes, not the {d.size} bytes received; nothing was saved. Try again.",
            {"file": ["Storage error."]},
        )
    return stored


def _create_version(
    actor: Actor, evidence: Evidence, number: int, v: NewVersion, d: Digest | None, written: list[str]
) -> EvidenceVersion:
    assert v.collected_on is not None  # set by _prepare
    collected_by = v.collected_by
    name = v.collected_by_name.strip()
    if collected_by is None and not name:
        collected_by = actor.user
        name = "" if actor.user is not None else actor.label
    version = EvidenceVersion(
        evidence=evidence,
        number=number,
        url=v.url if d is None else "",
        collected_on=v.collected_on,
        valid_until=v.valid_until,
        collected_by=collected_by,
        collected_by_name=name,
        note=v.note.strip(),
        created_by=actor.user,
    )
    if d is not None:
        version.file.name = _store(evidence, number, v, d, written)
        version.filename = v.filename
        version.content_type = v.content_type
        version.size = d.size
        version.sha256 = d.sha256
    clean(version, "evidence version", exclude=["evidence", "file"])
    version.save()
    Evidence.objects.filter(pk=evidence.pk).update(current_version=version, updated_at=timezone.now())
    evidence.current_version = version
    trail.record(
        actor,
        TrailAction.CREATE,
        version,
        object_repr=f"{evidence.ref_id} version {number}",
        changes={
            k: [None, val]
            for k, val in {
                "number": number,
                "filename": version.filename or None,
                "size": version.size,
                "sha256": version.sha256 or None,
                "url": version.url or None,
                "collected_on": version.collected_on,
                "valid_until": version.valid_until,
                "collected_by": version.collector or None,
                "note": version.note or None,
            }.items()
            if val is not None
        },
    )
    return version
