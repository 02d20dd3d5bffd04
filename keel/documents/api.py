"""API routers of the documents app: ``/documents`` (with the workflow, publishing and the
documented-information coverage), ``/document-versions`` and ``/acknowledgements``.

Thin handlers: check the permission, read with :mod:`keel.documents.queries` (restricted to the
caller's management systems) or call a service, and shape the answer.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from keel.evidence import downloads
from keel.platform.api import (
    ERRORS,
    Page,
    actor,
    enum_value,
    expected_version,
    paginate,
    permission,
    responses,
    set_etag,
)
from keel.platform.errors import ValidationFailed
from keel.platform.filters import parse as filters_of
from keel.platform.permissions import Perm, check

from . import acknowledgements, queries, services
from .coverage import coverage as coverage_of
from .models import Acknowledgement, Document, DocumentVersion, Publication
from .schemas import (
    AcknowledgementFilters,
    AcknowledgementOut,
    CoverageOut,
    DocumentApproveIn,
    DocumentFilters,
    DocumentIn,
    DocumentOut,
    DocumentPatch,
    DocumentRequirementLinkIn,
    DocumentUploadIn,
    DocumentVersionOut,
    DocumentVersionUploadIn,
    PublicationOut,
    PublishIn,
    ReviewIn,
    SendBackIn,
    VersionFilters,
    VersionIn,
)

router = Router(tags=["documents"])
versions_router = Router(tags=["documents"])
acks_router = Router(tags=["documents"])


def _detail(request: HttpRequest, ref: Any) -> Document:
    return queries.document_for(actor(request).user, ref)


def _create(request: HttpRequest, payload: Any, version: services.NewVersion) -> Document:
    document = services.create_document(
        actor(request),
        title=payload.title,
        kind=enum_value(payload.kind),
        owner=payload.owner,
        version=version,
        summary=payload.summary,
        management_systems=payload.management_systems,
        classification=payload.classification,
        next_review_on=payload.next_review_on,
        requirements=payload.requirements,
        ref_id=payload.ref_id or "",
    )
    return _detail(request, document.pk)


@router.get(
    "", response=responses(Page[DocumentOut]), openapi_extra=permission(Perm.VIEW), summary="List documents"
)
def list_documents(request: HttpRequest, filters: Query[DocumentFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    f = filters_of(queries.DocumentFilters, filters)
    return paginate(queries.document_list(who.user, f), filters.limit, filters.offset)


@router.post(
    "",
    response=responses(DocumentOut, 201),
    openapi_extra=permission(Perm.EDIT_DOCUMENTS),
    summary="Draft a document written in Markdown (JSON); upload files with POST /documents/upload",
)
def create_document(request: HttpRequest, payload: DocumentIn) -> Status[Document]:
    return Status(201, _create(request, payload, services.NewVersion(body=payload.body)))


@router.post(
    "/upload",
    response=responses(DocumentOut, 201),
    openapi_extra=permission(Perm.EDIT_DOCUMENTS),
    summary="Draft a document from a PDF, DOCX or XLSX file (multipart/form-data)",
)
def upload_document(
    request: HttpRequest, payload: Form[DocumentUploadIn], file: File[UploadedFile]
) -> Status[Document]:
    return Status(201, _create(request, payload, services.NewVersion(file=file, filename=file.name or "")))


@router.get(
    "/coverage",
    response=responses(list[CoverageOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="Documented-information coverage: per system and standard, each required piece and its documents",
)
def coverage(request: HttpRequest, management_system: str = "") -> list[dict[str, Any]]:
    who = actor(request)
    check(who, Perm.VIEW)
    return [
        {
            "management_system": b.management_system.short_name,
            "standard": b.standard.key,
            "answered": b.answered,
            "not_approved": b.not_approved,
            "gaps": b.gaps,
            "rows": [
                {
                    "requirement": r.requirement.key,
                    "ref_id": r.requirement.ref_id,
                    "title": r.requirement.title,
                    "documented_information": r.requirement.documented_information_note,
                    "documents": [d.ref_id for d in r.documents],
                    "state": r.state,
                }
                for r in b.rows
            ],
        }
        for b in coverage_of(who.user, management_system[:64], trusted=who.user is None)
    ]


@router.get(
    "/{ref}", response=responses(DocumentOut), openapi_extra=permission(Perm.VIEW), summary="One document"
)
def get_document(request: HttpRequest, ref: str, response: HttpResponse) -> Document:
    check(actor(request), Perm.VIEW)
    document = _detail(request, ref)
    set_etag(response, document)
    return document


@router.patch(
    "/{ref}",
    response=responses(DocumentOut),
    openapi_extra=permission(Perm.EDIT_DOCUMENTS),
    summary="Change a document's own fields (a version's text never changes)",
)
def update_document(
    request: HttpRequest, ref: str, payload: DocumentPatch, response: HttpResponse
) -> Document:
    data = payload.model_dump(exclude_unset=True)
    version = expected_version(request, data.pop("version", None))
    for name in ("title", "kind", "owner"):
        if name in data and not data[name]:
            raise ValidationFailed(f"{name} cannot be empty.", {name: ["Required."]})
    if "summary" in data and data["summary"] is None:
        data["summary"] = ""
    if "kind" in data:
        data["kind"] = enum_value(data["kind"])
    systems = data.pop("management_systems", None)
    document = services.update_document(
        actor(request),
        queries.get_document(ref).pk,
        management_systems=systems,
        expected_version=version,
        **data,
    )
    document = _detail(request, document.pk)
    set_etag(response, document)
    return document


@router.delete(
    "/{ref}",
    response=responses(None, 204),
    openapi_extra=permission(Perm.EDIT_DOCUMENTS),
    summary="Retire a document: its versions and history are kept",
)
def retire_document(request: HttpRequest, ref: str, reason: str = "") -> Status[None]:
    services.retire_document(actor(request), ref, reason[:4000])
    return Status(204, None)


@router.post(
    "/{ref}/versions",
    response=responses(DocumentVersionOut, 201),
    openapi_extra=permission(Perm.EDIT_DOCUMENTS),
    summary="Write a new version in Markdown (an open draft is withdrawn, never overwritten)",
)
def add_version(request: HttpRequest, ref: str, payload: VersionIn) -> Status[DocumentVersion]:
    new = services.NewVersion(
        body=payload.body, change=enum_value(payload.change), change_note=payload.change_note
    )
    version = services.add_version(actor(request), ref, new)
    return Status(201, queries.version_for(actor(request).user, version.document_id, version.number))


@router.post(
    "/{ref}/versions/upload",
    response=responses(DocumentVersionOut, 201),
    openapi_extra=permission(Perm.EDIT_DOCUMENTS),
    summary="Upload a new version: a PDF, DOCX or XLSX file (multipart/form-data)",
)
def upload_version(
    request: HttpRequest, ref: str, payload: Form[DocumentVersionUploadIn], file: File[UploadedFile]
) -> Status[DocumentVersion]:
    new = services.NewVersion(
        file=file,
        filename=file.name or "",
        change=enum_value(payload.change),
        change_note=payload.change_note,
    )
    version = services.add_version(actor(request), ref, new)
    return Status(201, queries.version_for(actor(request).user, version.document_id, version.number))


@router.get(
    "/{ref}/versions/{number}/download",
    response=dict(ERRORS),
    url_name="download_document_version",
    openapi_extra={
        **permission(Perm.VIEW),
        "responses": {
            "200": {
                "description": "The uploaded file as an attachment; its SHA-256 in X-Checksum-SHA256.",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        },
    },
    summary="Download an uploaded version's file (checked against its SHA-256 first)",
)
def download_version(request: HttpRequest, ref: str, number: int) -> FileResponse:
    check(actor(request), Perm.VIEW)
    return downloads.file_response(queries.file_version_for(actor(request).user, ref, number))  # type: ignore[arg-type]


@router.post(
    "/{ref}/review",
    response=responses(DocumentVersionOut),
    openapi_extra=permission(Perm.EDIT_DOCUMENTS),
    summary="Send the draft version for review",
)
def review(request: HttpRequest, ref: str, payload: ReviewIn) -> DocumentVersion:
    v = services.submit_for_review(actor(request), ref, payload.reviewers)
    return queries.version_for(actor(request).user, v.document_id, v.number)


@router.post(
    "/{ref}/send-back",
    response=responses(DocumentVersionOut),
    openapi_extra=permission(Perm.EDIT_DOCUMENTS),
    summary="Send the version in review back to draft",
)
def send_back(request: HttpRequest, ref: str, payload: SendBackIn) -> DocumentVersion:
    v = services.return_to_draft(actor(request), ref, payload.note)
    return queries.version_for(actor(request).user, v.document_id, v.number)


@router.post(
    "/{ref}/approve",
    response=responses(DocumentVersionOut),
    openapi_extra=permission(Perm.APPROVE_DOCUMENTS),
    summary="Approve the version in review (not by its author); a new major version asks for acknowledgement again",
)
def approve(request: HttpRequest, ref: str, payload: DocumentApproveIn) -> DocumentVersion:
    v = services.approve(actor(request), ref, payload.approved_on)
    return queries.version_for(actor(request).user, v.document_id, v.number)


@router.post(
    "/{ref}/publish",
    response=responses(PublicationOut, 201),
    openapi_extra=permission(Perm.EDIT_DOCUMENTS),
    summary="Publish the approved version to a group; people without a login are emailed a signed link",
)
def publish(request: HttpRequest, ref: str, payload: PublishIn) -> Status[Publication]:
    publication = acknowledgements.publish(
        actor(request),
        ref,
        audience=enum_value(payload.audience),
        departments=payload.departments,
        role=payload.role,
        people=payload.people,
        due_on=payload.due_on,
        base_url=request.build_absolute_uri("/"),
    )
    return Status(201, Publication.objects.select_related("version__document").get(pk=publication.pk))


@router.post(
    "/{ref}/requirements",
    response=responses(DocumentOut, 201),
    openapi_extra=permission(Perm.EDIT_DOCUMENTS),
    summary="Record that the document answers a requirement",
)
def link_requirement(request: HttpRequest, ref: str, payload: DocumentRequirementLinkIn) -> Status[Document]:
    services.link_requirement(actor(request), ref, payload.requirement)
    return Status(201, _detail(request, ref))


@router.delete(
    "/{ref}/requirements/{requirement}",
    response=responses(None, 204),
    openapi_extra=permission(Perm.EDIT_DOCUMENTS),
    summary="Remove a requirement the document answers",
)
def unlink_requirement(request: HttpRequest, ref: str, requirement: str) -> Status[None]:
    services.unlink_requirement(actor(request), ref, requirement)
    return Status(204, None)


# ---------------------------------------------------------------- /document-versions


@versions_router.get(
    "",
    response=responses(Page[DocumentVersionOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List document versions (every document's, or one's), newest first per document",
)
def list_versions(request: HttpRequest, filters: Query[VersionFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    f = filters_of(queries.VersionFilters, filters)
    return paginate(queries.versions_list(who.user, f.document), filters.limit, filters.offset)


# ---------------------------------------------------------------- /acknowledgements


@acks_router.get(
    "",
    response=responses(Page[AcknowledgementOut]),
    openapi_extra=permission(Perm.VIEW),
    summary="List acknowledgements: per policy (document=) or per person (person=), outstanding with status=pending",
)
def list_acknowledgements(request: HttpRequest, filters: Query[AcknowledgementFilters]) -> dict[str, Any]:
    who = actor(request)
    check(who, Perm.VIEW)
    f = filters_of(queries.AcknowledgementFilters, filters)
    qs = acknowledgements.acknowledgements(who.user, document=f.document, person=f.person, status=f.status)
    return paginate(qs, filters.limit, filters.offset)


@acks_router.post(
    "/{ack_id}/acknowledge",
    response=responses(AcknowledgementOut),
    openapi_extra=permission(Perm.VIEW),
    summary="Acknowledge one's own outstanding acknowledgement",
)
def acknowledge(request: HttpRequest, ack_id: str) -> Acknowledgement:
    ack = acknowledgements.acknowledge(actor(request), ack_id)
    return Acknowledgement.objects.select_related("document", "version", "person").get(pk=ack.pk)


@acks_router.post(
    "/{ack_id}/resend",
    response=responses(AcknowledgementOut),
    openapi_extra=permission(Perm.EDIT_DOCUMENTS),
    summary="Email a new signed link for an outstanding acknowledgement of a person without a login",
)
def resend(request: HttpRequest, ack_id: str) -> Acknowledgement:
    ack = acknowledgements.resend(actor(request), ack_id, request.build_absolute_uri("/"))
    return Acknowledgement.objects.select_related("document", "version", "person").get(pk=ack.pk)
