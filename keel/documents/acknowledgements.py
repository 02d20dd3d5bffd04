"""Policy acknowledgement: an approved version published to a group of people, each of whom
acknowledges having read it (docs/documents.md#acknowledgement).

The group is departments of the directory, everyone holding a role, or a hand-picked list.
People who log in acknowledge on the document's page; people without a login are emailed a
signed link (``django.core.signing``) that expires after ``KEEL_ACK_LINK_DAYS`` days and
acknowledges for them alone. When a new major version of a published document is approved,
the same groups are asked again for the new version and what was outstanding on the old one
is superseded.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from keel.controls.services import _check_on_systems
from keel.organisation import resolvers as organisation_resolvers
from keel.organisation.models import Organisation, RoleAssignment
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import Channel, Role, TrailAction
from keel.platform.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from keel.platform.models import User
from keel.platform.permissions import Perm

from . import queries
from .choices import AckChannel, AckStatus, AudienceKind, DocumentStatus, VersionStatus
from .models import Acknowledgement, Document, DocumentVersion, Publication

SALT = "keel.documents.acknowledgement"

log = logging.getLogger(__name__)


def link_days() -> int:
    return int(getattr(settings, "KEEL_ACK_LINK_DAYS", 30))


def due_days() -> int:
    return int(getattr(settings, "KEEL_ACK_DUE_DAYS", 30))


# ---------------------------------------------------------------- the group


def _departments(names: Iterable[str]) -> list[str]:
    wanted = [" ".join(str(n).split()) for n in names if str(n).strip()]
    known = {d.lower(): d for d in User.objects.exclude(department="").values_list("department", flat=True)}
    unknown = [n for n in wanted if n.lower() not in known]
    if unknown:
        raise ValidationFailed(
            f"No one in the directory is in {', '.join(unknown)}. Departments: {', '.join(sorted(set(known.values()))) or 'none yet'}.",
            {"departments": ["Unknown department."]},
        )
    return sorted({known[n.lower()] for n in wanted})


def audience_people(
    audience: str, departments: Iterable[str] = (), role: str = "", people: Iterable[User] = ()
) -> list[User]:
    """The active people a group names, by name."""
    qs = User.objects.filter(is_active=True)
    if audience == AudienceKind.DEPARTMENT:
        lowered = [d.lower() for d in departments]
        found = [u for u in qs.exclude(department="") if u.department.lower() in lowered]
    elif audience == AudienceKind.ROLE:
        found = list(qs.filter(pk__in=RoleAssignment.objects.filter(role=role).values("user_id")))
    else:
        found = [p for p in people if p.is_active]
    return sorted(found, key=lambda u: (u.display_name.lower(), u.email))


def _group(
    audience: str, departments: Iterable[str], role: str, people: Iterable[Any]
) -> tuple[list[str], str, list[User]]:
    if audience not in AudienceKind.values:
        raise ValidationFailed(
            f"audience is one of: {', '.join(AudienceKind.values)}.", {"audience": ["Unknown audience."]}
        )
    depts: list[str] = []
    chosen: list[User] = []
    if audience == AudienceKind.DEPARTMENT:
        depts = _departments(departments)
        if not depts:
            raise ValidationFailed("Choose at least one department.", {"departments": ["Required."]})
    elif audience == AudienceKind.ROLE:
        if role not in Role.values:
            raise ValidationFailed(f"role is one of: {', '.join(Role.values)}.", {"role": ["Choose a role."]})
    else:
        for ref in dict.fromkeys(str(p).strip() for p in people if str(p).strip()):
            person = organisation_resolvers.user_by_email(ref, "people")
            assert person is not None
            chosen.append(person)
        if not chosen:
            raise ValidationFailed("Choose at least one person.", {"people": ["Required."]})
    return depts, role if audience == AudienceKind.ROLE else "", chosen


# ---------------------------------------------------------------- signed links


def token_for(ack: Acknowledgement) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(ack.pk))


def link_for(ack: Acknowledgement, base_url: str = "") -> str:
    base = (base_url or getattr(settings, "KEEL_BASE_URL", "") or "http://localhost:8000").rstrip("/")
    return base + reverse("document-acknowledge-link", args=[token_for(ack)])


def from_token(token: str) -> Acknowledgement:
    """The acknowledgement a link names; a clear error when the link is forged or expired."""
    signer = signing.TimestampSigner(salt=SALT)
    try:
        pk = signer.unsign(str(token)[:300], max_age=dt.timedelta(days=link_days()))
    except signing.SignatureExpired:
        raise PermissionDenied(
            f"This link has expired (links are valid for {link_days()} days). Ask the document's owner "
            "to send you a new one."
        ) from None
    except signing.BadSignature:
        raise NotFound("This link is not valid: check that it was copied whole from the email.") from None
    ack = Acknowledgement.objects.select_related("document__owner", "version", "person").filter(pk=pk).first()
    if ack is None:
        raise NotFound("This link names nothing to acknowledge any more.")
    return ack


def _emailable(ack: Acknowledgement) -> bool:
    """A link is emailed to a person without a login who has an address."""
    return not ack.person.can_log_in and ack.person.has_email


def _email(ack: Acknowledgement, base_url: str) -> bool:
    """Email the signed link (call it outside any transaction: mail cannot be rolled back).
    True when sent; when the mail server refuses it, the failure is logged and recorded in the
    trail as "link not sent" and False is returned — nothing raises."""
    person = ack.person
    if not _emailable(ack):
        return False
    org = Organisation.objects.values_list("name", flat=True).first() or "Keel"
    document = ack.document
    expires = (timezone.localdate() + dt.timedelta(days=link_days())).isoformat()
    try:
        _send(ack, base_url, org, expires)
    except Exception as exc:  # any mail backend failure: recorded, never a 500 after commit
        log.warning("Acknowledgement link to %s for %s not sent: %s", person.email, document.ref_id, exc)
        with transaction.atomic():
            trail.record(
                Actor.system(),
                TrailAction.UPDATE,
                ack,
                object_repr=f"{document.ref_id} version {ack.version.label} link not sent to {person.email}",
                changes={"link": [None, f"not sent: {exc}"[:300]]},
            )
        return False
    ack.emailed_at = timezone.now()
    ack.save(update_fields=["emailed_at"])
    return True


def _send(ack: Acknowledgement, base_url: str, org: str, expires: str) -> None:
    person, document = ack.person, ack.document
    send_mail(
        subject=f"Please read and acknowledge: {document.title}",
        message=(
            f"Hello {person.display_name},\n\n"
            f"{org} asks you to read {document.ref_id} {document.title} (version {ack.version.label}) "
            f"and confirm that you have read it, by {ack.due_on.isoformat()}.\n\n"
            f"Open this link to read it and acknowledge it:\n{link_for(ack, base_url)}\n\n"
            f"The link is for you alone and works until {expires}.\n"
        ),
        from_email=None,
        recipient_list=[person.email],
    )


def _email_after_commit(acks: list[Acknowledgement], base_url: str) -> int:
    """Email the links once the transaction commits (a rollback sends nothing; a mail failure
    cannot undo the publication). Returns how many links are to be sent."""
    to_send = [a for a in acks if _emailable(a)]
    for ack in to_send:
        transaction.on_commit(lambda ack=ack: _email(ack, base_url))  # type: ignore[misc]
    return len(to_send)


# ---------------------------------------------------------------- publishing


def _ask(
    actor: Actor, publication: Publication, people: list[User], base_url: str, email: bool = True
) -> tuple[list[Acknowledgement], int]:
    """Create an outstanding acknowledgement for each person not yet asked for this version."""
    version = publication.version
    asked = set(Acknowledgement.objects.filter(version=version).values_list("person_id", flat=True))
    created = [
        Acknowledgement.objects.create(
            publication=publication,
            document=version.document,
            version=version,
            person=person,
            due_on=publication.due_on,
        )
        for person in people
        if person.pk not in asked
    ]
    # what the same people still owed on older versions is now asked of this one
    older = list(
        Acknowledgement.objects.select_for_update(of=("self",))
        .filter(document=version.document, person__in=[a.person for a in created], status=AckStatus.PENDING)
        .exclude(version=version)
        .select_related("version", "person")
    )
    for ack in older:
        ack.status = AckStatus.SUPERSEDED
        ack.save(update_fields=["status"])
        trail.record(
            actor,
            TrailAction.UPDATE,
            ack,
            object_repr=f"{version.document.ref_id} version {ack.version.label} no longer asked of {ack.person.email}",
            changes={
                "status": [AckStatus.PENDING, AckStatus.SUPERSEDED],
                "asked_instead": [None, version.label],
            },
        )
    emailed = _email_after_commit(created, base_url) if email else 0
    return created, emailed


def publish(
    actor: Actor,
    ref: uuid.UUID | str,
    *,
    audience: str,
    departments: Iterable[str] = (),
    role: str = "",
    people: Iterable[Any] = (),
    due_on: dt.date | None = None,
    base_url: str = "",
    email: bool = True,
    published_on: dt.date | None = None,
) -> Publication:
    """Publish the approved version in force to a group: each person is asked to acknowledge it
    by ``due_on`` (default: in ``KEEL_ACK_DUE_DAYS`` days); people without a login are emailed
    a signed link (``email=False``: no email is sent, as in the demo). People already asked for
    this version are not asked twice.

    ``published_on`` records a publication made earlier (on paper, in another tool, or the
    demo's history): not in the future, not before the version was approved; the due date is
    then checked against that day, so an acknowledgement may already be overdue."""
    depts, role, chosen = _group(audience, departments, role, people)
    today = queries.today()
    on = published_on or today
    if on > today:
        raise ValidationFailed(
            "The publication date cannot be in the future.", {"published_on": ["In the future."]}
        )
    due = due_on or on + dt.timedelta(days=due_days())
    if due < on:
        problem = "has passed" if on == today else "is before the publication date"
        raise ValidationFailed(f"The due date {problem}: choose a later date.", {"due_on": ["In the past."]})
    with transaction.atomic():
        document = queries.get_document(ref)
        document = (
            Document.objects.select_related("issued_version")
            .select_for_update(of=("self",))
            .get(pk=document.pk)
        )
        _check_on_systems(actor, Perm.EDIT_DOCUMENTS, document.management_systems.all())
        version = document.issued_version
        if document.status == DocumentStatus.RETIRED or version is None:
            raise Conflict(
                f"{document.ref_id} has no approved version in force: approve it before publishing it."
            )
        publication = Publication.objects.create(
            version=version,
            audience=audience,
            departments=depts,
            role=role,
            due_on=due,
            published_by=actor.user,
            published_by_label=actor.label,
        )
        if on != today:
            if version.approved_on is not None and on < version.approved_on:
                raise ValidationFailed(
                    f"Version {version.label} of {document.ref_id} was approved on {version.approved_on.isoformat()}: "
                    "it cannot have been published before.",
                    {"published_on": ["Before the approval."]},
                )
            published_at = dt.datetime.combine(on, dt.time(9), tzinfo=timezone.get_current_timezone())
            Publication.objects.filter(pk=publication.pk).update(published_at=published_at)
            publication.published_at = published_at
        publication.people.set(chosen)
        group = audience_people(audience, depts, role, chosen)
        created, emailed = _ask(actor, publication, group, base_url, email)
        trail.record(
            actor,
            TrailAction.CREATE,
            publication,
            object_repr=f"{document.ref_id} version {version.label} published",
            changes={
                "version": [None, version.label],
                "audience": [None, audience],
                "departments": [None, depts or None],
                "role": [None, role or None],
                "people": [None, sorted(p.email for p in chosen) or None],
                "due_on": [None, due.isoformat()],
                **({"published_on": [None, on.isoformat()]} if on != today else {}),
                "asked": [None, len(created)],
                "emailed": [None, emailed],
            },
        )
    return publication


def republish(
    actor: Actor, document: Document, previous: DocumentVersion, version: DocumentVersion, email: bool = True
) -> list[Publication]:
    """A new major version was approved: ask every group the previous version was published to
    again (inside the approval's transaction)."""
    out = []
    for old in (
        # the latest round only: a publication a later one already copied is not copied again
        Publication.objects.filter(version__document=document)
        .exclude(pk__in=Publication.objects.filter(previous__isnull=False).values("previous"))
        .prefetch_related("people")
        .order_by("published_at")
    ):
        span = max((old.due_on - old.published_at.date()).days, 1)
        publication = Publication.objects.create(
            version=version,
            audience=old.audience,
            departments=old.departments,
            role=old.role,
            due_on=queries.today() + dt.timedelta(days=span),
            previous=old,
            published_by=actor.user,
            published_by_label=actor.label,
        )
        chosen = list(old.people.all())
        publication.people.set(chosen)
        created, emailed = _ask(
            actor, publication, audience_people(old.audience, old.departments, old.role, chosen), "", email
        )
        trail.record(
            actor,
            TrailAction.CREATE,
            publication,
            object_repr=f"{document.ref_id} version {version.label} published",
            changes={
                "version": [previous.label, version.label],
                "why": [None, "new major version: acknowledge again"],
                "asked": [None, len(created)],
                "emailed": [None, emailed],
            },
        )
        out.append(publication)
    return out


def carry_forward(
    actor: Actor, document: Document, previous: DocumentVersion, version: DocumentVersion
) -> int:
    """A new minor version was approved: what people still owed on ``previous`` is now asked of
    ``version`` (same due date), so they acknowledge the version in force (inside the approval's
    transaction). Returns how many moved."""
    moved = list(
        Acknowledgement.objects.select_for_update(of=("self",))
        .filter(document=document, version=previous, status=AckStatus.PENDING)
        .select_related("person")
    )
    for ack in moved:
        ack.version = version
        ack.save(update_fields=["version"])
        trail.record(
            actor,
            TrailAction.UPDATE,
            ack,
            object_repr=f"{document.ref_id} acknowledgement of {ack.person.email} moved to version {version.label}",
            changes={"version": [previous.label, version.label], "why": [None, "new minor version in force"]},
        )
    return len(moved)


def cancel_outstanding(actor: Actor, document: Document) -> int:
    """No longer ask for acknowledgements of ``document`` (it is retired)."""
    n = Acknowledgement.objects.filter(document=document, status=AckStatus.PENDING).update(
        status=AckStatus.SUPERSEDED
    )
    if n:
        trail.record(
            actor,
            TrailAction.UPDATE,
            document,
            changes={"outstanding_acknowledgements": [n, 0]},
        )
    return n


# ---------------------------------------------------------------- acknowledging


def _acknowledge(actor: Actor, ack: Acknowledgement, channel: str) -> Acknowledgement:
    with transaction.atomic():
        ack = (
            Acknowledgement.objects.select_for_update(of=("self",))
            .select_related("document", "version")
            .get(pk=ack.pk)
        )
        if ack.status == AckStatus.ACKNOWLEDGED:
            return ack  # twice is once: the first time stands
        if ack.status != AckStatus.PENDING or ack.version.status != VersionStatus.APPROVED:
            raise Conflict(
                f"Version {ack.version.label} of {ack.document.ref_id} is no longer the one in force: "
                "there is nothing to acknowledge here."
            )
        ack.status = AckStatus.ACKNOWLEDGED
        ack.acknowledged_at = timezone.now()
        ack.channel = channel
        ack.save(update_fields=["status", "acknowledged_at", "channel"])
        trail.record(
            actor,
            TrailAction.UPDATE,
            ack,
            object_repr=f"{ack.document.ref_id} version {ack.version.label} acknowledged by {ack.person.email}",
            changes={"status": [AckStatus.PENDING, AckStatus.ACKNOWLEDGED], "channel": [None, channel]},
            management_system_ids=[
                str(pk) for pk in ack.document.management_systems.values_list("pk", flat=True)
            ],
        )
    return ack


def _ack_pk(ack_id: uuid.UUID | str) -> uuid.UUID:
    pk = organisation_resolvers.as_uuid(ack_id)
    if pk is None:
        raise NotFound("No such acknowledgement.")
    return pk


def acknowledge(actor: Actor, ack_id: uuid.UUID | str) -> Acknowledgement:
    """The logged-in person acknowledges their own outstanding acknowledgement."""
    ack = Acknowledgement.objects.select_related("person").filter(pk=_ack_pk(ack_id)).first()
    if ack is None or actor.user is None or ack.person_id != actor.user.pk:
        raise NotFound("No such acknowledgement is asked of you.")
    return _acknowledge(actor, ack, AckChannel.KEEL)


def acknowledge_by_link(token: str, ip: str = "") -> Acknowledgement:
    """Acknowledge through the emailed link: the person it names, recorded as themselves."""
    ack = from_token(token)
    return _acknowledge(Actor.for_user(ack.person, Channel.WEB, ip), ack, AckChannel.LINK)


def document_of(ack_id: uuid.UUID | str) -> Document:
    """The document an acknowledgement belongs to (a clear 404 when there is none)."""
    document = Document.objects.filter(acknowledgements__pk=_ack_pk(ack_id)).first()
    if document is None:
        raise NotFound("No such acknowledgement.")
    return document


def resend(actor: Actor, ack_id: uuid.UUID | str, base_url: str = "") -> Acknowledgement:
    """Email a fresh link for an outstanding acknowledgement (the old one may have expired).
    The email is sent after the checks commit; a mail server failure is a clear error."""
    with transaction.atomic():
        ack = (
            Acknowledgement.objects.select_for_update(of=("self",))
            .select_related("document", "version", "person")
            .filter(pk=_ack_pk(ack_id))
            .first()
        )
        if ack is None:
            raise NotFound("No such acknowledgement.")
        _check_on_systems(actor, Perm.EDIT_DOCUMENTS, ack.document.management_systems.all())
        if ack.status != AckStatus.PENDING:
            raise Conflict(f"{ack.person.display_name} has nothing outstanding here.")
        if not _emailable(ack):
            raise Conflict(
                f"{ack.person.display_name} logs in to Keel or has no email address yet: no link is emailed."
            )
    if not _email(ack, base_url):
        raise Conflict(
            f"The email to {ack.person.email} could not be sent (the mail server refused it): "
            "try again later or ask your administrator to check the email settings."
        )
    with transaction.atomic():
        trail.record(
            actor,
            TrailAction.UPDATE,
            ack,
            object_repr=f"{ack.document.ref_id} version {ack.version.label} link sent to {ack.person.email}",
            changes={"emailed_at": [None, ack.emailed_at.isoformat() if ack.emailed_at else None]},
        )
    return ack


# ---------------------------------------------------------------- reading


def acknowledgements(
    user: User | None, *, document: str = "", person: str = "", status: str = ""
) -> QuerySet[Acknowledgement]:
    """Acknowledgements of the documents ``user`` may read, filtered (fixed number of queries)."""
    if status and status not in AckStatus.values:
        raise ValidationFailed(
            f"status is one of: {', '.join(AckStatus.values)}.", {"status": ["Unknown value."]}
        )
    qs = queries.visible(
        Acknowledgement.objects.select_related("document", "version", "person"), user, ref="document_id"
    )
    if document:
        qs = qs.filter(document=queries.get_document(document))
    if person:
        qs = qs.filter(person=organisation_resolvers.user_by_email(person, "person"))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("document__ref_id", "person__full_name", "person__email", "-created_at")


def outstanding_for(person: User) -> list[Acknowledgement]:
    """What ``person`` has still to acknowledge (their own list: no perimeter applies)."""
    return list(
        Acknowledgement.objects.filter(person=person, status=AckStatus.PENDING)
        .select_related("document", "version")
        .order_by("due_on", "document__ref_id")
    )
