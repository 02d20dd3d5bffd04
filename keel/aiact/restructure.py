"""Splitting one management system into an ISMS and an AIMS, and merging two back into one
(issue 17 item 4): a planned change to the management system (ISO/IEC 27001 and 42001 clause
6.3). No record is created or deleted by the move: records change the management system they
belong to, and every one that moves gets a trail entry naming the system before and after.

Split (a system covering both standards → it keeps ISO/IEC 27001, a new AIMS takes 42001):

- to the AIMS: AI systems, datasets, AI risks, the 42001 SoA, scope statements, confirmed
  coverage decisions and scope confirmations;
- controls linked to a 42001 requirement, or treating an AI risk, join the AIMS; those that also
  serve 27001 (a link to a 27001 requirement, an information-security risk) stay in both — the
  shared backbone — the others leave the ISMS;
- evidence follows its controls and requirements the same way; assets stay with the ISMS;
- documents answering ISO/IEC 42001 requirements only move to the AIMS, those answering both
  standards are in both (a document may belong to several systems);
- concerns about an AI system follow it (a concern belongs to its AI system's system);
- roles, commitments, objectives, awareness campaigns, communications and legal requirements
  tagged ISO/IEC 42001 only move to the AIMS, with objectives fed by a moved AI system's metric; those serving both
  standards (or untagged) stay with the ISMS, as each belongs to one system; competence records
  follow the role whose competence they meet;
- every role held over the system is granted over the AIMS too.

Merge (a source system into a target): every record of the source moves to the target, the
target covers both sets of standards, the source is retired (kept, empty) and the roles held
over it are granted over the target; documents and the support records (roles, commitments,
objectives, competence records, campaigns, communications, concerns, legal requirements) move
too. A merge that
would put two SoAs, scope statements, coverage decisions or scope confirmations for the same
thing, or two management-system roles of the same name, in one system is refused before
anything changes.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Model, QuerySet

from keel.aisystems.models import AISystem, Dataset
from keel.assets.models import Asset
from keel.controls.models import Control, ControlLink
from keel.documents.models import Document, DocumentRequirement
from keel.evidence.models import Evidence, EvidenceControl, EvidenceRequirement
from keel.gap.models import CoverageDecision, ScopeConfirmation
from keel.organisation import people
from keel.organisation import services as organisation
from keel.organisation.choices import ManagementSystemStatus, OperatingModel
from keel.organisation.models import ManagementSystem, RoleAssignment, ScopeStatement
from keel.platform import hooks, trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.errors import Conflict, ValidationFailed
from keel.platform.permissions import Perm, check
from keel.platform.records import reject_control_characters
from keel.risks.models import Risk
from keel.soa.models import StatementOfApplicability
from keel.standards.models import Standard
from keel.support.models import (
    AwarenessCampaign,
    Commitment,
    Communication,
    CompetenceRecord,
    Concern,
    LegalRequirement,
    MsRole,
    Objective,
)

ISO27001 = "iso27001:2022"
ISO42001 = "iso42001:2023"


def _move_fk(qs: QuerySet[Any], source: ManagementSystem, target: ManagementSystem) -> list[trail.Pending]:
    rows = list(qs.select_for_update())
    entries = [
        trail.Pending(
            TrailAction.UPDATE,
            obj,
            changes={"management_system": [source.short_name, target.short_name]},
            management_system_ids=[source.pk, target.pk],
        )
        for obj in rows
    ]
    qs.model.objects.filter(pk__in=[o.pk for o in rows]).update(management_system=target)
    return entries


def _regroup(
    obj: Model, field: str, add: Iterable[ManagementSystem], remove: Iterable[ManagementSystem]
) -> trail.Pending | None:
    related = getattr(obj, field)
    before = sorted(related.values_list("short_name", flat=True))
    related.add(*add)
    related.remove(*remove)
    after = sorted(related.values_list("short_name", flat=True))
    if before == after:
        return None
    ids = {str(m.pk) for m in [*add, *remove]}
    return trail.Pending(TrailAction.UPDATE, obj, changes={field: [before, after]}, management_system_ids=ids)


def _regroup_all(
    model: type[Model],
    ids: Iterable[Any],
    field: str,
    add: list[ManagementSystem],
    remove: Callable[[Any], list[ManagementSystem]],
) -> list[trail.Pending]:
    """Regroup the rows ``ids`` of ``model``, locked first, in ``ref_id`` order: each joins
    ``add`` and leaves the systems ``remove`` gives for it."""
    entries = []
    for obj in model._default_manager.select_for_update().filter(pk__in=list(ids)).order_by("ref_id"):
        e = _regroup(obj, field, add, remove(obj))
        if e:
            entries.append(e)
    return entries


def _only_42001(qs: QuerySet[Any], std42: Standard) -> QuerySet[Any]:
    """The support records of ``qs`` tagged with ISO/IEC 42001 and no other standard."""
    tagged = qs.filter(standards=std42).exclude(standards__in=Standard.objects.exclude(pk=std42.pk))
    return qs.filter(pk__in=tagged.values("pk"))  # no join: rows once each, lockable


def _grant_roles(actor: Actor, source: ManagementSystem, target: ManagementSystem) -> None:
    held = set(RoleAssignment.objects.filter(management_system=target).values_list("user_id", "role"))
    for ra in (
        RoleAssignment.objects.filter(management_system=source).select_related("user").order_by("granted_at")
    ):
        if (ra.user_id, ra.role) not in held:
            people.grant_role(actor, ra.user, ra.role, target)
            held.add((ra.user_id, ra.role))


@dataclass(frozen=True)
class Result:
    """What a split or merge did (or, for a preview, would do): the system the records went to
    and how many records of each kind moved or changed systems."""

    kind: str  # "split" or "merge"
    source: ManagementSystem
    target: ManagementSystem
    moved: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.moved.values())


def _counts(entries: Iterable[trail.Pending]) -> dict[str, int]:
    """Records per kind ("AI systems", "controls"…), most first."""
    counts: Counter[str] = Counter()
    for e in entries:
        if e.obj is not None:
            label = str(e.obj._meta.verbose_name_plural)
        else:
            try:
                label = str(apps.get_model(e.object_type or "")._meta.verbose_name_plural)
            except (LookupError, ValueError):
                label = (e.object_type or "records").split(".")[-1].replace("_", " ")
        label = {"ms roles": "management-system roles"}.get(label, label)
        counts[label[:1].upper() + label[1:]] += 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _restructured(
    actor: Actor, kind: str, source: ManagementSystem, target: ManagementSystem, standard: Standard | None
) -> list[trail.Pending]:
    """Let every app above ours move its own records (``management_system.restructured``)."""
    out: list[trail.Pending] = []
    for answer in hooks.call(
        "management_system.restructured",
        actor=actor,
        kind=kind,
        source=source,
        target=target,
        standard=standard,
    ):
        out += list(answer or [])
    return out


def _dry_run(run: Callable[[], Result]) -> Result:
    """Run a split or merge and roll it back: the exact counts, nothing kept."""

    class _Undo(Exception):
        pass

    found: list[Result] = []
    try:
        with transaction.atomic():
            found.append(run())
            raise _Undo
    except _Undo:
        pass
    return found[0]


def preview_split(actor: Actor, ms_ref: uuid.UUID | str, *, name: str, short_name: str) -> Result:
    """What :func:`split` would move, per kind of record; nothing changes (refusals as split)."""
    return _dry_run(lambda: split_result(actor, ms_ref, name=name, short_name=short_name))


def preview_merge(actor: Actor, target_ref: uuid.UUID | str, source_ref: uuid.UUID | str) -> Result:
    """What :func:`merge` would move, per kind of record; nothing changes (refusals as merge)."""
    return _dry_run(lambda: merge_result(actor, target_ref, source_ref))


def split(
    actor: Actor, ms_ref: uuid.UUID | str, *, name: str, short_name: str, note: str = ""
) -> ManagementSystem:
    """Split the system ``ms_ref`` (covering ISO/IEC 27001 and 42001) into itself as the ISMS
    and a new AIMS named ``name``/``short_name``; returns the AIMS. Needs ``manage_systems`` and
    ``manage_users`` (the roles held over the system are granted over the AIMS)."""
    return split_result(actor, ms_ref, name=name, short_name=short_name, note=note).target


def split_result(
    actor: Actor, ms_ref: uuid.UUID | str, *, name: str, short_name: str, note: str = ""
) -> Result:
    """:func:`split`, answering what moved."""
    reject_control_characters({"name": name, "short_name": short_name, "note": note})
    check(actor, Perm.MANAGE_SYSTEMS)
    check(actor, Perm.MANAGE_USERS)
    with transaction.atomic():
        ms = ManagementSystem.objects.select_for_update().get(
            pk=organisation.get_management_system(ms_ref).pk
        )
        std27 = Standard.objects.filter(key=ISO27001).first()
        std42 = Standard.objects.filter(key=ISO42001).first()
        covered = set(ms.standards.values_list("key", flat=True))
        if std27 is None or std42 is None or not {ISO27001, ISO42001} <= covered:
            raise ValidationFailed(
                f"{ms.name} does not cover both ISO/IEC 27001 and ISO/IEC 42001: there is nothing to split. "
                "Nothing was changed.",
                {"management_system": ["Covers one standard only."]},
            )
        aims = organisation.create_management_system(
            actor,
            standards=[ISO42001],
            name=name,
            short_name=short_name,
            description=f"The AIMS split from {ms.name}; it shares the backbone with it. {note}".strip(),
            operating_model=OperatingModel.FEDERATED,
        )
        organisation.update_management_system(
            actor,
            ms.pk,
            standards=sorted(covered - {ISO42001}),
            operating_model=OperatingModel.FEDERATED,
        )
        entries: list[trail.Pending] = []
        ai_risks = Risk.objects.filter(management_system=ms, register="ai")
        ai_risk_ids = list(ai_risks.values_list("pk", flat=True))
        entries += _move_fk(AISystem.objects.filter(management_system=ms), ms, aims)
        entries += _move_fk(Dataset.objects.filter(management_system=ms), ms, aims)
        entries += _move_fk(ai_risks, ms, aims)
        entries += _move_fk(
            StatementOfApplicability.objects.filter(management_system=ms, standard=std42), ms, aims
        )
        entries += _move_fk(ScopeStatement.objects.filter(management_system=ms, standard=std42), ms, aims)
        entries += _move_fk(
            CoverageDecision.objects.filter(management_system=ms, requirement__standard=std42), ms, aims
        )
        entries += _move_fk(
            ScopeConfirmation.objects.filter(management_system=ms, requirement__standard=std42), ms, aims
        )
        controls = Control.objects.filter(management_systems=ms)
        for_ai = set(
            ControlLink.objects.filter(control__in=controls, requirement__standard=std42).values_list(
                "control_id", flat=True
            )
        ) | set(controls.filter(risks__in=ai_risk_ids).values_list("pk", flat=True))
        for_is = set(
            ControlLink.objects.filter(
                control__in=controls, requirement__standard__in=ms.standards.all()
            ).values_list("control_id", flat=True)
        ) | set(controls.filter(risks__management_system=ms).values_list("pk", flat=True))
        entries += _regroup_all(
            Control, for_ai, "management_systems", [aims], lambda c: [] if c.pk in for_is else [ms]
        )
        evidence = Evidence.objects.filter(management_systems=ms)
        in_aims = Control.objects.filter(management_systems=aims)
        in_ms = Control.objects.filter(management_systems=ms)
        ev_ai = set(
            EvidenceControl.objects.filter(evidence__in=evidence, control__in=in_aims).values_list(
                "evidence_id", flat=True
            )
        ) | set(
            EvidenceRequirement.objects.filter(
                evidence__in=evidence, requirement__standard=std42
            ).values_list("evidence_id", flat=True)
        )
        ev_is = set(
            EvidenceControl.objects.filter(evidence__in=evidence, control__in=in_ms).values_list(
                "evidence_id", flat=True
            )
        ) | set(
            EvidenceRequirement.objects.filter(
                evidence__in=evidence, requirement__standard__in=ms.standards.all()
            ).values_list("evidence_id", flat=True)
        )
        entries += _regroup_all(
            Evidence, ev_ai, "management_systems", [aims], lambda e: [] if e.pk in ev_is else [ms]
        )
        entries += _split_documents(ms, aims, std42)
        entries += _split_support(ms, aims, std42)
        entries += _restructured(actor, "split", ms, aims, std42)
        trail.record_many(actor, entries)
        _grant_roles(actor, ms, aims)
        trail.record(
            actor,
            TrailAction.UPDATE,
            ms,
            changes={
                "split_into": [None, aims.short_name],
                "records_moved": [None, len(entries)],
                **({"note": [None, note]} if note else {}),
            },
            management_system_ids=[ms.pk, aims.pk],
        )
    return Result("split", ms, aims, _counts(entries))


def _split_documents(ms: ManagementSystem, aims: ManagementSystem, std42: Standard) -> list[trail.Pending]:
    """Documents answering 42001 requirements join the AIMS; those answering no other
    standard's requirement leave the ISMS."""
    docs = Document.objects.filter(management_systems=ms)
    for_ai = set(
        DocumentRequirement.objects.filter(document__in=docs, requirement__standard=std42).values_list(
            "document_id", flat=True
        )
    )
    for_other = set(
        DocumentRequirement.objects.filter(document__in=docs)
        .exclude(requirement__standard=std42)
        .values_list("document_id", flat=True)
    )
    return _regroup_all(
        Document, for_ai, "management_systems", [aims], lambda d: [] if d.pk in for_other else [ms]
    )


