"""Test helpers of the evidence register: evidence made through the services (as the system
actor), with small in-memory files."""

from __future__ import annotations

import datetime as dt
import mimetypes
from collections.abc import Iterable
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from keel.evidence import services
from keel.evidence.models import Evidence, EvidenceVersion
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.models import User

SYSTEM = Actor.system("evidence-tests")


def upload(
    content: bytes = b"user,last_login\nada@example.com,2026-01-02\n", name: str = "access-review.csv"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(
        name, content, content_type=mimetypes.guess_type(name)[0] or "application/octet-stream"
    )


def file_evidence(
    systems: Iterable[ManagementSystem] = (),
    *,
    title: str = "Quarterly access review",
    content: bytes = b"user,last_login\nada@example.com,2026-01-02\n",
    name: str = "access-review.csv",
    valid_until: dt.date | None = None,
    collected_on: dt.date | None = None,
    controls: Iterable[str] = (),
    requirements: Iterable[str] = (),
    actor: Actor = SYSTEM,
    **kw: Any,
) -> Evidence:
    return services.create_evidence(
        actor,
        title=title,
        kind="file",
        version=services.NewVersion(
            file=upload(content, name), valid_until=valid_until, collected_on=collected_on
        ),
        management_systems=[ms.pk for ms in systems],
        controls=controls,
        requirements=requirements,
        **kw,
    )


def link_evidence(
    systems: Iterable[ManagementSystem] = (),
    *,
    title: str = "Status page",
    url: str = "https://status.example.com/",
    valid_until: dt.date | None = None,
    controls: Iterable[str] = (),
    requirements: Iterable[str] = (),
    actor: Actor = SYSTEM,
    **kw: Any,
) -> Evidence:
    return services.create_evidence(
        actor,
        title=title,
        kind="link",
        version=services.NewVersion(url=url, valid_until=valid_until),
        management_systems=[ms.pk for ms in systems],
        controls=controls,
        requirements=requirements,
        **kw,
    )


def new_file_version(evidence: Evidence, content: bytes, name: str = "v2.csv", **kw: Any) -> EvidenceVersion:
    return services.add_version(SYSTEM, evidence.pk, services.NewVersion(file=upload(content, name), **kw))


def reader(user: User | None) -> Actor:
    return Actor.system("x") if user is None else Actor.for_user(user, "web")
