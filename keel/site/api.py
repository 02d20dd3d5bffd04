"""The JSON API under /api/v1/ (django-ninja). Routers live in each app's ``api.py``."""

from __future__ import annotations

from typing import Any

from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from keel import __version__
from keel.aiact.api import router as aiact_router
from keel.aisystems.api import router as aisystems_router
from keel.assets.api import router as assets_router
from keel.audits.api import router as audits_router
from keel.certification.api import router as certification_router
from keel.changes.api import router as changes_router
from keel.controls.api import router as controls_router
from keel.documents.api import acks_router as acknowledgements_router
from keel.documents.api import router as documents_router
from keel.documents.api import versions_router as document_versions_router
from keel.evidence.api import router as evidence_router
from keel.gap.api import router as gap_router
from keel.impact.api import router as impact_router
from keel.improvement.api import router as improvement_router
from keel.incidents.api import router as incidents_router
from keel.mapping.api import router as mapping_router
from keel.mapping.suggest.api import router as suggest_router
from keel.organisation.api import router as core_router
from keel.platform.api import BearerAuth, SessionAuth, error_body
from keel.platform.concurrency import EditConflict
from keel.platform.errors import KeelError
from keel.platform.middleware import database_busy_response, is_database_busy
from keel.review.api import router as review_router
from keel.risks.api import router as risks_router
from keel.site.checks import router as checks_router
from keel.soa.api import router as soa_router
from keel.standards.api import router as standards_router
from keel.suppliers.api import router as suppliers_router
from keel.support.api import router as support_router
from keel.work.api import router as work_router

api = NinjaAPI(
    title="Keel API",
    version="1",
    description=(
        "One management system for ISO/IEC 27001:2022 and ISO/IEC 42001:2023. "
        "Authenticate with the browser session or `Authorization: Bearer <token>` "
        "(create one with `keel token create EMAIL`). Every error has the shape "
        '`{"error": {"code", "message", "fields"}}`.'
    ),
    urls_namespace="api-v1",
    auth=[BearerAuth(require_role=True), SessionAuth(require_role=True)],
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.keel_version = __version__  # type: ignore[attr-defined]


@api.exception_handler(KeelError)
def keel_error(request: HttpRequest, exc: KeelError) -> HttpResponse:
    body = error_body(exc.code, exc.message, exc.fields)
    if isinstance(exc, EditConflict):  # a stale If-Match / version: say what the version is now
        body["error"]["current_version"] = exc.current_version
    response = api.create_response(request, body, status=exc.status)
    if isinstance(exc, EditConflict):
        response["ETag"] = f'"{exc.current_version}"'
    return response


@api.exception_handler(OperationalError)
def database_error(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    """SQLite's "database is locked" is a 503 with Retry-After (never a 500); other database
    errors stay server errors."""
    if is_database_busy(exc):
        return database_busy_response(request)
    raise exc


@api.exception_handler(NinjaValidationError)
def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload")]
        fields.setdefault(".".join(loc) or "__all__", []).append(str(err.get("msg", "invalid")))
    summary = "; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items())
    return api.create_response(
        request, error_body("validation_error", f"The request is not valid — {summary}", fields), status=422
    )


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        error_body(
            "unauthenticated",
            "Log in, or send 'Authorization: Bearer <token>' with a valid, unrevoked token.",
        ),
        status=401,
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, error_body("not_found", str(exc) or "Not found."), status=404)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {
        400: "bad_request",
        401: "unauthenticated",
        403: "permission_denied",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
    }.get(exc.status_code, "error")
    return api.create_response(request, error_body(code, str(exc)), status=exc.status_code)


def _register() -> None:

    api.add_router("", standards_router)
    api.add_router("", core_router)

    api.add_router("", controls_router)

    api.add_router("", soa_router)

    api.add_router("", gap_router)

    api.add_router("", mapping_router)

    api.add_router("/evidence", evidence_router)

    api.add_router("/documents", documents_router)
    api.add_router("/document-versions", document_versions_router)
    api.add_router("/acknowledgements", acknowledgements_router)

    api.add_router("", aisystems_router)

    api.add_router("", assets_router)
    api.add_router("", risks_router)

    api.add_router("", impact_router)

    api.add_router("", aiact_router)

    api.add_router("", suggest_router)

    api.add_router("", checks_router)
    api.add_router("", support_router)
    api.add_router("", suppliers_router)
    api.add_router("", incidents_router)
    api.add_router("", changes_router)
    api.add_router("", improvement_router)
    api.add_router("", audits_router)
    api.add_router("", review_router)
    api.add_router("", certification_router)
    api.add_router("", work_router)


_register()


def schema() -> dict[str, Any]:
    return api.get_openapi_schema()
