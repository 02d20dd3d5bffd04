"""Decisions on mapping suggestions: accept (it becomes a link or a crosswalk relation) or
reject (remembered, never suggested again). Each runs in one transaction with its trail.

Accepting asks for the relation the person sees between the source and the target, in the
vocabulary of NIST IR 8477 that crosswalks use: ``equal``, ``subset`` (the source asks less
than the target), ``superset`` (the source asks all the target asks, and more) or
``intersects``. ``not_related`` is a rejection, not an acceptance.

- A control's suggestion accepted: a :class:`~keel.controls.models.ControlLink` to the
  requirement through :func:`keel.controls.services.link_requirement` — *full* coverage when
  the control is equal to or a superset of the requirement, *partial* otherwise — with a note
  saying it came from a suggestion and the relation given. Needs ``edit_controls`` over the
  control's management systems.
- A catalogue entry's suggestion accepted: a relation of that kind in the user crosswalk
  between the two standards (created on first use), whose rationale says it was accepted
  from a suggestion. Needs ``edit_mappings`` (organisation level, as every crosswalk edit).
"""

from __future__ import annotations

import contextlib
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from keel.controls.models import Control
from keel.controls.services import link_requirement
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.errors import Conflict, NotFound, ValidationFailed
from keel.platform.permissions import Perm, check
from keel.platform.records import reject_control_characters
from keel.standards.models import Requirement, Standard

from ..choices import Origin, Relation, SuggestionDecisionKind, SuggestionMethod
from ..models import Crosswalk, CrosswalkRelation, SuggestionDecision
from .documents import linkable

DECIDE_PERM = Perm.EDIT_CONTROLS  # a control's suggestion: the control's link changes
RELATION_PERM = Perm.EDIT_MAPPINGS  # a catalogue entry's suggestion: a crosswalk relation
ACCEPT_RELATIONS = (Relation.EQUAL, Relation.SUBSET, Relation.SUPERSET, Relation.INTERSECTS)
# The coverage of the link a control gets: all of the requirement, or a part of it.
FULL_COVERAGE = (Relation.EQUAL, Relation.SUPERSET)


def _requirement(key: str, field: str) -> Requirement | None:
    return Requirement.objects.select_related("standard").filter(key=key.strip()).first()


def _control(ref: str) -> Control | None:
    ref = ref.strip()
    control = None
    with contextlib.suppress(ValueError):
        control = Control.objects.filter(pk=uuid.UUID(ref)).first()
    return control or Control.objects.filter(ref_id=ref).first()


