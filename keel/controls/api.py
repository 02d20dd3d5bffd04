"""API router of the control catalogue: ``controls``, ``control-links`` and ``control-templates``.

Thin handlers: check the permission, filter with :mod:`keel.controls.queries` (restricted to
the caller's management systems) or call a service, and shape the answer. A control is read
with ``view`` over one of its systems and changed with ``edit_controls`` over every one.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from keel.organisation import resolvers as organisation_resolvers
from keel.organisation.resolvers import user_by_email as _owner
from keel.platform.api import (
    Page,
    actor,
    expected_version,
    paginate,
    permission,
    reject_nulls,
    responses,
    set_etag,
)
from keel.platform.api import enum_value as _value
from keel.platform.errors import NotFound, ValidationFailed
from keel.platform.filters import parse as filters_of
from keel.platform.permissions import Perm, check

from . import queries, services
from .models import Control, ControlLink, ControlTemplate
from .schemas import (
    AdoptIn,
    ControlDetailOut,
    ControlFilters,
    ControlIn,
    ControlLinkFilters,
    ControlLinkIn,
    ControlLinkOut,
    ControlLinkPatch,
    ControlOut,
    ControlPatch,
    TemplateDetailOut,
    TemplateFilters,
    TemplateOut,
)

router = Router()
controls = Router(tags=["controls"])
links = Router(tags=["controls"])
templates = Router(tags=["controls"])


def _detail(who: Any, ref: uuid.UUID | str) -> Control:
    return queries.control_for(who.user, ref)


# ---------------------------------------------------------------- controls


@controls.get(
    "",
    response=responses(Page[ControlOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List controls (a role over one system sees that system's and organisation-level ones)",
)
def list_controls(request: HttpRequest, filters: Query[ControlFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    f = filters_of(queries.ControlFilters, filters)
    return paginate(queries.controls(who.user, f), filters.limit, filters.offset)


@controls.get(
    "/{ref}",
    response=responses(ControlDetailOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One control by id or reference, with its requirement links",
)
def get_control(request: HttpRequest, ref: str, response: HttpResponse) -> Control:
    who = actor(request)
    check(who, Perm.VIEW)
    control = _detail(who, ref)
    set_etag(response, control)
    return control


@controls.post(
    "",
    response=responses(ControlDetailOut, 201),
    openapi_extra=permission(Perm.EDIT_CONTROLS),
    summary="Create a control (edit_controls over each of its management systems)",
)
def create_control(request: HttpRequest, payload: ControlIn) -> Status[Control]:
    who = actor(request)
    data = {k: _value(v) for k, v in payload.model_dump().items()}
    data["owner"] = _owner(data.pop("owner"))
    control = services.create_control(who, **data)
    return Status(201, _detail(who, control.pk))


@controls.patch(
    "/{ref}",
    response=responses(ControlDetailOut),
    openapi_extra=permission(Perm.EDIT_OWN_CONTROLS),
    summary=(
        "Change a control (only the fields sent): every field with edit_controls; its owner, with "
        "edit_own_controls, only description, frequency, status and effectiveness"
    ),
)
def update_control(request: HttpRequest, ref: str, payload: ControlPatch, response: HttpResponse) -> Control:
    who = actor(request)
    data = {k: _value(v) for k, v in payload.model_dump(exclude_unset=True).items()}
    version = expected_version(request, data.pop("version", None))
    reject_nulls(data, ("title", "type", "frequency", "status", "effectiveness", "ref_id"))
    if "owner" in data:
        data["owner"] = _owner(data["owner"])
    control = services.update_control(who, services.get_control(ref).pk, expected_version=version, **data)
    control = _detail(who, control.pk)
    set_etag(response, control)
    return control


@controls.delete(
    "/{ref}",
    response=responses(None, 204),
    openapi_extra=permission(Perm.EDIT_CONTROLS),
    summary="Delete a control and its links (the trail keeps the full record)",
)
def delete_control(request: HttpRequest, ref: str) -> Status[None]:
    services.delete_control(actor(request), ref)
    return Status(204, None)


# ---------------------------------------------------------------- control links


@links.get(
    "",
    response=responses(Page[ControlLinkOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List control-to-requirement links (of the controls the caller may read)",
)
def list_control_links(request: HttpRequest, filters: Query[ControlLinkFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    f = filters_of(queries.LinkFilters, filters)
    return paginate(queries.links(who.user, f), filters.limit, filters.offset)


@links.get(
    "/{link_id}",
    response=responses(ControlLinkOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One control link",
)
def get_control_link(request: HttpRequest, link_id: uuid.UUID, response: HttpResponse) -> ControlLink:
    who = actor(request)
    check(who, Perm.VIEW)
    link = queries.link_for(who.user, link_id)
    set_etag(response, link)
    return link


@links.post(
    "",
    response=responses(ControlLinkOut, 201),
    openapi_extra=permission(Perm.EDIT_CONTROLS),
    summary="Link a control to a requirement (coverage full or partial, and a note)",
)
def create_control_link(request: HttpRequest, payload: ControlLinkIn) -> Status[ControlLink]:
    who = actor(request)
    control = services.get_control(payload.control)
    link = services.link_requirement(
        who, control.pk, payload.requirement, _value(payload.coverage), payload.note, new_only=True
    )
    return Status(201, queries.link_for(who.user, link.pk))


@links.patch(
    "/{link_id}",
    response=responses(ControlLinkOut),
    openapi_extra=permission(Perm.EDIT_CONTROLS),
    summary="Change a link's coverage or note",
)
def update_control_link(
    request: HttpRequest, link_id: uuid.UUID, payload: ControlLinkPatch, response: HttpResponse
) -> ControlLink:
    who = actor(request)
    link = _link(link_id)
    data = payload.model_dump(exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    if "coverage" in data and data["coverage"] is None:
        raise ValidationFailed("coverage cannot be empty: full or partial.", {"coverage": ["Required."]})
    coverage = _value(data.get("coverage")) or link.coverage
    note = data["note"] if data.get("note") is not None else ("" if "note" in data else link.note)
    services.link_requirement(
        who, link.control_id, link.requirement.key, coverage, note, expected_version=version
    )
    link = queries.link_for(who.user, link.pk)
    set_etag(response, link)
    return link


def _link(link_id: uuid.UUID) -> ControlLink:
    link = ControlLink.objects.select_related("control", "requirement").filter(pk=link_id).first()
    if link is None:
        raise NotFound(f"No control link with id {link_id}.")
    return link


@links.delete(
    "/{link_id}",
    response=responses(None, 204),
    openapi_extra=permission(Perm.EDIT_CONTROLS),
    summary="Remove a link",
)
def delete_control_link(request: HttpRequest, link_id: uuid.UUID) -> Status[None]:
    services.unlink_requirement(actor(request), link_id)
    return Status(204, None)


# ---------------------------------------------------------------- templates


@templates.get(
    "",
    response=responses(Page[TemplateOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List the control-template library",
)
def list_control_templates(request: HttpRequest, filters: Query[TemplateFilters]) -> dict[str, Any]:
    check(actor(request), Perm.VIEW)
    f = filters_of(queries.TemplateFilters, filters)
    return paginate(queries.templates(f), filters.limit, filters.offset)


# Registered before "/{key}": otherwise "adopt" is taken for a template key (GET only: 405).
@templates.post(
    "/adopt",
    response=responses(list[ControlDetailOut], 201),
    openapi_extra=permission(Perm.EDIT_CONTROLS),
    summary="Adopt templates into the catalogue: one control per template, linked as the template is",
)
def adopt_control_templates(request: HttpRequest, payload: AdoptIn) -> Status[list[Control]]:
    who = actor(request)
    ms = organisation_resolvers.management_system(payload.management_system, organisation_resolvers.TRUSTED)
    created = services.adopt_templates(who, payload.templates, ms.pk, owner=_owner(payload.owner))
    rows = list(queries.base_controls().filter(pk__in=[c.pk for c in created]).order_by("ref_id"))
    return Status(201, rows)


@templates.get(
    "/{key}",
    response=responses(TemplateDetailOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One control template with the requirements it serves",
)
def get_control_template(request: HttpRequest, key: str) -> ControlTemplate:
    check(actor(request), Perm.VIEW)
    return queries.template_for(key)


router.add_router("/controls", controls)
router.add_router("/control-links", links)
router.add_router("/control-templates", templates)
