"""Document records for the permission matrix, made on demand through the services inside the
case (and rolled back with it): an approved policy of management system A (DOC-900), a draft
(DOC-901), one in review (DOC-902) and an uploaded PDF draft (DOC-903), written by a matrix
author and approved by a matrix approver (both administrators, neither a principal)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from keel.documents import acknowledgements, services
from keel.documents.models import Acknowledgement, Document
from keel.organisation.models import RoleAssignment
from keel.platform.actor import Actor
from keel.platform.choices import Channel, Role
from keel.platform.models import User
from keel.platform.permissions import Perm, has_perm, system_ids_with

from .permission_world import World

APPROVED, DRAFT, REVIEW, UPLOADED = "DOC-900", "DOC-901", "DOC-902", "DOC-903"
PDF = b"%PDF-1.4\n% matrix test file\n" + b"0" * 64


def _person(email: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create(email=email, full_name=email.split("@")[0].replace("-", " ").title())
        RoleAssignment.objects.create(user=user, role=Role.ADMIN)
    return user


def author() -> User:
    return _person("doc-author@matrix.example")


def _as(user: User) -> Actor:
    return Actor.for_user(user, Channel.WEB)


def _document(world: World, ref: str, stage: str, **version: Any) -> Document:
    doc = Document.objects.filter(ref_id=ref).first()
    if doc is not None:
        return doc
    writer, approver = author(), _person("doc-approver@matrix.example")
    doc = services.create_document(
        _as(writer),
        ref_id=ref,
        title=f"Matrix policy {ref}",
        kind="policy",
        owner=writer,
        version=services.NewVersion(**(version or {"body": "Matrix policy text."})),
        management_systems=[world.a.pk],
        requirements=["iso27001:2022:5.2"],
    )
    if stage in ("review", "approved"):
        services.submit_for_review(_as(writer), doc.pk)
    if stage == "approved":
        services.approve(_as(approver), doc.pk)
    return doc


def approved(world: World) -> Document:
    return _document(world, APPROVED, "approved")


def approved_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"ref": approved(world).ref_id}


def draft_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"ref": _document(world, DRAFT, "draft").ref_id}


def review_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"ref": _document(world, REVIEW, "review").ref_id}


def version_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"ref": approved(world).ref_id, "number": 1}


def upload_kwargs(world: World, user: User | None) -> dict[str, Any]:
    doc = _document(world, UPLOADED, "draft", file=SimpleUploadedFile("policy.pdf", PDF, "application/pdf"))
    return {"ref": doc.ref_id, "number": 1}


def ack(world: World, person: User | None) -> Acknowledgement:
    """An outstanding acknowledgement of DOC-900 asked of ``person`` (the matrix author when none)."""
    who = person or author()
    doc = approved(world)
    found = Acknowledgement.objects.filter(document=doc, person=who).first()
    if found is None:
        acknowledgements.publish(_as(author()), doc.pk, audience="people", people=[who.email], email=False)
        found = Acknowledgement.objects.get(document=doc, person=who)
    return found


def own_ack_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"ack": str(ack(world, user).pk)}


def link_ack_kwargs(world: World, user: User | None) -> dict[str, Any]:
    """An outstanding acknowledgement of a person without a login (a link can be resent)."""
    reader = User.objects.filter(email="doc-reader@matrix.example").first() or User.objects.create(
        email="doc-reader@matrix.example", full_name="Doc Reader", has_login=False
    )
    return {"ack": str(ack(world, reader).pk)}


def link_ack_params(world: World, user: User | None) -> dict[str, Any]:
    return {"ack_id": link_ack_kwargs(world, user)["ack"]}


def token_kwargs(world: World, user: User | None) -> dict[str, Any]:
    return {"token": acknowledgements.token_for(ack(world, None))}


def editable_system(world: World, user: User | None) -> str:
    for ms in (world.a, world.b):
        if has_perm(user, Perm.EDIT_DOCUMENTS, ms):
            return ms.short_name
    return world.a.short_name


def new_document_form(world: World, user: User | None) -> dict[str, Any]:
    return {
        "title": "Clear desk policy",
        "kind": "policy",
        "owner": author().email,
        "management_systems": [editable_system(world, user)],
        "body": "Leave nothing on your desk.",
    }


def edit_form(world: World, user: User | None) -> dict[str, Any]:
    approved(world)
    return {
        "title": "Matrix policy 2026",
        "kind": "policy",
        "owner": author().email,
        "management_systems": [world.a.short_name],
    }


def only_visible_documents(world: World, user: User, body: Any) -> None:
    refs = {i["ref_id"] for i in body["items"]}
    visible = system_ids_with(user, Perm.VIEW)
    sees_a = visible is None or world.a.pk in visible
    assert (APPROVED in refs) == sees_a, f"{user.email} listed {refs}; sees system A: {sees_a}"
