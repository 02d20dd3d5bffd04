"""The organisation, its management systems, scope statements and context."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from keel.organisation.choices import ClimateRelevance, ScopeStatus
from keel.organisation.models import (
    ContextIssue,
    InterestedParty,
    ManagementSystem,
    Organisation,
    ScopeStatement,
)
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.concurrency import check_version
from keel.platform.errors import Conflict, NotFound, ValidationFailed
from keel.platform.permissions import Perm, check
from keel.platform.records import apply_fields, clean
from keel.standards.models import Standard
from keel.standards.records import standards_by_key

ORG_FIELDS = (
    "name",
    "legal_name",
    "description",
    "sector",
    "headquarters",
    "website",
    "climate_relevance",
    "climate_rationale",
)
MS_FIELDS = ("name", "short_name", "description", "operating_model", "status")
PARTY_FIELDS = (
    "name",
    "category",
    "needs_expectations",
    "requirements",
    "climate_related",
    "affected_not_user",
    "review_date",
)
ISSUE_FIELDS = ("title", "description", "kind", "category", "effect", "climate_related", "review_date")
SCOPE_FIELDS = (
    "summary",
    "boundaries",
    "interfaces",
    "sites",
    "exclusions",
    "ai_systems",
    "lifecycle_stages",
    "ai_roles",
    "change_note",
)


def get_organisation() -> Organisation:
    org = Organisation.objects.first()
    if org is None:
        raise NotFound(
            "No organisation yet: create it with 'keel init --organisation NAME' (or the set-up page), "
            "or load the demo with 'keel demo'."
        )
    return org


def save_organisation(actor: Actor, *, expected_version: str | None = None, **data: Any) -> Organisation:
    """Create the organisation (the first time) or update its profile (``expected_version``:
    the version the person saw; a newer change makes the save an EditConflict)."""
    check(actor, Perm.EDIT_CONTEXT)
    with transaction.atomic():
        org = Organisation.objects.select_for_update().first()
        if org is not None:
            check_version(org, expected_version, "The organisation profile")
        created = org is None
        if org is None:
            org = Organisation()
        before = {} if created else trail.snapshot(org, ORG_FIELDS)
        apply_fields(org, data, ORG_FIELDS)
        clean(org, "organisation")
        if org.climate_relevance != ClimateRelevance.NOT_DETERMINED and not org.climate_rationale.strip():
            raise ValidationFailed(
                "Say why climate change is or is not relevant: the determination needs a rationale.",
                {"climate_rationale": ["Required once the climate-change relevance is determined."]},
            )
        changes = trail.diff(before, trail.snapshot(org, ORG_FIELDS))
        if created or changes:
            org.save()
            trail.record(actor, TrailAction.CREATE if created else TrailAction.UPDATE, org, changes=changes)
    return org


def get_management_system(ref: uuid.UUID | str, *, list_known: bool = False) -> ManagementSystem:
    """A management system by id or short name.

    The error names the existing systems only when ``list_known`` (the CLI operator, who sees
    everything): pages and the API must not reveal systems outside a user's perimeter."""
    qs = ManagementSystem.objects.all()
    try:
        return qs.get(pk=uuid.UUID(str(ref)))
    except (ValueError, ManagementSystem.DoesNotExist):
        pass
    try:
        return qs.get(short_name=str(ref))
    except ManagementSystem.DoesNotExist:
        if list_known:
            known = ", ".join(qs.values_list("short_name", flat=True)) or "none"
            raise NotFound(f"No management system {ref!r}. Known: {known}.") from None
        raise NotFound(f"No management system {ref!r}: give its id or short name.") from None


def create_management_system(actor: Actor, *, standards: Iterable[str], **data: Any) -> ManagementSystem:
    check(actor, Perm.MANAGE_SYSTEMS)
    with transaction.atomic():
        org = get_organisation()
        ms = ManagementSystem(organisation=org)
        apply_fields(ms, data, MS_FIELDS)
        clean(ms, "management system")
        stds = standards_by_key(standards)
        if not stds:
            raise ValidationFailed(
                "A management system covers at least one standard.",
                {"standards": ["Choose at least one standard."]},
            )
        ms.save()
        ms.standards.set(stds)
        trail.record(
            actor,
            TrailAction.CREATE,
            ms,
            changes=trail.diff({}, trail.snapshot(ms, [*MS_FIELDS, "standards"])),
        )
    return ms


