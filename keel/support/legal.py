"""The register of legal, regulatory and contractual requirements (ISO/IEC 27001 A.5.31;
ISO/IEC 42001 4.1) and the documents that inform interested parties about an AI system
(ISO/IEC 42001 A.8.2–A.8.5): creating and changing a requirement with the controls and the
standard clauses it drives; linking a document to an AI system and unlinking it."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from keel.controls.models import Control
from keel.documents.models import Document
from keel.organisation import resolvers
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.errors import Conflict, NotFound, ValidationFailed
from keel.platform.permissions import Perm, check
from keel.platform.records import reject_control_characters
from keel.standards.models import Requirement

from . import services
from .choices import SystemDocumentPurpose
from .models import LegalRequirement, SystemDocument

LEGAL = services.Spec(
    LegalRequirement,
    "legal requirement",
    (
        "ref_id",
        "management_system",
        "title",
        "kind",
        "jurisdiction",
        "source",
        "summary",
        "owner",
        "review_on",
        "status",
    ),
    standards=True,
    prefix="LR-",
)


def controls_of(refs: Iterable[str] | str) -> list[Control]:
    """Controls by reference (KC-012) or id; every unknown one named in one message."""
    if isinstance(refs, str):
        refs = [refs]
    out: list[Control] = []
    unknown: list[str] = []
    for ref in dict.fromkeys(str(r).strip() for r in refs if str(r).strip()):
        pk = resolvers.as_uuid(ref)
        found = Control.objects.filter(pk=pk).first() if pk else Control.objects.filter(ref_id=ref).first()
        if found is None:
            unknown.append(ref[:40])
        else:
            out.append(found)
    if unknown:
        raise ValidationFailed(
            f"No control {', '.join(unknown)}: give each control's reference, e.g. KC-012.",
            {"controls": ["Unknown control."]},
        )
    return out


def requirements_of(keys: Iterable[str] | str) -> list[Requirement]:
    """Requirements (clauses or Annex A controls) by full key; unknown ones in one message."""
    if isinstance(keys, str):
        keys = [keys]
    out: list[Requirement] = []
    problems: list[str] = []
    for key in dict.fromkeys(str(k).strip() for k in keys if str(k).strip()):
        try:
            out.append(resolvers.requirement(key, field="requirements", current=True))
        except ValidationFailed as exc:
            problems.append(exc.message)
    if problems:
        raise ValidationFailed(" ".join(problems), {"requirements": problems})
    return out


def _links(obj: LegalRequirement) -> dict[str, list[str]]:
    return {
        "controls": sorted(obj.controls.values_list("ref_id", flat=True)),
        "requirements": sorted(obj.requirements.values_list("key", flat=True)),
    }


def _set_links(
    obj: LegalRequirement, controls: list[Control] | None, requirements: list[Requirement] | None
) -> None:
    if controls is not None:
        outside = [c.ref_id for c in controls if not c.management_systems.filter(pk=obj.management_system_id)]
        if outside:
            raise ValidationFailed(
                f"{', '.join(outside)} {'is' if len(outside) == 1 else 'are'} not a control of "
                f"{obj.management_system.short_name}: a requirement drives controls of its own system.",
                {"controls": ["Another management system."]},
            )
        obj.controls.set(controls)
    if requirements is not None:
        covered = set(obj.management_system.standards.values_list("pk", flat=True))
        outside = [r.key for r in requirements if r.standard_id not in covered]
        if outside:
            raise ValidationFailed(
                f"The management system {obj.management_system.short_name} does not cover {', '.join(outside)}.",
                {"requirements": ["Not covered by the management system."]},
            )
        obj.requirements.set(requirements)


def create_legal_requirement(
    actor: Actor, *, controls: Iterable[str] = (), requirements: Iterable[str] = (), **data: Any
) -> LegalRequirement:
    """Record a legal, regulatory or contractual requirement with the controls (references) and
    requirements (keys) it drives."""
    with transaction.atomic():
        found_controls = controls_of(controls or [])
        found_reqs = requirements_of(requirements or [])
        obj: LegalRequirement = services.create(actor, LEGAL, **data)
        _set_links(obj, found_controls, found_reqs)
        links = _links(obj)
        if any(links.values()):
            trail.record(
                actor,
                TrailAction.UPDATE,
                obj,
                changes={k: [[], v] for k, v in links.items() if v},
                management_system_id=obj.management_system_id,
            )
    return obj


def update_legal_requirement(
    actor: Actor,
    ref: uuid.UUID | str,
    *,
    expected_version: str | None = None,
    controls: Iterable[str] | None = None,
    requirements: Iterable[str] | None = None,
    **data: Any,
) -> LegalRequirement:
    """Change the fields given; ``controls``/``requirements`` given replace the links."""
    with transaction.atomic():
        found_controls = controls_of(controls) if controls is not None else None
        found_reqs = requirements_of(requirements) if requirements is not None else None
        obj: LegalRequirement = services.update(actor, LEGAL, ref, expected_version=expected_version, **data)
        before = _links(obj)
        # a requirement that moved system keeps only the links its new system allows
        _set_links(
            obj,
            found_controls if found_controls is not None else list(obj.controls.all()),
            found_reqs if found_reqs is not None else list(obj.requirements.all()),
        )
        after = _links(obj)
        changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
        if changes:
            trail.record(
                actor, TrailAction.UPDATE, obj, changes=changes, management_system_id=obj.management_system_id
            )
    return obj


# ---------------------------------------------------------------- documents about AI systems


def link_document(
    actor: Actor, ai_system: str, document: str, purpose: str, note: str = ""
) -> SystemDocument:
    """Link a document (DOC-nnn or id) to an AI system (short name or id) as information for
    interested parties; needs ``edit_ai_systems`` over the AI system's management system."""
    reject_control_characters({"note": note})
    with transaction.atomic():
        system = services.ai_system(ai_system, actor)
        if system is None:
            raise ValidationFailed("Choose the AI system.", {"ai_system": ["Required."]})
        check(actor, Perm.EDIT_AI_SYSTEMS, system.management_system_id)
        doc = _document(document)
        if purpose not in SystemDocumentPurpose.values:
            raise ValidationFailed(
                f"purpose is one of: {', '.join(SystemDocumentPurpose.values)}.",
                {"purpose": ["Unknown purpose."]},
            )
        if SystemDocument.objects.filter(ai_system=system, document=doc).exists():
            raise Conflict(
                f"{doc.ref_id} is already linked to {system.name}.", {"document": ["Already linked."]}
            )
        link = SystemDocument.objects.create(ai_system=system, document=doc, purpose=purpose, note=note[:300])
        trail.record(
            actor,
            TrailAction.CREATE,
            link,
            changes={
                "ai_system": [None, system.short_name],
                "document": [None, doc.ref_id],
                "purpose": [None, purpose],
            },
            management_system_id=system.management_system_id,
        )
    return link


