"""The one way an evidence file leaves Keel: streamed as an attachment, after the caller's
permission was checked (pages and API both use :func:`file_response`).

The stored file's SHA-256 is checked before it is served: a file altered or damaged on the
storage is refused (409) rather than handed out as evidence.
"""

from __future__ import annotations

import base64

from django.http import FileResponse

from keel.platform.errors import Conflict, NotFound

from . import services
from .models import EvidenceVersion


def file_response(version: EvidenceVersion) -> FileResponse:
    if not version.file:
        raise NotFound(f"{version} is a link, not a file: open {version.url} instead.")
    store = services.storage()
    name = version.file.name
    if not store.exists(name):
        raise NotFound(
            f"The stored file of {version} is missing from the evidence storage. "
            "An administrator can run 'keel evidence verify' to list every missing file."
        )
    with store.open(name, "rb") as fh:
        found = services.digest(fh)
    if found.sha256 != version.sha256 or found.size != version.size:
        raise Conflict(
            f"The stored file of {version} no longer matches the SHA-256 recorded when it was uploaded; "
            "it is not served. An administrator can run 'keel evidence verify' and restore it from a backup."
        )
    response = FileResponse(
        store.open(name, "rb"),
        as_attachment=True,
        filename=services.safe_filename(version.filename),
        content_type=services.download_content_type(version.content_type),
    )
    response["Content-Length"] = str(version.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["X-Checksum-SHA256"] = version.sha256
    b64 = base64.b64encode(bytes.fromhex(version.sha256)).decode("ascii")
    response["Digest"] = f"sha-256={b64}"
    response["Repr-Digest"] = f"sha-256=:{b64}:"
    return response
