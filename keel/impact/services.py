"""Write-side services of the AI system impact assessment: one transaction each, each writes its
trail entry (docs/ai-systems.md#impact-assessment).

- Drafting (start a version, edit its sections, add and edit impacts) needs ``edit_ai_systems``
  over the AI system's management system; approving needs ``approve_impact_assessments``.
- A version is edited only while it is a draft; an approved version never changes. A
  re-assessment is a new version started from the latest one (sections, links and impacts are
  carried over).
- Re-assessment triggers: the AI system services call :func:`note_change` when a system changes
  stage, gets a new model or changes its intended use; the current approved version becomes due
  when its trigger for that change is on. A planned interval makes it due by the calendar.
- A harm is raised into the AI risk register with :func:`raise_risk` (``edit_risks``); the risk
  keeps a foreign key to the impact.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from keel.aisystems.models import AIModel, AISystem, Dataset
from keel.aisystems.services import get_system
from keel.organisation.models import InterestedParty
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version
from keel.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from keel.platform.models import User
from keel.platform.permissions import Perm, check
from keel.platform.records import apply_fields, clean, reject_control_characters
from keel.risks import services as risks
from keel.risks.models import Methodology, Risk
from keel.risks.services import current_methodology
from keel.standards.choices import EntryKind
from keel.standards.models import Requirement

from .choices import ANNEX_C_OBJECTIVE, ANNEX_C_RISK_SOURCE, AssessmentStatus, Nature
from .models import CONTENT_FIELDS, IMPACT_FIELDS, Impact, ImpactAssessment

# re-exported: callers use keel.impact.services.<name>
from .triggers import Due as Due
from .triggers import add_months as add_months
from .triggers import current_assessment as current_assessment
from .triggers import due_state as due_state
from .triggers import gate_problem as gate_problem
from .triggers import note_change as note_change
from .triggers import stage_triggers as stage_triggers

ANNEX_C_PREFIX = "iso42001:2023:"


# ---------------------------------------------------------------- look-ups


def get_assessment(ref: uuid.UUID | str, lock: bool = False) -> ImpactAssessment:
    qs = ImpactAssessment.objects.select_related("ai_system__management_system", "methodology")
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=uuid.UUID(str(ref)))
    except (ValueError, ValidationError, ImpactAssessment.DoesNotExist):
        raise NotFound(f"No impact assessment with id {ref}.") from None


def get_impact(ref: uuid.UUID | str, lock: bool = False) -> Impact:
    qs = Impact.objects.select_related(
        "assessment__ai_system__management_system", "assessment__methodology", "objective"
    )
    if lock:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=uuid.UUID(str(ref)))
    except (ValueError, ValidationError, Impact.DoesNotExist):
        raise NotFound(f"No impact with id {ref}.") from None


def _system(ref: uuid.UUID | str | AISystem) -> AISystem:
    if isinstance(ref, AISystem):
        return ref

    return get_system(ref)


# ---------------------------------------------------------------- assessments


def _snapshot(a: ImpactAssessment) -> dict[str, Any]:
    data = trail.snapshot(a, [*CONTENT_FIELDS, "status"])
    if a.pk:
        data["datasets"] = sorted(a.datasets.values_list("short_name", flat=True))
        data["ai_models"] = sorted(str(m) for m in a.ai_models.all())
        data["interested_parties"] = sorted(a.interested_parties.values_list("name", flat=True))
    return data


def _refs(model: Any, refs: Iterable[Any], field: str, slug: str | None) -> list[Any]:
    wanted = [str(r).strip() for r in refs if str(r).strip()]
    ids, names = [], []
    for r in wanted:
        try:
            ids.append(uuid.UUID(r))
        except ValueError:
            names.append(r)
    q = Q(pk__in=ids)
    if slug:
        q |= Q(**{f"{slug}__in": names})
    found = list(model.objects.filter(q))
    keys = {str(o.pk) for o in found} | ({str(getattr(o, slug)) for o in found} if slug else set())
    missing = [r for r in wanted if r not in keys]
    if missing:
        raise ValidationFailed(f"Unknown {field}: {', '.join(missing)}.", {field: ["Unknown reference."]})
    return found


def _set_links(
    a: ImpactAssessment,
    datasets: Iterable[Any] | None,
    ai_models: Iterable[Any] | None,
    interested_parties: Iterable[Any] | None,
) -> None:
    if datasets is not None:
        a.datasets.set(_refs(Dataset, datasets, "datasets", "short_name"))
    if ai_models is not None:
        found = _refs(AIModel, ai_models, "ai_models", None)
        foreign = [str(m) for m in found if m.ai_system_id != a.ai_system_id]
        if foreign:
            raise ValidationFailed(
                f"Model(s) {', '.join(foreign)} belong to another AI system.",
                {"ai_models": ["Not this system's."]},
            )
        a.ai_models.set(found)
    if interested_parties is not None:
        a.interested_parties.set(_refs(InterestedParty, interested_parties, "interested_parties", "name"))


def _prefill(system: AISystem) -> dict[str, Any]:
    """A first version's sections, prefilled from the AI system record."""
    env = []
    if system.deployment_regions:
        env.append("Regions: " + ", ".join(system.deployment_regions) + ".")
    if system.users_description:
        env.append("Users: " + system.users_description)
    if system.human_oversight:
        env.append("Human oversight: " + system.human_oversight)
    return {
        "scope": f"The {system.name} AI system ({system.get_origin_display().lower()}) in its current "
        f"{system.get_lifecycle_stage_display().lower()} stage.",
        "system_description": system.purpose,
        "purpose": system.purpose,
        "intended_uses": system.intended_use,
        "unintended_uses": system.foreseeable_misuse,
        "models_description": system.third_party_components,
        "deployment_environment": "\n".join(env),
        "affected_people": system.affected_people,
    }


