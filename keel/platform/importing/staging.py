"""Uploaded files kept between an import page's dry-run report and its confirmation, through the
storage API (``imports/<token>.bin`` under the media folder), under an unguessable token that only
the uploader can redeem. Confirming deletes the file; files of reports never confirmed are
deleted after a day."""

from __future__ import annotations

import datetime
import json
import re
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from keel.platform.errors import NotFound
from keel.platform.models import User

STAGING = "imports"


def stage_upload(data: bytes, filename: str, user: User) -> str:
    """Keep an uploaded file between the wizard's preview and its confirmation (through the
    storage API); returns an unguessable token that only ``user`` can redeem."""
    _forget_stale_uploads()
    token = uuid.uuid4().hex
    default_storage.save(f"{STAGING}/{token}.bin", ContentFile(data))
    meta = {"filename": filename, "user": str(user.pk)}
    default_storage.save(f"{STAGING}/{token}.json", ContentFile(json.dumps(meta).encode()))
    return token


def staged_upload(token: str, user: User) -> tuple[bytes, str]:
    """The staged file and its name; :class:`NotFound` for an unknown, expired or foreign token."""
    gone = NotFound("This upload is no longer available: upload the file again.")
    if not re.fullmatch(r"[0-9a-f]{32}", token or ""):
        raise gone
    try:
        with default_storage.open(f"{STAGING}/{token}.json") as fh:
            meta = json.loads(fh.read())
        with default_storage.open(f"{STAGING}/{token}.bin") as fh:
            data = fh.read()
    except (OSError, ValueError):
        raise gone from None
    if meta.get("user") != str(user.pk):
        raise gone
    return data, str(meta.get("filename", "upload"))


def discard_upload(token: str) -> None:
    if re.fullmatch(r"[0-9a-f]{32}", token or ""):
        for suffix in ("bin", "json"):
            default_storage.delete(f"{STAGING}/{token}.{suffix}")


def _forget_stale_uploads(max_age: datetime.timedelta = datetime.timedelta(days=1)) -> None:
    """Previews never confirmed leave their file behind: drop those older than a day."""
    try:
        _, names = default_storage.listdir(STAGING)
    except (FileNotFoundError, NotImplementedError, OSError):
        return
    cutoff = timezone.now() - max_age
    for name in names:
        try:
            if default_storage.get_modified_time(f"{STAGING}/{name}") < cutoff:
                default_storage.delete(f"{STAGING}/{name}")
        except (FileNotFoundError, NotImplementedError, OSError):
            continue
