"""Write-side services of the evidence register: one transaction each, each records its trail entry.

Files go through the ``evidence`` storage (Django's storage API). A file is written inside the
service's transaction and deleted again when the transaction fails, so there is never a
version row without its file nor a file left behind by a failed change. Nothing is overwritten:
each version gets a new name, and the storage refuses to replace an existing file. Evidence is
never deleted: :func:`withdraw_evidence` withdraws it, its versions and files stay.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import mimetypes
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import Storage
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from keel.controls.models import Control
from keel.controls.queries import control_ref as find_control
from keel.controls.services import _check_on_systems, _systems
from keel.organisation import resolvers as organisation_resolvers
from keel.organisation.models import ManagementSystem
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version, next_ref
from keel.platform.errors import Conflict, NotFound, ValidationFailed
from keel.platform.models import User
from keel.platform.permissions import Perm
from keel.platform.records import apply_fields, clean, reject_control_characters
from keel.standards.models import Requirement

from . import queries
from .choices import EvidenceKind, EvidenceStatus
from .models import Evidence, EvidenceControl, EvidenceRequirement, EvidenceVersion

EVIDENCE_FIELDS = ("title", "description", "owner")
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


# ---------------------------------------------------------------- input checks


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


# ---------------------------------------------------------------- file writing with cleanup


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


# ---------------------------------------------------------------- evidence


def next_ref_id() -> str:
    """Reserve the next free ``EV-nnn`` (inside the service's transaction; concurrent creates queue)."""
    return next_ref(Evidence, "EV-")


def _snapshot(evidence: Evidence) -> dict[str, Any]:
    data = trail.snapshot(evidence, ["ref_id", "title", "description", "kind", "status", "owner"])
    data["management_systems"] = sorted(str(m.short_name) for m in evidence.management_systems.all())
    return data


def _named(ref: str) -> str:
    return ref if len(ref) <= 40 else ref[:39] + "…"


def _controls(refs: Iterable[str], actor: Actor, systems: Iterable[ManagementSystem] = ()) -> list[Control]:
    """Controls by id or ``KC-nnn`` within the actor's perimeter (outside it: "not found").
    Evidence may support a control of another system the actor can see (the demo's does).
    Every reference that names no control is listed, by what was typed."""
    del systems
    out, unknown = [], []
    for ref in dict.fromkeys(str(r).strip() for r in refs):
        try:
            out.append(find_control(ref, actor, "controls"))
        except ValidationFailed:
            unknown.append(_named(ref))
    if unknown:
        which = f"control{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}"
        raise ValidationFailed(
            f"Unknown {which}. Give references of controls you can see (e.g. KC-012), or type words "
            "and choose from the list.",
            {"controls": [f"Unknown {which}."]},
        )
    return out


def _requirements(keys: Iterable[str]) -> list[Requirement]:
    """Requirements by key (or a bare id that one standard has). Every key that fails is named:
    the unknown ones together, the others (withdrawn, in several standards) each with why."""
    out: list[Requirement] = []
    unknown: list[str] = []
    problems: list[str] = []
    for key in dict.fromkeys(str(k).strip() for k in keys):
        try:
            out.append(organisation_resolvers.requirement(key, field="requirements", current=True))
        except ValidationFailed as exc:
            if exc.fields.get("requirements") == [organisation_resolvers.UNKNOWN_REQUIREMENT]:
                unknown.append(_named(key))
            else:
                problems.append(exc.message)
    if unknown:
        which = f"requirement{'s' if len(unknown) > 1 else ''}: {', '.join(unknown)}"
        problems.insert(0, f"Unknown {which}.")
    if problems:
        hint = " Give full keys (e.g. iso27001:2022:A.5.19), or type words and choose from the list."
        raise ValidationFailed(" ".join(problems) + (hint if unknown else ""), {"requirements": problems})
    return out


def _links(
    controls: Iterable[str], requirements: Iterable[str], actor: Actor, systems: Iterable[ManagementSystem]
) -> tuple[list[Control], list[Requirement]]:
    """The controls and requirements to link, both checked before either is refused, so one
    answer names every reference that is wrong."""
    errors: list[ValidationFailed] = []
    control_rows: list[Control] = []
    requirement_rows: list[Requirement] = []
    try:
        control_rows = _controls(controls, actor, systems)
    except ValidationFailed as exc:
        errors.append(exc)
    try:
        requirement_rows = _requirements(requirements)
    except ValidationFailed as exc:
        errors.append(exc)
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise ValidationFailed(
            " ".join(e.message for e in errors), {k: v for e in errors for k, v in e.fields.items()}
        )
    return control_rows, requirement_rows


def create_evidence(
    actor: Actor,
    *,
    title: str,
    kind: str,
    version: NewVersion,
    description: str = "",
    owner: User | None = None,
    ref_id: str = "",
    management_systems: Iterable[uuid.UUID | str] | None = None,
    controls: Iterable[str] = (),
    requirements: Iterable[str] = (),
) -> Evidence:
    """Create evidence with its first version (a file or a link), linked to controls and
    requirements, in one transaction."""
    if kind not in EvidenceKind.values:
        raise ValidationFailed("kind is file or link.", {"kind": ["Choose file or link."]})
    systems = _systems(management_systems)
    _check_on_systems(actor, Perm.EDIT_EVIDENCE, systems)
    version, d = _prepare(kind, version)
    control_rows, requirement_rows = _links(controls, requirements, actor, systems)
    with _files_cleaned_on_failure() as written, transaction.atomic():
        evidence = Evidence(kind=kind, ref_id=(ref_id or "").strip() or next_ref_id())
        apply_fields(evidence, {"title": title, "description": description, "owner": owner}, EVIDENCE_FIELDS)
        clean(evidence, "evidence", exclude=["current_version"])
        evidence.save()
        evidence.management_systems.set(systems)
        trail.record(actor, TrailAction.CREATE, evidence, changes=trail.diff({}, _snapshot(evidence)))
        _create_version(actor, evidence, 1, version, d, written)
        for control in control_rows:
            _link_control(actor, evidence, control)
        for req in requirement_rows:
            _link_requirement(actor, evidence, req)
    return evidence


def _locked(ref: uuid.UUID | str) -> Evidence:
    """The evidence row, locked for the rest of the transaction (version numbers stay unique)."""
    evidence = queries.get_evidence(ref)
    return Evidence.objects.select_for_update().get(pk=evidence.pk)


def _editable(actor: Actor, evidence: Evidence) -> None:
    _check_on_systems(actor, Perm.EDIT_EVIDENCE, evidence.management_systems.all())
    if evidence.status == EvidenceStatus.WITHDRAWN:
        raise Conflict(f"{evidence.ref_id} is withdrawn: it can be read but no longer changed.")


def add_version(actor: Actor, ref: uuid.UUID | str, version: NewVersion) -> EvidenceVersion:
    """Add a version (numbered after the highest); earlier versions and files stay as they are."""
    evidence = queries.get_evidence(ref)
    _editable(actor, evidence)
    version, d = _prepare(evidence.kind, version)
    with _files_cleaned_on_failure() as written, transaction.atomic():
        evidence = _locked(evidence.pk)
        _editable(actor, evidence)
        last = evidence.versions.order_by("-number").values_list("number", flat=True).first() or 0
        return _create_version(actor, evidence, last + 1, version, d, written)


def update_evidence(
    actor: Actor,
    ref: uuid.UUID | str,
    *,
    management_systems: Iterable[uuid.UUID | str] | None = None,
    expected_version: str | None = None,
    **data: Any,
) -> Evidence:
    """Change the title, description, owner or management systems (never a version), under the
    row lock; ``expected_version`` makes a save over a newer change an EditConflict."""
    with transaction.atomic():
        evidence = _locked(ref)
        _editable(actor, evidence)
        check_version(evidence, expected_version, evidence.ref_id)
        before = _snapshot(evidence)
        if "ref_id" in data:
            value = (data.pop("ref_id") or "").strip()
            if value and value != evidence.ref_id:
                if Evidence.objects.filter(ref_id=value).exclude(pk=evidence.pk).exists():
                    raise Conflict(f"Another piece of evidence is already {value}.", {"ref_id": ["Taken."]})
                evidence.ref_id = value
        apply_fields(evidence, data, EVIDENCE_FIELDS)
        clean(evidence, "evidence", exclude=["current_version"])
        after = _snapshot(evidence)
        changed = [n for n in ("ref_id", *EVIDENCE_FIELDS) if before[n] != after[n]]
        if changed:  # only the changed columns: a concurrent change of another one is kept
            evidence.save(update_fields=[*changed, "updated_at"])
        if management_systems is not None:
            systems = _systems(management_systems)
            _check_on_systems(actor, Perm.EDIT_EVIDENCE, systems)
            evidence.management_systems.set(systems)
        changes = trail.diff(before, _snapshot(evidence))
        if changes:
            trail.record(actor, TrailAction.UPDATE, evidence, changes=changes)
    return evidence


def withdraw_evidence(actor: Actor, ref: uuid.UUID | str, reason: str = "") -> Evidence:
    """Withdraw evidence (what "delete" does): it leaves lists, the dashboard and the SoA; its
    versions, files, links and history stay and can still be read and downloaded."""
    reject_control_characters({"reason": reason})
    with transaction.atomic():
        evidence = _locked(ref)
        _editable(actor, evidence)
        evidence.status = EvidenceStatus.WITHDRAWN
        evidence.withdrawn_at = timezone.now()
        evidence.withdrawn_reason = reason.strip()
        evidence.save(update_fields=["status", "withdrawn_at", "withdrawn_reason", "updated_at"])
        trail.record(
            actor,
            TrailAction.DELETE,
            evidence,
            changes={
                "status": [EvidenceStatus.CURRENT, EvidenceStatus.WITHDRAWN],
                "reason": [None, reason.strip()],
            },
        )
    return evidence


# ---------------------------------------------------------------- links


def _link_control(actor: Actor, evidence: Evidence, control: Control) -> EvidenceControl:
    if EvidenceControl.objects.filter(evidence=evidence, control=control).exists():
        raise Conflict(
            f"{evidence.ref_id} is already linked to {control.ref_id}.", {"control": ["Already linked."]}
        )
    link = EvidenceControl.objects.create(evidence=evidence, control=control)
    trail.record(
        actor,
        TrailAction.CREATE,
        link,
        object_repr=f"{evidence.ref_id} → {control.ref_id}",
        changes={"evidence": [None, evidence.ref_id], "control": [None, control.ref_id]},
    )
    return link


def _link_requirement(actor: Actor, evidence: Evidence, req: Requirement) -> EvidenceRequirement:
    if EvidenceRequirement.objects.filter(evidence=evidence, requirement=req).exists():
        raise Conflict(
            f"{evidence.ref_id} is already linked to {req.key}.", {"requirement": ["Already linked."]}
        )
    link = EvidenceRequirement.objects.create(evidence=evidence, requirement=req)
    trail.record(
        actor,
        TrailAction.CREATE,
        link,
        object_repr=f"{evidence.ref_id} → {req.key}",
        changes={"evidence": [None, evidence.ref_id], "requirement": [None, req.key]},
    )
    return link


def link_control(actor: Actor, ref: uuid.UUID | str, control_ref: str) -> EvidenceControl:
    with transaction.atomic():
        evidence = _locked(ref)
        _editable(actor, evidence)
        (control,) = _controls([control_ref], actor, evidence.management_systems.all())
        return _link_control(actor, evidence, control)


def unlink_control(actor: Actor, ref: uuid.UUID | str, control_ref: str) -> None:
    with transaction.atomic():
        evidence = _locked(ref)
        _editable(actor, evidence)
        (control,) = _controls([control_ref], actor)
        link = EvidenceControl.objects.filter(evidence=evidence, control=control).first()
        if link is None:
            raise NotFound(f"{evidence.ref_id} is not linked to {control.ref_id}.")
        trail.record(
            actor,
            TrailAction.DELETE,
            link,
            object_repr=f"{evidence.ref_id} → {control.ref_id}",
            changes={"evidence": [evidence.ref_id, None], "control": [control.ref_id, None]},
        )
        link.delete()


def link_requirement(actor: Actor, ref: uuid.UUID | str, requirement_key: str) -> EvidenceRequirement:
    with transaction.atomic():
        evidence = _locked(ref)
        _editable(actor, evidence)
        (req,) = _requirements([requirement_key])
        return _link_requirement(actor, evidence, req)


def unlink_requirement(actor: Actor, ref: uuid.UUID | str, requirement_key: str) -> None:
    with transaction.atomic():
        evidence = _locked(ref)
        _editable(actor, evidence)
        link = (
            EvidenceRequirement.objects.select_related("requirement")
            .filter(evidence=evidence, requirement__key=requirement_key.strip())
            .first()
        )
        if link is None:
            raise NotFound(f"{evidence.ref_id} is not linked to {requirement_key}.")
        trail.record(
            actor,
            TrailAction.DELETE,
            link,
            object_repr=f"{evidence.ref_id} → {link.requirement.key}",
            changes={"evidence": [evidence.ref_id, None], "requirement": [link.requirement.key, None]},
        )
        link.delete()


# ---------------------------------------------------------------- verification


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