def unlink_document(actor: Actor, link_id: uuid.UUID | str) -> None:
    with transaction.atomic():
        pk = resolvers.as_uuid(link_id)
        link = (
            SystemDocument.objects.select_for_update()
            .select_related("ai_system", "document")
            .filter(pk=pk)
            .first()
            if pk
            else None
        )
        if link is None:
            raise NotFound(f"No link {str(link_id)[:60]!r} between a document and an AI system.")
        check(actor, Perm.EDIT_AI_SYSTEMS, link.ai_system.management_system_id)
        trail.record(
            actor,
            TrailAction.DELETE,
            link,
            changes={
                "ai_system": [link.ai_system.short_name, None],
                "document": [link.document.ref_id, None],
            },
            management_system_id=link.ai_system.management_system_id,
        )
        link.delete()


def _document(ref: str) -> Document:
    text = str(ref or "").strip()
    if not text:
        raise ValidationFailed("Choose the document.", {"document": ["Required."]})
    pk = resolvers.as_uuid(text)
    found = Document.objects.filter(pk=pk).first() if pk else Document.objects.filter(ref_id=text).first()
    if found is None:
        raise ValidationFailed(
            f"No document {text[:60]!r}: give its reference, e.g. DOC-004.",
            {"document": ["Unknown document."]},
        )
    return found