def start_assessment(
    actor: Actor,
    system_ref: uuid.UUID | str | AISystem,
    *,
    datasets: Iterable[Any] | None = None,
    ai_models: Iterable[Any] | None = None,
    interested_parties: Iterable[Any] | None = None,
    **data: Any,
) -> ImpactAssessment:
    """Start the next version of a system's impact assessment, as a draft. The first version is
    prefilled from the AI system record (and links its datasets and models); a re-assessment
    copies the latest version — sections, links and impacts — for the author to revise."""

    with transaction.atomic():
        system = _system(system_ref)
        check(actor, Perm.EDIT_AI_SYSTEMS, system.management_system)
        AISystem.objects.select_for_update().filter(pk=system.pk).first()
        latest = ImpactAssessment.objects.filter(ai_system=system).order_by("-version").first()
        if latest is not None and latest.is_draft:
            raise Conflict(
                f"{system.name} already has a draft impact assessment (version {latest.version}): edit it "
                "instead of starting another."
            )
        a = ImpactAssessment(
            ai_system=system,
            version=(latest.version + 1) if latest else 1,
            methodology=current_methodology(),
            author=actor.user,
        )
        base = {f: getattr(latest, f) for f in CONTENT_FIELDS} if latest else _prefill(system)
        apply_fields(a, {**base, **data}, CONTENT_FIELDS)
        clean(a, "impact assessment", exclude=["methodology"])
        a.save()
        if latest:
            a.datasets.set(latest.datasets.all())
            a.ai_models.set(latest.ai_models.all())
            a.interested_parties.set(latest.interested_parties.all())
            for old in latest.impacts.all():
                Impact.objects.create(
                    assessment=a,
                    copied_from=old,
                    objective_id=old.objective_id,
                    level=old.level,
                    residual_level=old.residual_level,
                    **{f: getattr(old, f) for f in IMPACT_FIELDS},
                )
        else:
            a.datasets.set(system.datasets.all())
            a.ai_models.set(system.models.all())
        _set_links(a, datasets, ai_models, interested_parties)
        changes = trail.diff({}, _snapshot(a))
        changes["version"] = [None, a.version]
        trail.record(
            actor, TrailAction.CREATE, a, management_system_id=system.management_system_id, changes=changes
        )
    return a


