"""API router of the evidence register: ``/evidence`` with versions, downloads and links.

Thin handlers: check the permission, filter with :mod:`keel.evidence.queries` (restricted to the
caller's management systems) or call a service, and shape the answer. Evidence is read (and its
files downloaded) with ``view`` over one of its systems and changed with ``edit_evidence`` over
every one. Links are created with JSON; files are uploaded as multipart/form-data on the
``/upload`` operations. ``DELETE`` withdraws: versions and files are kept.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from keel.organisation.resolvers import user_by_email as _user
from keel.platform.api import (
    ERRORS,
    Page,
    actor,
    expected_version,
    paginate,
    permission,
    responses,
    set_etag,
)
from keel.platform.errors import ValidationFailed
from keel.platform.filters import parse as filters_of
from keel.platform.permissions import Perm, check

from . import downloads, queries, services
from .choices import EvidenceKind
from .models import Evidence, EvidenceVersion
from .schemas import (
    EvidenceControlLinkIn,
    EvidenceDetailOut,
    EvidenceFilters,
    EvidenceLinkIn,
    EvidenceOut,
    EvidencePatch,
    EvidenceUploadIn,
    RequirementLinkIn,
    VersionFields,
    VersionLinkIn,
    VersionOut,
    VersionUploadIn,
)

router = Router(tags=["evidence"])


def _version(fields: VersionFields, **extra: Any) -> services.NewVersion:
    return services.NewVersion(
        collected_on=fields.collected_on,
        valid_until=fields.valid_until,
        collected_by=_user(fields.collected_by, "collected_by"),
        collected_by_name=fields.collected_by_name,
        note=fields.note,
        **extra,
    )


def _detail(request: HttpRequest, ref: uuid.UUID | str) -> Evidence:
    return queries.evidence_for(actor(request).user, ref)


def _create(request: HttpRequest, payload: Any, kind: str, version: services.NewVersion) -> Evidence:
    evidence = services.create_evidence(
        actor(request),
        title=payload.title,
        kind=kind,
        version=version,
        description=payload.description,
        owner=_user(payload.owner, "owner"),
        ref_id=payload.ref_id or "",
        management_systems=payload.management_systems,
        controls=payload.controls,
        requirements=payload.requirements,
    )
    return _detail(request, evidence.pk)


@router.get(
    "",
    response=responses(Page[EvidenceOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List evidence (a role over one system sees that system's and organisation-level evidence)",
)
def list_evidence(request: HttpRequest, filters: Query[EvidenceFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    f = filters_of(queries.EvidenceFilters, filters)
    return paginate(queries.evidence_list(who.user, f), filters.limit, filters.offset)


@router.post(
    "",
    response=responses(EvidenceDetailOut, 201),
    openapi_extra=permission(Perm.EDIT_EVIDENCE),
    summary="Add a link as evidence (JSON); upload files with POST /evidence/upload",
)
def create_evidence(request: HttpRequest, payload: EvidenceLinkIn) -> Status[Evidence]:
    version = _version(payload, url=payload.url)
    return Status(201, _create(request, payload, EvidenceKind.LINK, version))


@router.post(
    "/upload",
    response=responses(EvidenceDetailOut, 201),
    openapi_extra=permission(Perm.EDIT_EVIDENCE),
    summary="Upload a file as evidence (multipart/form-data: the file and the fields)",
)
def upload_evidence(
    request: HttpRequest, payload: Form[EvidenceUploadIn], file: File[UploadedFile]
) -> Status[Evidence]:
    version = _version(payload, file=file, filename=file.name or "", content_type=file.content_type or "")
    return Status(201, _create(request, payload, EvidenceKind.FILE, version))


@router.get(
    "/{ref}",
    response=responses(EvidenceDetailOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One piece of evidence by id or reference, with every version",
)
def get_evidence(request: HttpRequest, ref: str, response: HttpResponse) -> Evidence:
    check(actor(request), Perm.VIEW)
    evidence = _detail(request, ref)
    set_etag(response, evidence)
    return evidence


@router.patch(
    "/{ref}",
    response=responses(EvidenceDetailOut),
    openapi_extra=permission(Perm.EDIT_EVIDENCE),
    summary="Change the title, description, owner or management systems (versions never change)",
)
def update_evidence(
    request: HttpRequest, ref: str, payload: EvidencePatch, response: HttpResponse
) -> Evidence:
    data = payload.model_dump(exclude_unset=True)
    version = expected_version(request)
    if "title" in data and not (data["title"] or "").strip():
        raise ValidationFailed("title cannot be empty.", {"title": ["Required."]})
    if "owner" in data:
        data["owner"] = _user(data["owner"], "owner")
    if "description" in data and data["description"] is None:
        data["description"] = ""
    evidence = services.update_evidence(
        actor(request), queries.get_evidence(ref).pk, expected_version=version, **data
    )
    evidence = _detail(request, evidence.pk)
    set_etag(response, evidence)
    return evidence


@router.delete(
    "/{ref}",
    response=responses(None, 204),
    openapi_extra=permission(Perm.EDIT_EVIDENCE),
    summary="Withdraw evidence: it leaves lists and the SoA; its versions and files are kept",
)
def withdraw_evidence(request: HttpRequest, ref: str, reason: str = "") -> Status[None]:
    services.withdraw_evidence(actor(request), ref, reason)
    return Status(204, None)


# ---------------------------------------------------------------- versions


@router.get(
    "/{ref}/versions",
    response=responses(list[VersionOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="Every version of a piece of evidence, newest first",
)
def list_versions(request: HttpRequest, ref: str) -> list[EvidenceVersion]:
    check(actor(request), Perm.VIEW)
    return list(_detail(request, ref).versions.all())


@router.post(
    "/{ref}/versions",
    response=responses(VersionOut, 201),
    openapi_extra=permission(Perm.EDIT_EVIDENCE),
    summary="Add a version to link evidence (JSON); files take POST …/versions/upload",
)
def add_link_version(request: HttpRequest, ref: str, payload: VersionLinkIn) -> Status[EvidenceVersion]:
    version = services.add_version(actor(request), ref, _version(payload, url=payload.url))
    return Status(201, queries.version_for(actor(request).user, version.evidence_id, version.number))


@router.post(
    "/{ref}/versions/upload",
    response=responses(VersionOut, 201),
    openapi_extra=permission(Perm.EDIT_EVIDENCE),
    summary="Upload a new version of file evidence (multipart/form-data); earlier versions stay",
)
def add_file_version(
    request: HttpRequest, ref: str, payload: Form[VersionUploadIn], file: File[UploadedFile]
) -> Status[EvidenceVersion]:
    new = _version(payload, file=file, filename=file.name or "", content_type=file.content_type or "")
    version = services.add_version(actor(request), ref, new)
    return Status(201, queries.version_for(actor(request).user, version.evidence_id, version.number))


@router.get(
    "/{ref}/versions/{number}",
    response=responses(VersionOut),
    openapi_extra=permission(Perm.VIEW),
    summary="One version",
)
def get_version(request: HttpRequest, ref: str, number: int) -> EvidenceVersion:
    check(actor(request), Perm.VIEW)
    return queries.version_for(actor(request).user, ref, number)


@router.get(
    "/{ref}/versions/{number}/download",
    response=dict(ERRORS),
    url_name="download_evidence_version",
    openapi_extra={
        **permission(Perm.VIEW),
        "responses": {
            "200": {
                "description": "The file as an attachment; its SHA-256 in X-Checksum-SHA256 and Digest.",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        },
    },
    summary="Download a version's file (an attachment; checked against its SHA-256 first)",
)
def download_version(request: HttpRequest, ref: str, number: int) -> FileResponse:
    check(actor(request), Perm.VIEW)
    return downloads.file_response(queries.version_for(actor(request).user, ref, number))


# ---------------------------------------------------------------- links


@router.post(
    "/{ref}/controls",
    response=responses(EvidenceDetailOut, 201),
    openapi_extra=permission(Perm.EDIT_EVIDENCE),
    summary="Link the evidence to a control it supports",
)
def link_control(request: HttpRequest, ref: str, payload: EvidenceControlLinkIn) -> Status[Evidence]:
    services.link_control(actor(request), ref, payload.control)
    return Status(201, _detail(request, ref))


@router.delete(
    "/{ref}/controls/{control}",
    response=responses(None, 204),
    openapi_extra=permission(Perm.EDIT_EVIDENCE),
    summary="Remove the link to a control",
)
def unlink_control(request: HttpRequest, ref: str, control: str) -> Status[None]:
    services.unlink_control(actor(request), ref, control)
    return Status(204, None)


@router.post(
    "/{ref}/requirements",
    response=responses(EvidenceDetailOut, 201),
    openapi_extra=permission(Perm.EDIT_EVIDENCE),
    summary="Link the evidence directly to a requirement",
)
def link_requirement(request: HttpRequest, ref: str, payload: RequirementLinkIn) -> Status[Evidence]:
    services.link_requirement(actor(request), ref, payload.requirement)
    return Status(201, _detail(request, ref))


@router.delete(
    "/{ref}/requirements/{requirement}",
    response=responses(None, 204),
    openapi_extra=permission(Perm.EDIT_EVIDENCE),
    summary="Remove the link to a requirement",
)
def unlink_requirement(request: HttpRequest, ref: str, requirement: str) -> Status[None]:
    services.unlink_requirement(actor(request), ref, requirement)
    return Status(204, None)
