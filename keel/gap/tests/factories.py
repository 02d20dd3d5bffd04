"""Small standards, crosswalks and controls built directly for the gap-analysis tests."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from keel.controls.models import Control, ControlLink, ControlTemplate, TemplateRequirement
from keel.mapping.models import Crosswalk, CrosswalkRelation
from keel.organisation.models import ManagementSystem
from keel.standards.models import Requirement, Standard


def standard(key: str, entries: Iterable[str | tuple[str, str] | tuple[str, str, str, str]]) -> Standard:
    """A standard ``key`` with entries: ``"A.1"`` (an Annex A control), ``(ref, kind)``, or
    ``(ref, kind, hs_key, hs_relation)``. A clause ``"4.1"`` gets the parent ``"4"`` when that
    entry exists."""
    std = Standard.objects.create(
        key=key,
        name=key.split(":")[0],
        edition=key.split(":")[-1],
        title=f"Test standard {key}",
        revision=1,
        source="tests",
        loaded_at=timezone.now(),
    )
    made: dict[str, Requirement] = {}
    for order, entry in enumerate(entries):
        if isinstance(entry, str):
            ref, kind, hs_key, hs_rel = entry, "annex_control", "", ""
        elif len(entry) == 2:
            ref, kind, hs_key, hs_rel = entry[0], entry[1], "", ""
        else:
            ref, kind, hs_key, hs_rel = entry  # type: ignore[misc]
        parent = made.get(ref.rsplit(".", 1)[0]) if "." in ref else None
        made[ref] = Requirement.objects.create(
            key=f"{key}:{ref}",
            standard=std,
            ref_id=ref,
            title=f"Title of {ref}",
            kind=kind,
            parent=parent,
            sort_order=order,
            hs_key=hs_key,
            hs_relation=hs_rel,
        )
    return std


def req(std: Standard, ref: str) -> Requirement:
    return Requirement.objects.get(standard=std, ref_id=ref)


def crosswalk(
    source: Standard, target: Standard, relations: Iterable[tuple[str, str, str] | tuple[str, str, str, str]]
) -> Crosswalk:
    """Relations ``(source ref, target ref, relation[, extension])``."""
    cw = Crosswalk.objects.create(
        key=f"{source.key}--{target.key}".replace(":", "-"),
        name="Test crosswalk",
        source=source,
        target=target,
    )
    for rel in relations:
        src, tgt, kind = rel[0], rel[1], rel[2]
        extension = rel[3] if len(rel) > 3 else ""  # type: ignore[misc]
        CrosswalkRelation.objects.create(
            crosswalk=cw,
            source=req(source, src) if kind != "not_related" else None,
            target=req(target, tgt),
            relation=kind,
            rationale="Worked out for the test.",
            extension=extension,
        )
    return cw


def control(
    ms: ManagementSystem,
    ref: str,
    links: Iterable[tuple[Requirement, str]],
    status: str = "implemented",
) -> Control:
    c = Control.objects.create(
        ref_id=ref, title=f"Control {ref}", type="process", frequency="quarterly", status=status
    )
    c.management_systems.add(ms)
    for requirement, coverage in links:
        ControlLink.objects.create(control=c, requirement=requirement, coverage=coverage)
    return c


def template(
    key: str, requirement: Requirement, type_: str = "technical", frequency: str = "continuous"
) -> ControlTemplate:
    t = ControlTemplate.objects.create(
        key=key,
        title=f"Template {key}",
        description="For the test.",
        type=type_,
        frequency=frequency,
        owner_role="CISO",
        source="tests",
    )
    TemplateRequirement.objects.create(template=t, requirement=requirement, coverage="full")
    return t