def _draft(a: ImpactAssessment) -> None:
    if not a.is_draft:
        raise Conflict(
            f"Version {a.version} of the impact assessment of {a.ai_system.name} is {a.get_status_display().lower()} "
            "and never changes: start a re-assessment (a new version) to change it."
        )


def update_assessment(
    actor: Actor,
    ref: uuid.UUID | str,
    *,
    datasets: Iterable[Any] | None = None,
    ai_models: Iterable[Any] | None = None,
    interested_parties: Iterable[Any] | None = None,
    expected_version: str | None = None,
    **data: Any,
) -> ImpactAssessment:
    """Change a draft's sections, links and triggers (under its row lock; ``expected_version``
    makes a stale edit a conflict)."""
    with transaction.atomic():
        a = get_assessment(ref, lock=True)
        check(actor, Perm.EDIT_AI_SYSTEMS, a.ai_system.management_system)
        check_version(a, expected_version, f"The impact assessment {a}")
        _draft(a)
        before = _snapshot(a)
        apply_fields(a, data, CONTENT_FIELDS)
        clean(a, "impact assessment", exclude=["methodology"])
        a.save()
        _set_links(a, datasets, ai_models, interested_parties)
        changes = trail.diff(before, _snapshot(a))
        if changes:
            trail.record(
                actor,
                TrailAction.UPDATE,
                a,
                management_system_id=a.ai_system.management_system_id,
                changes=changes,
            )
    return a


def approve_assessment(actor: Actor, ref: uuid.UUID | str, note: str = "") -> ImpactAssessment:
    """Approve a draft: it becomes the version in force (the previous one is superseded) and is
    not due. The approver is someone other than its author (issue 12 item 5: four eyes on every
    version). With the methodology's ``assess_on_impact_assessment``, the AI risks of the
    system become due for re-assessment."""
    reject_control_characters({"note": note})
    with transaction.atomic():
        a = get_assessment(ref, lock=True)
        check(actor, Perm.APPROVE_IMPACT_ASSESSMENTS, a.ai_system.management_system)
        _draft(a)
        # Operators without a user (system jobs, the command line without --as) are trusted as
        # everywhere else (docs/permissions.md); a person never approves their own draft.
        if actor.user is not None and a.author_id == actor.user.pk:
            raise PermissionDenied(
                f"You drafted version {a.version} of the impact assessment of {a.ai_system.name}: "
                "someone else who may approve impact assessments (for example a compliance "
                "manager) approves it. Nothing was changed."
            )
        problems = {}
        if not a.scope.strip():
            problems["scope"] = ["State the scope of the assessment."]
        impacts = list(a.impacts.all())
        if not impacts:
            problems["impacts"] = ["Record at least one impact (benefit or harm)."]
        for i in impacts:
            try:
                _score(i, a.methodology)
            except ValidationFailed:
                problems.setdefault("impacts", []).append(
                    f"{i.title}: rate it again on methodology version {a.methodology.version}'s scales."
                )
        if problems:
            raise ValidationFailed(
                "The impact assessment cannot be approved yet: "
                + "; ".join(" ".join(v) for v in problems.values())
                + " Nothing was changed.",
                problems,
            )
        previous = list(
            ImpactAssessment.objects.select_for_update().filter(
                ai_system=a.ai_system, status=AssessmentStatus.APPROVED
            )
        )
        for p in previous:
            p.status = AssessmentStatus.SUPERSEDED
            p.save(update_fields=["status", "updated_at"])
            trail.record(
                actor,
                TrailAction.UPDATE,
                p,
                management_system_id=a.ai_system.management_system_id,
                changes={"status": [AssessmentStatus.APPROVED, AssessmentStatus.SUPERSEDED]},
            )
        a.status = AssessmentStatus.APPROVED
        a.approved_by = actor.user
        a.approved_at = timezone.now()
        a.approval_note = note.strip()
        a.next_review_at = (
            add_months(a.approved_at, a.review_interval_months) if a.review_interval_months else None
        )
        a.save(
            update_fields=[
                "status",
                "approved_by",
                "approved_at",
                "approval_note",
                "next_review_at",
                "updated_at",
            ]
        )
        trail.record(
            actor,
            TrailAction.APPROVE,
            a,
            management_system_id=a.ai_system.management_system_id,
            changes={
                "status": [AssessmentStatus.DRAFT, AssessmentStatus.APPROVED],
                "approval_note": [None, a.approval_note or None],
            },
        )
        if current_methodology().assess_on_impact_assessment:
            risks.mark_reassessment_due(
                actor,
                ai_system_id=a.ai_system_id,
                reason=f"Impact assessment version {a.version} of {a.ai_system.name} was approved: "
                "re-assess its AI risks against it.",
                management_system_id=a.ai_system.management_system_id,
            )
    return a