def _split_support(ms: ManagementSystem, aims: ManagementSystem, std42: Standard) -> list[trail.Pending]:
    """Support records that serve the AIMS only move to it (each belongs to one system)."""
    entries: list[trail.Pending] = []
    roles = _only_42001(MsRole.objects.filter(management_system=ms), std42)
    role_ids = list(roles.values_list("pk", flat=True))
    entries += _move_fk(roles, ms, aims)
    entries += _move_fk(
        CompetenceRecord.objects.filter(management_system=ms, competence__role__in=role_ids), ms, aims
    )
    for model in (Commitment, AwarenessCampaign, Communication, LegalRequirement):
        entries += _move_fk(_only_42001(model.objects.filter(management_system=ms), std42), ms, aims)
    objectives = Objective.objects.filter(management_system=ms)
    entries += _move_fk(
        objectives.filter(
            pk__in=[
                *_only_42001(objectives, std42).values_list("pk", flat=True),
                *objectives.filter(metric__ai_system__management_system=aims).values_list("pk", flat=True),
            ]
        ),
        ms,
        aims,
    )
    entries += _move_fk(
        Concern.objects.filter(management_system=ms, ai_system__management_system=aims), ms, aims
    )
    return entries


def _overlaps(source: ManagementSystem, target: ManagementSystem) -> list[str]:
    problems = []
    both = (source.pk, target.pk)
    pairs: list[tuple[str, QuerySet[Any], tuple[str, ...]]] = [
        ("Statements of Applicability", StatementOfApplicability.objects.all(), ("standard_id",)),
        ("scope statements", ScopeStatement.objects.all(), ("standard_id",)),
        ("coverage decisions", CoverageDecision.objects.all(), ("requirement_id",)),
        ("scope confirmations", ScopeConfirmation.objects.all(), ("control_id", "requirement_id")),
        ("management-system roles", MsRole.objects.all(), ("name",)),
    ]
    for label, qs, key in pairs:
        seen: dict[tuple[Any, ...], set[Any]] = {}
        for row in qs.filter(management_system__in=both).values_list("management_system_id", *key):
            seen.setdefault(tuple(row[1:]), set()).add(row[0])
        if any(len(v) > 1 for v in seen.values()):
            problems.append(label)
    return problems


