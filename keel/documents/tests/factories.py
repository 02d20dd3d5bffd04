"""Test helpers of the documents app: documents made through the services."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from keel.documents import services
from keel.documents.models import Document
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.choices import Channel
from keel.platform.models import User

POLICY_TEXT = "# Information security policy\n\nWe protect the information our customers trust us with."


def as_actor(user: User) -> Actor:
    return Actor.for_user(user, Channel.WEB)


def policy(
    author: User,
    systems: Iterable[ManagementSystem] = (),
    *,
    title: str = "Information security policy",
    body: str = POLICY_TEXT,
    requirements: Iterable[str] = (),
    owner: User | None = None,
    **kw: Any,
) -> Document:
    return services.create_document(
        as_actor(author),
        title=title,
        kind="policy",
        owner=owner or author,
        version=services.NewVersion(body=body),
        management_systems=[ms.pk for ms in systems],
        requirements=requirements,
        **kw,
    )


def approved_policy(
    author: User, approver: User, systems: Iterable[ManagementSystem] = (), **kw: Any
) -> Document:
    doc = policy(author, systems, **kw)
    services.submit_for_review(as_actor(author), doc.pk, [approver.email])
    services.approve(as_actor(approver), doc.pk)
    doc.refresh_from_db()
    return doc