# ---------------------------------------------------------------- impacts


def _score(i: Impact, m: Methodology) -> None:
    n_sev, n_lik = len(m.impact), len(m.likelihood)
    errors: dict[str, list[str]] = {}
    for name, top in (
        ("severity", n_sev),
        ("likelihood", n_lik),
        ("residual_severity", n_sev),
        ("residual_likelihood", n_lik),
    ):
        v = getattr(i, name)
        if v is None and name.startswith("residual"):
            continue
        if not isinstance(v, int) or isinstance(v, bool) or not 1 <= v <= top:
            errors[name] = [f"Between 1 and {top} (risk methodology version {m.version})."]
    if (i.residual_severity is None) != (i.residual_likelihood is None):
        errors["residual_severity"] = ["Give both residual severity and likelihood, or neither."]
    if errors:
        raise ValidationFailed(
            "Severity and likelihood are rated on the risk methodology's scales: "
            + "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()),
            errors,
        )
    i.level = m.level_of(i.likelihood, i.severity)
    i.residual_level = (
        m.level_of(i.residual_likelihood, i.residual_severity)
        if i.residual_likelihood is not None and i.residual_severity is not None
        else ""
    )


def _objective(dimension: str) -> Requirement | None:
    ref = ANNEX_C_OBJECTIVE.get(dimension)
    if not ref:
        return None
    return Requirement.objects.filter(key=ANNEX_C_PREFIX + ref, kind=EntryKind.ANNEX_C_OBJECTIVE).first()


def _save_impact(i: Impact, a: ImpactAssessment) -> None:
    _score(i, a.methodology)
    clean(i, "impact", exclude=["assessment", "objective", "copied_from"])
    i.objective = _objective(i.dimension)
    i.save()


def add_impact(actor: Actor, assessment_ref: uuid.UUID | str, **data: Any) -> Impact:
    with transaction.atomic():
        a = get_assessment(assessment_ref, lock=True)
        check(actor, Perm.EDIT_AI_SYSTEMS, a.ai_system.management_system)
        _draft(a)
        i = Impact(assessment=a)
        apply_fields(i, data, IMPACT_FIELDS)
        _save_impact(i, a)
        trail.record(
            actor,
            TrailAction.CREATE,
            i,
            object_repr=f"{a}: {i.title}",
            management_system_id=a.ai_system.management_system_id,
            changes=trail.diff({}, trail.snapshot(i, [*IMPACT_FIELDS, "level", "residual_level"])),
        )
    return i


