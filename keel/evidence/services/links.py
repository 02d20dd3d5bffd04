"""Links from evidence to controls and requirements, and the references they are typed as."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.db import transaction

from keel.controls.models import Control
from keel.controls.queries import control_ref as find_control
from keel.organisation import resolvers as organisation_resolvers
from keel.organisation.models import ManagementSystem
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.errors import Conflict, NotFound, ValidationFailed
from keel.standards.models import Requirement

from ..models import Evidence, EvidenceControl, EvidenceRequirement
from .common import _editable, _locked


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
