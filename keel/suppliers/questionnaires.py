"""Questionnaires and their questions (docs/suppliers.md#questionnaires): organisation-level,
versioned. A published version is frozen — the answers sent against it are kept with it — so an
edit of a published questionnaire drafts the next version (a copy of its questions) and changes
that; the draft is published when it is ready. One transaction each, ``edit_suppliers`` at
organisation level, a trail entry.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from keel.organisation import resolvers
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.errors import Conflict, NotFound, ValidationFailed
from keel.platform.permissions import Perm, check
from keel.platform.records import apply_fields, clean

from .choices import SCORED_TYPES, QuestionnaireKind, QuestionType
from .models import Question, Questionnaire
from .questionnaire_content import SEEDED

QUESTIONNAIRE_FIELDS = ("name", "kind", "description")
QUESTION_FIELDS = ("text", "help", "answer_type", "required", "options", "weight", "reference")
YES_NO_DEFAULT = [{"label": "Yes", "score": 1}, {"label": "No", "score": 0}]


def get_questionnaire(ref: uuid.UUID | str | Questionnaire, *, lock: bool = False) -> Questionnaire:
    """A questionnaire version by id, or by key (its latest version)."""
    if isinstance(ref, Questionnaire):
        ref = ref.pk
    pk = resolvers.as_uuid(ref)
    qs = Questionnaire.objects.all()
    found = (
        qs.filter(pk=pk).first() if pk else qs.filter(key=str(ref).strip()[:60]).order_by("-version").first()
    )
    if found is None:
        raise NotFound(
            f"No questionnaire {str(ref)[:60]!r}: give its id or key (e.g. security-due-diligence)."
        )
    if lock:
        found = Questionnaire.objects.select_for_update().get(pk=found.pk)
    return found


def _repr(q: Questionnaire) -> str:
    return f"{q.name} version {q.version}"


def clean_options(answer_type: str, options: Any) -> list[dict[str, Any]]:
    """The options of a question, checked: ``[{"label", "score"}]`` for the choice types (at
    least two, distinct labels, scores of 0 or more), none for the others."""
    if answer_type not in SCORED_TYPES:
        if options:
            raise ValidationFailed(
                f"A {QuestionType(answer_type).label.lower()} question has no options.",
                {"options": ["Only yes/no and choice questions have options."]},
            )
        return []
    if answer_type == QuestionType.YES_NO and not options:
        return [dict(o) for o in YES_NO_DEFAULT]
    if not isinstance(options, Sequence) or isinstance(options, str | bytes):
        raise ValidationFailed("options is a list of {label, score}.", {"options": ["Not a list."]})
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, option in enumerate(options, 1):
        if not isinstance(option, Mapping):
            raise ValidationFailed(
                f"Option {i} is not a {{label, score}} pair.", {"options": ["Not an object."]}
            )
        label = " ".join(str(option.get("label") or "").split())[:200]
        if not label:
            raise ValidationFailed(f"Option {i} has no label.", {"options": ["An option needs a label."]})
        if label.lower() in seen:
            raise ValidationFailed(f"Option {label!r} is given twice.", {"options": ["Labels must differ."]})
        seen.add(label.lower())
        try:
            score = Decimal(str(option.get("score", 0) if option.get("score") not in (None, "") else 0))
        except InvalidOperation:
            raise ValidationFailed(
                f"The score of option {label!r} is not a number.", {"options": ["Scores are numbers."]}
            ) from None
        if score < 0 or score > 1000 or not score.is_finite():
            raise ValidationFailed(
                f"The score of option {label!r} is between 0 and 1000.", {"options": ["Score out of range."]}
            )
        out.append({"label": label, "score": int(score) if score == score.to_integral() else float(score)})
    if len(out) < 2:
        raise ValidationFailed(
            "A choice question needs at least two options.", {"options": ["At least two."]}
        )
    if answer_type == QuestionType.YES_NO and sorted(o["label"].lower() for o in out) != ["no", "yes"]:
        raise ValidationFailed(
            "A yes/no question has exactly the options Yes and No (give each its score).",
            {"options": ["Yes and No."]},
        )
    return out


def create_questionnaire(
    actor: Actor, *, key: str, name: str, kind: str, description: str = ""
) -> Questionnaire:
    """A new questionnaire: version 1, a draft."""
    with transaction.atomic():
        check(actor, Perm.EDIT_SUPPLIERS)
        key = str(key or "").strip().lower()
        if Questionnaire.objects.filter(key=key).exists():
            raise Conflict(
                f"A questionnaire with the key {key!r} exists: edit it instead.", {"key": ["Taken."]}
            )
        q = Questionnaire(key=key, version=1)
        apply_fields(
            q,
            {"name": name, "kind": str(getattr(kind, "value", kind)), "description": description},
            QUESTIONNAIRE_FIELDS,
        )
        q.name = q.name.strip()
        clean(q, "questionnaire")
        q.save()
        trail.record(
            actor, TrailAction.CREATE, q, object_repr=_repr(q), changes=trail.diff({}, trail.snapshot(q))
        )
    return q


def _draft_of(actor: Actor, q: Questionnaire) -> Questionnaire:
    """The version to edit: ``q`` itself when it is a draft; else the key's newer draft, or a new
    one copied from ``q`` (its questions too)."""
    if not q.published:
        return q
    newer = Questionnaire.objects.filter(key=q.key, version__gt=q.version, published_at__isnull=True).first()
    if newer is not None:
        return Questionnaire.objects.select_for_update().get(pk=newer.pk)
    top = Questionnaire.objects.filter(key=q.key).aggregate(v=Max("version"))["v"] or q.version
    draft = Questionnaire.objects.create(
        key=q.key, version=top + 1, name=q.name, kind=q.kind, description=q.description
    )
    Question.objects.bulk_create(
        [
            Question(
                questionnaire=draft,
                position=old.position,
                text=old.text,
                help=old.help,
                answer_type=old.answer_type,
                required=old.required,
                options=old.options,
                weight=old.weight,
                reference=old.reference,
            )
            for old in q.questions.order_by("position")
        ]
    )
    trail.record(
        actor,
        TrailAction.CREATE,
        draft,
        object_repr=f"{_repr(draft)} drafted from version {q.version}",
        changes={"version": [q.version, draft.version]},
    )
    return draft


def update_questionnaire(actor: Actor, ref: uuid.UUID | str, data: Mapping[str, Any]) -> Questionnaire:
    """Change the name, kind or description; on a published version, of the next version."""
    with transaction.atomic():
        check(actor, Perm.EDIT_SUPPLIERS)
        q = _draft_of(actor, get_questionnaire(ref, lock=True))
        before = trail.snapshot(q, QUESTIONNAIRE_FIELDS)
        values = {k: str(getattr(v, "value", v)) for k, v in data.items() if v is not None}
        apply_fields(q, values, QUESTIONNAIRE_FIELDS)
        clean(q, "questionnaire")
        changes = trail.diff(before, trail.snapshot(q, QUESTIONNAIRE_FIELDS))
        if changes:
            q.save()
            trail.record(actor, TrailAction.UPDATE, q, object_repr=_repr(q), changes=changes)
    return q


def publish(actor: Actor, ref: uuid.UUID | str) -> Questionnaire:
    """Freeze a draft version: from now on it can be sent, and it is never edited again."""
    with transaction.atomic():
        check(actor, Perm.EDIT_SUPPLIERS)
        q = get_questionnaire(ref, lock=True)
        if q.published:
            raise Conflict(f"{_repr(q)} is already published.", {"published": ["Already published."]})
        if not q.questions.exists():
            raise ValidationFailed(
                f"{_repr(q)} has no questions: add at least one before publishing.", {"questions": ["None."]}
            )
        q.published_at = timezone.now()
        q.save(update_fields=["published_at", "updated_at"])
        trail.record(
            actor,
            TrailAction.APPROVE,
            q,
            object_repr=f"{_repr(q)} published",
            changes={"published": [False, True]},
        )
    return q


def _question_values(data: Mapping[str, Any], answer_type: str) -> dict[str, Any]:
    values = {k: v for k, v in data.items() if k in QUESTION_FIELDS}
    unknown = set(data) - set(QUESTION_FIELDS)
    if unknown:
        apply_fields(Question(), dict(data), QUESTION_FIELDS)  # raises with the allowed names
    if "answer_type" in values:
        values["answer_type"] = str(getattr(values["answer_type"], "value", values["answer_type"]))
    if "options" in values or "answer_type" in values:
        values["options"] = clean_options(answer_type, values.get("options") or [])
    for text in ("text", "help", "reference"):
        if text in values:
            values[text] = str(values[text] or "").strip()
    return values


def add_question(actor: Actor, ref: uuid.UUID | str, **data: Any) -> Question:
    """Add a question at the end (of the draft, when the version is published)."""
    answer_type = str(getattr(data.get("answer_type"), "value", data.get("answer_type") or ""))
    if answer_type not in QuestionType.values:
        raise ValidationFailed(
            f"answer_type is one of {', '.join(QuestionType.values)}.", {"answer_type": ["Unknown type."]}
        )
    if not str(data.get("text") or "").strip():
        raise ValidationFailed("Write the question.", {"text": ["Required."]})
    with transaction.atomic():
        check(actor, Perm.EDIT_SUPPLIERS)
        q = _draft_of(actor, get_questionnaire(ref, lock=True))
        position = (q.questions.aggregate(p=Max("position"))["p"] or 0) + 1
        question = Question(questionnaire=q, position=position)
        apply_fields(
            question, _question_values({**data, "answer_type": answer_type}, answer_type), QUESTION_FIELDS
        )
        clean(question, "question")
        question.save()
        trail.record(
            actor,
            TrailAction.CREATE,
            question,
            object_repr=f"{_repr(q)}: question {position}",
            changes=trail.diff({}, trail.snapshot(question, QUESTION_FIELDS)),
        )
    return question


def _question(actor: Actor, question_id: uuid.UUID | str) -> Question:
    """The question to change: itself in a draft, or its copy in the next draft version."""
    pk = resolvers.as_uuid(question_id)
    found = Question.objects.select_related("questionnaire").filter(pk=pk).first() if pk else None
    if found is None:
        raise NotFound("No such question.")
    q = get_questionnaire(found.questionnaire_id, lock=True)
    draft = _draft_of(actor, q)
    if draft.pk == q.pk:
        return Question.objects.select_for_update().get(pk=found.pk)
    return Question.objects.select_for_update().get(questionnaire=draft, position=found.position)


def update_question(actor: Actor, question_id: uuid.UUID | str, data: Mapping[str, Any]) -> Question:
    with transaction.atomic():
        check(actor, Perm.EDIT_SUPPLIERS)
        question = _question(actor, question_id)
        answer_type = str(
            getattr(data.get("answer_type"), "value", data.get("answer_type") or question.answer_type)
        )
        if answer_type not in QuestionType.values:
            raise ValidationFailed(
                f"answer_type is one of {', '.join(QuestionType.values)}.", {"answer_type": ["Unknown type."]}
            )
        values = dict(data)
        if "answer_type" in values and "options" not in values:
            values["options"] = question.options if answer_type == question.answer_type else []
        before = trail.snapshot(question, QUESTION_FIELDS)
        apply_fields(question, _question_values(values, answer_type), QUESTION_FIELDS)
        if not question.text:
            raise ValidationFailed("Write the question.", {"text": ["Required."]})
        clean(question, "question")
        changes = trail.diff(before, trail.snapshot(question, QUESTION_FIELDS))
        if changes:
            question.save()
            trail.record(
                actor,
                TrailAction.UPDATE,
                question,
                object_repr=f"{_repr(question.questionnaire)}: question {question.position}",
                changes=changes,
            )
    return question


def remove_question(actor: Actor, question_id: uuid.UUID | str) -> Questionnaire:
    with transaction.atomic():
        check(actor, Perm.EDIT_SUPPLIERS)
        question = _question(actor, question_id)
        q = question.questionnaire
        trail.record(
            actor,
            TrailAction.DELETE,
            question,
            object_repr=f"{_repr(q)}: question {question.position} removed",
            changes={"text": [question.text, None]},
        )
        position = question.position
        question.delete()
        _renumber(q, [x.pk for x in q.questions.order_by("position") if x.position != position])
    return q


def _renumber(q: Questionnaire, order: list[uuid.UUID]) -> None:
    """Number the questions 1… in ``order`` (two passes: positions are unique)."""
    offset = len(order) + 1000
    for i, pk in enumerate(order, 1):
        Question.objects.filter(pk=pk).update(position=offset + i)
    for i, pk in enumerate(order, 1):
        Question.objects.filter(pk=pk).update(position=i)


def move_question(actor: Actor, question_id: uuid.UUID | str, direction: str) -> Question:
    """Move a question one place ``up`` or ``down``."""
    if direction not in ("up", "down"):
        raise ValidationFailed("direction is up or down.", {"direction": ["Up or down."]})
    with transaction.atomic():
        check(actor, Perm.EDIT_SUPPLIERS)
        question = _question(actor, question_id)
        q = question.questionnaire
        order = list(q.questions.order_by("position").values_list("pk", flat=True))
        i = order.index(question.pk)
        j = i - 1 if direction == "up" else i + 1
        if 0 <= j < len(order):
            order[i], order[j] = order[j], order[i]
            _renumber(q, order)
            trail.record(
                actor,
                TrailAction.UPDATE,
                question,
                object_repr=f"{_repr(q)}: question moved {direction}",
                changes={"position": [i + 1, j + 1]},
            )
        question.refresh_from_db()
    return question


# ---------------------------------------------------------------- the two seeded sets


def seed(actor: Actor) -> list[Questionnaire]:
    """Create the two questionnaires Keel ships (published version 1), when their keys are not
    there yet; returns the ones created."""
    created: list[Questionnaire] = []
    with transaction.atomic():
        check(actor, Perm.EDIT_SUPPLIERS)
        for spec in SEEDED:
            if Questionnaire.objects.filter(key=spec["key"]).exists():
                continue
            q = Questionnaire.objects.create(
                key=spec["key"],
                version=1,
                name=spec["name"],
                kind=spec["kind"],
                description=spec["description"],
            )
            Question.objects.bulk_create(
                [
                    Question(
                        questionnaire=q,
                        position=i,
                        text=item["text"],
                        help=item.get("help", ""),
                        answer_type=item["type"],
                        required=item.get("required", True),
                        options=clean_options(item["type"], item.get("options", [])),
                        weight=item.get("weight", 1),
                        reference=item.get("reference", ""),
                    )
                    for i, item in enumerate(spec["questions"], 1)
                ]
            )
            q.published_at = timezone.now()
            q.save(update_fields=["published_at"])
            trail.record(actor, TrailAction.CREATE, q, object_repr=f"{_repr(q)} (shipped with Keel)")
            created.append(q)
    return created


__all__ = [
    "QuestionnaireKind",
    "add_question",
    "create_questionnaire",
    "get_questionnaire",
    "move_question",
    "publish",
    "remove_question",
    "seed",
    "update_question",
    "update_questionnaire",
]