def update_impact(
    actor: Actor, ref: uuid.UUID | str, *, expected_version: str | None = None, **data: Any
) -> Impact:
    with transaction.atomic():
        # the assessment first (the lock order every impact write follows), then the impact,
        # read again under its own lock so that the change applies to its current values
        a = get_assessment(get_impact(ref).assessment_id, lock=True)
        i = get_impact(ref, lock=True)
        check(actor, Perm.EDIT_AI_SYSTEMS, a.ai_system.management_system)
        check_version(i, expected_version, f"The impact {i.title}")
        _draft(a)
        fields = [*IMPACT_FIELDS, "level", "residual_level"]
        before = trail.snapshot(i, fields)
        apply_fields(i, data, IMPACT_FIELDS)
        _save_impact(i, a)
        changes = trail.diff(before, trail.snapshot(i, fields))
        if changes:
            trail.record(
                actor,
                TrailAction.UPDATE,
                i,
                object_repr=f"{a}: {i.title}",
                management_system_id=a.ai_system.management_system_id,
                changes=changes,
            )
    return i


def _carried(i: Impact) -> dict[str, Any]:
    """What a risk raised from ``i`` takes over besides its inherent ratings: the measures as the
    treatment plan (option *modify*) and the residual severity and likelihood as residual impact
    and likelihood."""
    out: dict[str, Any] = {}
    if i.measures.strip():
        out["treatment_option"] = "modify"
        out["treatment_plan"] = (
            f"Measures recorded in impact assessment version {i.assessment.version}:\n{i.measures.strip()}"
        )
    if i.residual_severity is not None and i.residual_likelihood is not None:
        out["residual_likelihood"] = i.residual_likelihood
        out["residual_impact"] = i.residual_severity
    return out


def raise_risk(
    actor: Actor,
    impact_ref: uuid.UUID | str,
    *,
    owner: User | str | None = None,
    title: str = "",
    risk_source: str | None = None,
) -> Risk:
    """Raise a harm into the AI risk register in one step: an AI risk of the assessment's AI
    system, with the objective (and, where it maps, the risk source) of the impact's dimension,
    the impact's likelihood and severity as inherent likelihood and impact, its measures as the
    treatment plan and its residual ratings as residual values, the affected people, and a
    foreign key back to the impact. The owner defaults to the AI system's owner."""

    with transaction.atomic():
        i = get_impact(impact_ref, lock=True)  # two raises of one harm queue: the second finds the risk
        a = i.assessment
        system = a.ai_system
        check(actor, Perm.EDIT_RISKS, system.management_system)
        if i.nature != Nature.HARM:
            raise ValidationFailed(
                f"{i.title!r} is a benefit: only harms are raised into the AI risk register.",
                {"nature": ["Only harms become risks."]},
            )
        existing = Risk.objects.filter(impact=i).first()
        if existing is not None:
            raise Conflict(f"{i.title!r} is already in the AI risk register as {existing.ref_id}.")
        owner = owner or system.owner or actor.user
        if owner is None:
            raise ValidationFailed("Choose the risk's owner.", {"owner": ["Required."]})
        source = risk_source if risk_source is not None else ANNEX_C_RISK_SOURCE.get(i.dimension)
        affected = i.affected_who or a.affected_people
        risk = risks.create_risk(
            actor,
            register="ai",
            management_system=system.management_system_id,
            title=(title.strip() or i.title)[:200],
            description=i.description,
            owner=owner,
            ai_system=system,
            risk_source=(ANNEX_C_PREFIX + source) if source and ":" not in source else (source or None),
            objective=i.objective,
            affected_people=affected,
            inherent_likelihood=i.likelihood,
            inherent_impact=i.severity,
            # the measures and residual impact the assessment recorded become the treatment
            # plan and the residual values (issue 13 item 4); the owner reviews and approves them
            **_carried(i),
        )
        Risk.objects.filter(pk=risk.pk).update(impact=i)
        risk.impact = i
        trail.record(
            actor,
            TrailAction.UPDATE,
            i,
            object_repr=f"{a}: {i.title}",
            management_system_id=system.management_system_id,
            changes={"raised_as_risk": [None, risk.ref_id]},
        )
    return risk