def merge(
    actor: Actor, target_ref: uuid.UUID | str, source_ref: uuid.UUID | str, note: str = ""
) -> ManagementSystem:
    """Merge the system ``source_ref`` into ``target_ref``: every record moves, the target covers
    both sets of standards and the source is retired; returns the target. Needs
    ``manage_systems`` and ``manage_users`` (the roles held over the source are granted over the
    target)."""
    return merge_result(actor, target_ref, source_ref, note).target


def merge_result(
    actor: Actor, target_ref: uuid.UUID | str, source_ref: uuid.UUID | str, note: str = ""
) -> Result:
    """:func:`merge`, answering what moved."""
    reject_control_characters({"note": note})
    check(actor, Perm.MANAGE_SYSTEMS)
    check(actor, Perm.MANAGE_USERS)
    with transaction.atomic():
        target = organisation.get_management_system(target_ref)
        source = organisation.get_management_system(source_ref)
        if target.pk == source.pk:
            raise ValidationFailed(
                "A management system cannot be merged into itself.", {"source": ["Same system."]}
            )
        locked = list(ManagementSystem.objects.select_for_update().filter(pk__in=[target.pk, source.pk]))
        if any(m.status != ManagementSystemStatus.ACTIVE for m in locked):
            raise Conflict("Only active management systems can be merged. Nothing was changed.")
        overlaps = _overlaps(source, target)
        if overlaps:
            raise Conflict(
                f"{source.name} and {target.name} both hold {', '.join(overlaps)} for the same standard or "
                "requirement: settle which one stays first. Nothing was changed."
            )
        standards = sorted(
            set(target.standards.values_list("key", flat=True))
            | set(source.standards.values_list("key", flat=True))
        )
        entries: list[trail.Pending] = []
        for model in (
            AISystem,
            Dataset,
            Risk,
            Asset,
            StatementOfApplicability,
            ScopeStatement,
            CoverageDecision,
            ScopeConfirmation,
            MsRole,
            Commitment,
            Objective,
            CompetenceRecord,
            AwarenessCampaign,
            Communication,
            Concern,
            LegalRequirement,
        ):
            entries += _move_fk(model.objects.filter(management_system=source), source, target)
        for m2m_model in (Control, Evidence, Document):
            ids = m2m_model._default_manager.filter(management_systems=source).values_list("pk", flat=True)
            entries += _regroup_all(m2m_model, ids, "management_systems", [target], lambda _: [source])
        entries += _restructured(actor, "merge", source, target, None)
        trail.record_many(actor, entries)
        _grant_roles(actor, source, target)
        organisation.update_management_system(
            actor, target.pk, standards=standards, operating_model=OperatingModel.UNIFIED
        )
        organisation.update_management_system(actor, source.pk, status=ManagementSystemStatus.RETIRED)
        trail.record(
            actor,
            TrailAction.UPDATE,
            target,
            changes={
                "merged_from": [None, source.short_name],
                "records_moved": [None, len(entries)],
                "note": [None, note],
            },
            management_system_ids=[target.pk, source.pk],
        )
    return Result("merge", source, target, _counts(entries))