def decide(
    actor: Actor,
    source: str,
    target: str,
    decision: str,
    *,
    method: str = SuggestionMethod.LEXICAL,
    score: float = 0.0,
    explanation: str = "",
    relation: str = "",
) -> SuggestionDecision:
    """Record a person's decision on the suggestion ``source → target`` (see the module docs);
    accepting needs the ``relation``. Deciding a pair again replaces the earlier decision."""
    if decision not in SuggestionDecisionKind.values:
        raise ValidationFailed(
            "The decision is accepted or rejected.", {"decision": ["accepted or rejected."]}
        )
    relation = (relation or "").strip()
    if decision == SuggestionDecisionKind.ACCEPTED and relation not in ACCEPT_RELATIONS:
        raise ValidationFailed(
            "Accepting a suggestion needs the relation between the source and the target: equal, "
            "subset (the source asks less than the target), superset (the source asks all the target "
            "asks, and more) or intersects (they overlap). Not related? Reject the suggestion instead.",
            {"relation": ["Choose equal, subset, superset or intersects."]},
        )
    if decision == SuggestionDecisionKind.REJECTED:
        relation = ""
    if method not in SuggestionMethod.values:
        raise ValidationFailed(
            "Unknown method: lexical, semantic or hybrid.", {"method": ["Unknown method."]}
        )
    explanation = " ".join((explanation or "").split())[:2000]
    reject_control_characters({"explanation": explanation})
    with transaction.atomic():
        tgt = _requirement(target, "target")
        if tgt is None:
            raise NotFound(f"No requirement {target!r}: give the target's key, e.g. iso42001:2023:A.6.1.")
        if tgt.withdrawn_at is not None:
            raise ValidationFailed(f"{tgt.key} was withdrawn.", {"target": ["Withdrawn."]})
        accepting = decision == SuggestionDecisionKind.ACCEPTED
        if accepting and not linkable(Requirement.objects.filter(pk=tgt.pk)).exists():
            children = ", ".join(
                Requirement.objects.filter(parent=tgt, withdrawn_at__isnull=True)
                .order_by("sort_order")
                .values_list("ref_id", flat=True)[:12]
            )
            raise ValidationFailed(
                f"{tgt.ref_id} {tgt.title} is a heading, an area or an objective: nothing can be linked to "
                "it. " + (f"Choose one of its entries: {children}." if children else "Choose a requirement."),
                {"target": ["Not a linkable requirement."]},
            )
        src_req = _requirement(source, "source")
        control = None if src_req is not None else _control(source)
        if src_req is None and control is None:
            raise NotFound(
                f"No requirement or control {source!r}: give a requirement key or a control reference."
            )
        if src_req is not None:
            if src_req.standard_id == tgt.standard_id:
                raise ValidationFailed(
                    "Source and target are in the same standard.", {"target": ["Same standard."]}
                )
            check(actor, RELATION_PERM)
            existing = (
                SuggestionDecision.objects.select_for_update()
                .filter(source_requirement=src_req, target=tgt)
                .first()
            )
        else:
            assert control is not None
            systems = list(control.management_systems.all())
            if not systems:
                check(actor, DECIDE_PERM)
            for ms in systems:
                check(actor, DECIDE_PERM, ms)
            existing = (
                SuggestionDecision.objects.select_for_update()
                .filter(source_control=control, target=tgt)
                .first()
            )
        note = (
            f"Accepted from a {method} mapping suggestion (score {score:.3f}) as "
            f"'{Relation(relation).label.lower() if relation else ''}'"
            + (f": {explanation}" if explanation else ".")
        )
        if decision == SuggestionDecisionKind.ACCEPTED:
            if control is not None:
                coverage = "full" if relation in FULL_COVERAGE else "partial"
                link_requirement(actor, control.pk, tgt.key, coverage=coverage, note=note[:1000])
            else:
                assert src_req is not None
                _accept_relation(actor, src_req, tgt, note, relation)
        values = {
            "decision": decision,
            "relation": relation,
            "method": method,
            "score": float(score),
            "explanation": explanation,
            "decided_by": actor.user,
        }
        if existing is None:
            try:
                with transaction.atomic():  # two first decisions at once: the later is a conflict
                    d = SuggestionDecision.objects.create(
                        source_control=control, source_requirement=src_req, target=tgt, **values
                    )
            except IntegrityError:
                raise Conflict(
                    f"Someone else decided the suggestion {source.strip()} → {tgt.key} at the same "
                    "moment, so nothing was saved: look at their decision and change it if needed."
                ) from None
            action, changes = (
                TrailAction.CREATE,
                {k: [None, str(v)] for k, v in values.items() if k != "decided_by"},
            )
        else:
            before = {
                k: getattr(existing, k) for k in ("decision", "relation", "method", "score", "explanation")
            }
            for k, v in values.items():
                setattr(existing, k, v)
            existing.decided_at = timezone.now()
            existing.save()
            d = existing
            action = TrailAction.UPDATE
            changes = trail.diff(before, {k: values[k] for k in before})
        changes["source"] = [None, source.strip()]
        changes["target"] = [None, tgt.key]
        trail.record(
            actor, action, d, object_repr=f"{decision}: {source.strip()} → {tgt.key}"[:255], changes=changes
        )
    return d


def user_crosswalk(actor: Actor, source: Standard, target: Standard) -> Crosswalk:
    """The user crosswalk from ``source`` to ``target``, created on first use."""
    cw = Crosswalk.objects.filter(source=source, target=target, origin=Origin.USER).order_by("key").first()
    if cw is not None:
        return cw
    base = slugify(f"{source.key}--{target.key}-user")[:110] or "user-crosswalk"
    key, n = base, 1
    while Crosswalk.objects.filter(key=key).exists():
        n += 1
        key = f"{base}-{n}"
    cw = Crosswalk.objects.create(
        key=key,
        name=f"{source} → {target} (added in Keel)"[:200],
        description="Relations people added, among them suggestions they accepted.",
        source=source,
        target=target,
        origin=Origin.USER,
    )
    trail.record(actor, TrailAction.CREATE, cw, changes={"key": [None, key], "origin": [None, Origin.USER]})
    return cw


def _accept_relation(
    actor: Actor, src: Requirement, tgt: Requirement, note: str, relation: str
) -> CrosswalkRelation:
    cw = user_crosswalk(actor, src.standard, tgt.standard)
    rel = CrosswalkRelation.objects.select_for_update().filter(crosswalk=cw, source=src, target=tgt).first()
    extension = "Accepted from a suggestion: review what the target asks beyond the source entry."
    if rel is None:
        rel = CrosswalkRelation.objects.create(
            crosswalk=cw,
            source=src,
            target=tgt,
            relation=relation,
            rationale=note,
            extension=extension,
            origin=Origin.USER,
        )
        trail.record(
            actor,
            TrailAction.CREATE,
            rel,
            object_repr=str(rel)[:255],
            changes={
                "crosswalk": [None, cw.key],
                "relation": [None, rel.relation],
                "rationale": [None, note],
            },
        )
    elif rel.withdrawn_at is not None or rel.relation != relation:
        changes: dict[str, list[object]] = {}
        if rel.withdrawn_at is not None:
            rel.withdrawn_at = None
            changes["withdrawn"] = [True, False]
        if rel.relation != relation:
            changes["relation"] = [rel.relation, relation]
            rel.relation = relation
        rel.save(update_fields=["withdrawn_at", "relation", "updated_at"])
        trail.record(actor, TrailAction.UPDATE, rel, object_repr=str(rel)[:255], changes=changes)
    return rel