def update_management_system(
    actor: Actor,
    ms_id: uuid.UUID | str,
    *,
    standards: Iterable[str] | None = None,
    expected_version: str | None = None,
    **data: Any,
) -> ManagementSystem:
    check(actor, Perm.MANAGE_SYSTEMS)
    with transaction.atomic():
        ms = ManagementSystem.objects.select_for_update().get(pk=get_management_system(ms_id).pk)
        check_version(ms, expected_version, ms.name)
        before = trail.snapshot(ms, [*MS_FIELDS, "standards"])
        apply_fields(ms, data, MS_FIELDS)
        clean(ms, "management system")
        if trail.snapshot(ms, MS_FIELDS) != {k: before[k] for k in MS_FIELDS}:
            ms.save()  # only when a field changed, so updated_at keeps meaning "last changed"
        if standards is not None:
            stds = standards_by_key(standards)
            if not stds:
                raise ValidationFailed(
                    "A management system covers at least one standard.",
                    {"standards": ["Choose at least one standard."]},
                )
            ms.standards.set(stds)
        changes = trail.diff(before, trail.snapshot(ms, [*MS_FIELDS, "standards"]))
        if changes:
            trail.record(actor, TrailAction.UPDATE, ms, changes=changes)
    return ms


# ---------------------------------------------------------------- scope statements


