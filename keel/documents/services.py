"""Write-side services of the documents app: one transaction each, each records its trail entry.

A document's life: created with a first draft version → sent for review (naming reviewers) →
approved by someone who did not write that version → later versions drafted, reviewed and
approved in turn (the approved one supersedes the one in force) → retired. A version's content
is never changed: fixing a draft writes a new version and withdraws the old draft. Uploaded
files go to the evidence storage (keel/evidence/storage.py) under ``documents/``, hashed, never
overwritten; a failed change deletes the file it wrote (the checks on a version's text or file,
its storage and its row: :mod:`keel.documents.content`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from keel.assets.models import ClassificationLevel
from keel.assets.services import get_level
from keel.controls.services import _check_on_systems, _systems
from keel.organisation import resolvers as organisation_resolvers
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version, next_ref
from keel.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from keel.platform.models import User
from keel.platform.permissions import Perm
from keel.platform.records import apply_fields, clean, reject_control_characters
from keel.standards.models import Requirement

from . import acknowledgements, content, queries
from .choices import ChangeKind, DocumentKind, DocumentStatus, VersionStatus
from .content import NewVersion as NewVersion  # what the pages, the API and the CLI hand in
from .models import Document, DocumentRequirement, DocumentVersion

DOCUMENT_FIELDS = ("title", "summary", "kind", "owner", "classification", "next_review_on")
OPEN = (VersionStatus.DRAFT, VersionStatus.IN_REVIEW)


# ---------------------------------------------------------------- documents


def next_ref_id() -> str:
    return next_ref(Document, "DOC-")


def _snapshot(document: Document) -> dict[str, Any]:
    data = trail.snapshot(document, ["ref_id", *DOCUMENT_FIELDS, "status"])
    data["management_systems"] = sorted(str(m.short_name) for m in document.management_systems.all())
    return data


def _classification(ref: Any) -> ClassificationLevel | None:
    if ref is None or ref == "" or isinstance(ref, ClassificationLevel):
        return ref or None
    try:
        level = get_level(ref)
    except NotFound:
        raise ValidationFailed(
            f"No classification level {str(ref)[:60]!r}: give one of the scheme's levels (its key or id).",
            {"classification": ["Unknown level."]},
        ) from None
    return level


def _owner(ref: Any) -> User:
    owner = organisation_resolvers.user_by_email(ref, "owner") if ref else None
    if owner is None:
        raise ValidationFailed("Name the document's owner (a person).", {"owner": ["Required."]})
    return owner


def _fields(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    if "kind" in out and out["kind"] not in DocumentKind.values:
        raise ValidationFailed(
            f"kind is one of: {', '.join(DocumentKind.values)}.", {"kind": ["Unknown kind."]}
        )
    if "owner" in out:
        out["owner"] = _owner(out["owner"])
    if "classification" in out:
        out["classification"] = _classification(out["classification"])
    return out


def _requirements(keys: Iterable[str]) -> list[Requirement]:
    """Requirements by key; every key that names none is listed in one message."""
    out: list[Requirement] = []
    problems: list[str] = []
    for key in dict.fromkeys(str(k).strip() for k in keys if str(k).strip()):
        try:
            out.append(organisation_resolvers.requirement(key, field="requirements", current=True))
        except ValidationFailed as exc:
            problems.append(exc.message)
    if problems:
        raise ValidationFailed(" ".join(problems), {"requirements": problems})
    return out


def create_document(
    actor: Actor,
    *,
    title: str,
    kind: str,
    owner: Any,
    version: NewVersion,
    summary: str = "",
    management_systems: Iterable[uuid.UUID | str] | None = None,
    classification: Any = None,
    next_review_on: dt.date | None = None,
    requirements: Iterable[str] = (),
    ref_id: str = "",
) -> Document:
    """Create a document with its first (draft) version and the requirements it answers."""
    systems = _systems(management_systems)
    _check_on_systems(actor, Perm.EDIT_DOCUMENTS, systems)
    data = _fields(
        {
            "title": title,
            "summary": summary,
            "kind": kind,
            "owner": owner,
            "classification": classification,
            "next_review_on": next_review_on,
        }
    )
    prepared = content.prepare(version)
    requirement_rows = _requirements(requirements)
    with content.files_cleaned_on_failure() as written, transaction.atomic():
        document = Document(ref_id=(ref_id or "").strip() or next_ref_id())
        apply_fields(document, data, DOCUMENT_FIELDS)
        clean(document, "document", exclude=["current_version", "issued_version"])
        document.save()
        document.management_systems.set(systems)
        trail.record(actor, TrailAction.CREATE, document, changes=trail.diff({}, _snapshot(document)))
        content.write_version(actor, document, version, prepared, written)
        for req in requirement_rows:
            _link(actor, document, req)
    return document


def _locked(ref: uuid.UUID | str) -> Document:
    """The document row, locked for the rest of the transaction."""
    document = queries.get_document(ref)
    return (
        Document.objects.select_related("current_version", "issued_version")
        .select_for_update(of=("self",))
        .get(pk=document.pk)
    )


def _editable(actor: Actor, document: Document, perm: str = Perm.EDIT_DOCUMENTS) -> None:
    _check_on_systems(actor, perm, document.management_systems.all())
    if document.status == DocumentStatus.RETIRED:
        raise Conflict(f"{document.ref_id} is retired: it can be read but no longer changed.")


def update_document(
    actor: Actor,
    ref: uuid.UUID | str,
    *,
    management_systems: Iterable[uuid.UUID | str] | None = None,
    expected_version: str | None = None,
    **data: Any,
) -> Document:
    """Change the document's own fields (never a version's content) under the row lock;
    ``expected_version`` makes a save over a newer change an EditConflict."""
    unknown = set(data) - set(DOCUMENT_FIELDS)
    if unknown:
        raise ValidationFailed(
            f"Unknown fields: {', '.join(sorted(unknown))}.", {k: ["Unknown."] for k in unknown}
        )
    data = _fields(data)
    with transaction.atomic():
        document = _locked(ref)
        _editable(actor, document)
        check_version(document, expected_version, document.ref_id)
        before = _snapshot(document)
        apply_fields(document, data, DOCUMENT_FIELDS)
        clean(document, "document", exclude=["current_version", "issued_version"])
        after = _snapshot(document)
        changed = [n for n in DOCUMENT_FIELDS if before[n] != after[n]]
        if changed:
            document.save(update_fields=[*changed, "updated_at"])
        if management_systems is not None:
            systems = _systems(management_systems)
            _check_on_systems(actor, Perm.EDIT_DOCUMENTS, systems)
            document.management_systems.set(systems)
        changes = trail.diff(before, _snapshot(document))
        if changes:
            trail.record(actor, TrailAction.UPDATE, document, changes=changes)
    return document


def _set_status(document: Document, status: str) -> None:
    document.status = status
    Document.objects.filter(pk=document.pk).update(status=status, updated_at=timezone.now())


def add_version(actor: Actor, ref: uuid.UUID | str, version: NewVersion) -> DocumentVersion:
    """Write a new version. An open draft is withdrawn (kept, not changed); a version in review
    must be approved or sent back first."""
    prepared = content.prepare(version)
    with content.files_cleaned_on_failure() as written, transaction.atomic():
        document = _locked(ref)
        _editable(actor, document)
        current = document.current_version
        if current is not None and current.status == VersionStatus.IN_REVIEW:
            raise Conflict(
                f"Version {current.label} of {document.ref_id} is in review: approve it or send it back "
                "to draft before writing another version."
            )
        if current is not None and current.status == VersionStatus.DRAFT:
            _move(actor, document, current, VersionStatus.WITHDRAWN, "replaced by a newer draft")
        created = content.write_version(actor, document, version, prepared, written)
        if document.status != DocumentStatus.APPROVED:
            _set_status(document, DocumentStatus.DRAFT)
        return created


def _move(actor: Actor, document: Document, version: DocumentVersion, status: str, note: str = "") -> None:
    old = version.status
    version.status = status
    fields = ["status"]
    if status == VersionStatus.SUPERSEDED:
        version.superseded_at = timezone.now()
        fields.append("superseded_at")
    version.save(update_fields=fields)
    changes: dict[str, list[Any]] = {"status": [old, status]}
    if note:
        changes["note"] = [None, note]
    trail.record(
        actor,
        TrailAction.UPDATE,
        version,
        object_repr=f"{document.ref_id} version {version.label}",
        changes=changes,
    )


def _open_version(document: Document, status: str, doing: str) -> DocumentVersion:
    version = document.current_version
    if version is None or version.status != status:
        shown = (
            f"version {version.label} is {version.get_status_display().lower()}"
            if version
            else "it has no version"
        )
        raise Conflict(
            f"{document.ref_id} cannot be {doing}: {shown}. Only a version that is "
            f"{VersionStatus(status).label.lower()} can be."
        )
    return version


def submit_for_review(actor: Actor, ref: uuid.UUID | str, reviewers: Iterable[Any] = ()) -> DocumentVersion:
    """Send the draft version for review, naming its reviewers (people of the directory)."""
    people = [
        _owner_like(r, "reviewers")
        for r in dict.fromkeys(str(r).strip() for r in reviewers if str(r).strip())
    ]
    with transaction.atomic():
        document = _locked(ref)
        _editable(actor, document)
        version = _open_version(document, VersionStatus.DRAFT, "sent for review")
        version.submitted_at = timezone.now()
        version.save(update_fields=["submitted_at"])
        version.reviewers.set(people)
        _move(actor, document, version, VersionStatus.IN_REVIEW)
        if people:
            trail.record(
                actor,
                TrailAction.UPDATE,
                version,
                object_repr=f"{document.ref_id} version {version.label}",
                changes={"reviewers": [None, sorted(p.email for p in people)]},
            )
        if document.status != DocumentStatus.APPROVED:
            _set_status(document, DocumentStatus.IN_REVIEW)
        return version


def _owner_like(ref: Any, field: str) -> User:
    person = organisation_resolvers.user_by_email(ref, field)
    assert person is not None  # empty references are dropped by the caller
    return person


def return_to_draft(actor: Actor, ref: uuid.UUID | str, note: str = "") -> DocumentVersion:
    """Send the version in review back to its author as a draft (changes asked for)."""
    reject_control_characters({"note": note})
    with transaction.atomic():
        document = _locked(ref)
        _editable(actor, document)
        version = _open_version(document, VersionStatus.IN_REVIEW, "sent back to draft")
        _move(actor, document, version, VersionStatus.DRAFT, note.strip())
        if document.status != DocumentStatus.APPROVED:
            _set_status(document, DocumentStatus.DRAFT)
        return version


def approve(
    actor: Actor, ref: uuid.UUID | str, approved_on: dt.date | None = None, *, notify: bool = True
) -> DocumentVersion:
    """Approve the version in review: it is issued, the one in force before is superseded. The
    approver must not be the version's author. A new major version of a published policy asks
    its audience to acknowledge it again (:func:`acknowledgements.republish`)."""
    on = approved_on or queries.today()
    if on > queries.today():
        raise ValidationFailed(
            "The approval date cannot be in the future.", {"approved_on": ["In the future."]}
        )
    with transaction.atomic():
        document = _locked(ref)
        _editable(actor, document, Perm.APPROVE_DOCUMENTS)
        version = _open_version(document, VersionStatus.IN_REVIEW, "approved")
        if actor.user is None:
            raise ValidationFailed(
                "An approval needs the approver: run the command with --as EMAIL.",
                {"approver": ["Required."]},
            )
        if actor.user.pk == version.author_id:
            raise PermissionDenied(
                f"{actor.label} wrote version {version.label} of {document.ref_id} and cannot approve it: "
                "another person with the right to approve documents must approve it."
            )
        previous = document.issued_version
        if previous is not None:
            _move(actor, document, previous, VersionStatus.SUPERSEDED)
        version.approver = actor.user
        version.approved_on = on
        version.approved_at = timezone.now()
        version.status = VersionStatus.APPROVED
        version.save(update_fields=["approver", "approved_on", "approved_at", "status"])
        trail.record(
            actor,
            TrailAction.APPROVE,
            version,
            object_repr=f"{document.ref_id} version {version.label}",
            changes={
                "status": [VersionStatus.IN_REVIEW, VersionStatus.APPROVED],
                "approver": [None, actor.user.email],
                "approved_on": [None, on.isoformat()],
            },
        )
        updates: dict[str, Any] = {"issued_version": version, "status": DocumentStatus.APPROVED}
        if document.next_review_on is None or document.next_review_on <= on:
            updates["next_review_on"] = _a_year_after(on)
        before = _snapshot(document)
        for k, val in updates.items():
            setattr(document, k, val)
        document.save(update_fields=[*updates, "updated_at"])
        changes = trail.diff(before, _snapshot(document))
        if changes:
            trail.record(actor, TrailAction.UPDATE, document, changes=changes)
        if previous is not None and version.change == ChangeKind.MAJOR:
            acknowledgements.republish(actor, document, previous, version, email=notify)
        elif previous is not None:
            acknowledgements.carry_forward(actor, document, previous, version)
        return version


def _a_year_after(on: dt.date) -> dt.date:
    """The default next review: a year after approval (28 February after a 29 February)."""
    try:
        return on.replace(year=on.year + 1)
    except ValueError:
        return on.replace(year=on.year + 1, day=28)


def retire_document(actor: Actor, ref: uuid.UUID | str, reason: str = "") -> Document:
    """Retire a document: it leaves lists and the coverage; its versions and history stay.
    Outstanding acknowledgements of it are no longer asked for."""
    reject_control_characters({"reason": reason})
    with transaction.atomic():
        document = _locked(ref)
        _editable(actor, document)
        current = document.current_version
        if current is not None and current.status in OPEN:
            _move(actor, document, current, VersionStatus.WITHDRAWN, "document retired")
        old = document.status
        document.status = DocumentStatus.RETIRED
        document.retired_at = timezone.now()
        document.retired_reason = reason.strip()
        document.save(update_fields=["status", "retired_at", "retired_reason", "updated_at"])
        trail.record(
            actor,
            TrailAction.DELETE,
            document,
            changes={"status": [old, DocumentStatus.RETIRED], "reason": [None, reason.strip()]},
        )
        acknowledgements.cancel_outstanding(actor, document)
    return document


# ---------------------------------------------------------------- requirements answered


def _link(actor: Actor, document: Document, req: Requirement) -> DocumentRequirement:
    if DocumentRequirement.objects.filter(document=document, requirement=req).exists():
        raise Conflict(f"{document.ref_id} already answers {req.key}.", {"requirement": ["Already linked."]})
    link = DocumentRequirement.objects.create(document=document, requirement=req)
    trail.record(
        actor,
        TrailAction.CREATE,
        link,
        object_repr=f"{document.ref_id} → {req.key}",
        changes={"document": [None, document.ref_id], "requirement": [None, req.key]},
    )
    return link


def link_requirement(actor: Actor, ref: uuid.UUID | str, requirement_key: str) -> DocumentRequirement:
    with transaction.atomic():
        document = _locked(ref)
        _editable(actor, document)
        if not str(requirement_key or "").strip():
            raise ValidationFailed("Give the requirement's key.", {"requirement": ["Required."]})
        (req,) = _requirements([requirement_key])
        return _link(actor, document, req)


def unlink_requirement(actor: Actor, ref: uuid.UUID | str, requirement_key: str) -> None:
    with transaction.atomic():
        document = _locked(ref)
        _editable(actor, document)
        link = (
            DocumentRequirement.objects.select_related("requirement")
            .filter(document=document, requirement__key=requirement_key.strip())
            .first()
        )
        if link is None:
            raise NotFound(f"{document.ref_id} does not answer {requirement_key[:100]}.")
        trail.record(
            actor,
            TrailAction.DELETE,
            link,
            object_repr=f"{document.ref_id} → {link.requirement.key}",
            changes={"document": [document.ref_id, None], "requirement": [link.requirement.key, None]},
        )
        link.delete()