def _check_scope_values(ms: ManagementSystem, std_key: str, data: dict[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    stages = data.get("lifecycle_stages") or []
    roles = data.get("ai_roles") or []
    if not isinstance(stages, list) or set(stages) - ScopeStatement.valid_lifecycle_stages():
        errors["lifecycle_stages"] = [
            f"Use some of: {', '.join(sorted(ScopeStatement.valid_lifecycle_stages()))}."
        ]
    if not isinstance(roles, list) or set(roles) - ScopeStatement.valid_ai_roles():
        errors["ai_roles"] = [f"Use some of: {', '.join(sorted(ScopeStatement.valid_ai_roles()))}."]
    if not Standard.key_covers_ai_systems(std_key):
        for name in ("ai_systems", "lifecycle_stages", "ai_roles"):
            if data.get(name):
                errors[name] = [
                    "Only a scope for ISO/IEC 42001 names AI systems, lifecycle stages and AI roles."
                ]
    if errors:
        raise ValidationFailed(
            "The scope statement is not valid — "
            + "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()),
            errors,
        )


def draft_scope(actor: Actor, ms_id: uuid.UUID | str, standard: str, **data: Any) -> ScopeStatement:
    """Create or update the draft scope statement of a management system for one standard.

    If there is no draft, a new version is started from the latest approved one.
    """
    with transaction.atomic():
        ms = get_management_system(ms_id)
        check(actor, Perm.EDIT_SCOPE, ms)
        (std,) = standards_by_key([standard], field="standard")
        if not ms.standards.filter(pk=std.pk).exists():
            raise ValidationFailed(
                f"{ms.name} does not cover {std.key}; add the standard to it first.",
                {"standard": ["Not covered by this management system."]},
            )
        _check_scope_values(ms, std.key, data)
        draft = (
            ScopeStatement.objects.select_for_update()
            .filter(management_system=ms, standard=std, status=ScopeStatus.DRAFT)
            .first()
        )
        created = draft is None
        if draft is None:
            latest = (
                ScopeStatement.objects.filter(management_system=ms, standard=std).order_by("-version").first()
            )
            draft = ScopeStatement(
                management_system=ms,
                standard=std,
                version=(latest.version + 1) if latest else 1,
                created_by=actor.user,
            )
            if latest is not None:
                for name in SCOPE_FIELDS:
                    if name != "change_note":
                        setattr(draft, name, getattr(latest, name))
        before = {} if created else trail.snapshot(draft, SCOPE_FIELDS)
        apply_fields(draft, data, SCOPE_FIELDS)
        clean(
            draft, "scope statement", exclude=["management_system", "standard", "created_by", "approved_by"]
        )
        draft.save()
        changes = trail.diff(before, trail.snapshot(draft, SCOPE_FIELDS))
        if created or changes:
            trail.record(
                actor,
                TrailAction.CREATE if created else TrailAction.UPDATE,
                draft,
                changes={"version": draft.version, **changes} if created else changes,
            )
    return draft


def approve_scope(actor: Actor, scope_id: uuid.UUID | str) -> ScopeStatement:
    """Approve a draft scope statement; the previously approved version becomes superseded."""
    with transaction.atomic():
        try:
            scope = ScopeStatement.objects.select_for_update().get(pk=scope_id)
        except (ScopeStatement.DoesNotExist, ValueError, ValidationError):
            raise NotFound(f"No scope statement with id {scope_id}.") from None
        check(actor, Perm.APPROVE_SCOPE, scope.management_system_id)
        if scope.status != ScopeStatus.DRAFT:
            raise Conflict(
                f"Version {scope.version} is {scope.get_status_display().lower()}; only a draft can be approved."
            )
        if actor.user is None:
            raise ValidationFailed("Approving needs a named person: use --as EMAIL.")
        if not scope.summary.strip():
            raise ValidationFailed(
                "A scope statement needs a summary before it can be approved.", {"summary": ["Required."]}
            )
        previous = (
            ScopeStatement.objects.select_for_update()
            .filter(
                management_system=scope.management_system,
                standard=scope.standard,
                status=ScopeStatus.APPROVED,
            )
            .first()
        )
        if previous is not None:
            previous.status = ScopeStatus.SUPERSEDED
            previous.save(update_fields=["status", "updated_at"])
            trail.record(actor, TrailAction.UPDATE, previous, changes={"status": ["approved", "superseded"]})
        scope.status = ScopeStatus.APPROVED
        scope.approved_by = actor.user
        scope.approved_at = timezone.now()
        try:
            scope.save()
        except IntegrityError:
            raise Conflict("Another approval happened at the same time; reload and try again.") from None
        trail.record(
            actor,
            TrailAction.APPROVE,
            scope,
            changes={
                "status": ["draft", "approved"],
                "approved_by": [None, str(actor.user.pk)],
                "version": scope.version,
            },
        )
    return scope


# ---------------------------------------------------------------- context


def _save_tagged(
    actor: Actor,
    model: Any,
    fields: tuple[str, ...],
    what: str,
    obj_id: Any,
    standards: Iterable[str] | None,
    data: dict[str, Any],
    expected_version: str | None = None,
) -> Any:
    check(actor, Perm.EDIT_CONTEXT)
    with transaction.atomic():
        org = get_organisation()
        if obj_id is None:
            obj = model(organisation=org)
            before: dict[str, Any] = {}
        else:
            try:
                obj = model.objects.select_for_update().get(pk=obj_id)
            except (model.DoesNotExist, ValueError, ValidationError):
                raise NotFound(f"No {what} with id {obj_id}.") from None
            check_version(obj, expected_version, f"The {what} {obj}")
            before = trail.snapshot(obj, [*fields, "standards"])
        apply_fields(obj, data, fields)
        clean(obj, what)
        stds = standards_by_key(standards) if standards is not None else None
        if obj_id is None or trail.snapshot(obj, fields) != {k: before[k] for k in fields}:
            obj.save()
        if stds is not None:
            obj.standards.set(stds)
        changes = trail.diff(before, trail.snapshot(obj, [*fields, "standards"]))
        if obj_id is None or changes:
            trail.record(
                actor, TrailAction.CREATE if obj_id is None else TrailAction.UPDATE, obj, changes=changes
            )
    return obj


def _delete(actor: Actor, model: Any, fields: tuple[str, ...], what: str, obj_id: Any) -> None:
    check(actor, Perm.EDIT_CONTEXT)
    with transaction.atomic():
        try:
            obj = model.objects.select_for_update().get(pk=obj_id)
        except (model.DoesNotExist, ValueError, ValidationError):
            raise NotFound(f"No {what} with id {obj_id}.") from None
        # The full record goes into the trail, so a deletion loses nothing.
        before = trail.snapshot(obj, [*fields, "standards"])
        trail.record(actor, TrailAction.DELETE, obj, changes=trail.diff(before, {}))
        obj.delete()


def save_interested_party(
    actor: Actor,
    party_id: uuid.UUID | str | None = None,
    *,
    standards: Iterable[str] | None = None,
    expected_version: str | None = None,
    **data: Any,
) -> InterestedParty:
    party: InterestedParty = _save_tagged(
        actor, InterestedParty, PARTY_FIELDS, "interested party", party_id, standards, data, expected_version
    )
    return party


def delete_interested_party(actor: Actor, party_id: uuid.UUID | str) -> None:
    _delete(actor, InterestedParty, PARTY_FIELDS, "interested party", party_id)


def save_context_issue(
    actor: Actor,
    issue_id: uuid.UUID | str | None = None,
    *,
    standards: Iterable[str] | None = None,
    expected_version: str | None = None,
    **data: Any,
) -> ContextIssue:
    issue: ContextIssue = _save_tagged(
        actor, ContextIssue, ISSUE_FIELDS, "context issue", issue_id, standards, data, expected_version
    )
    return issue


def delete_context_issue(actor: Actor, issue_id: uuid.UUID | str) -> None:
    _delete(actor, ContextIssue, ISSUE_FIELDS, "context issue", issue_id)
