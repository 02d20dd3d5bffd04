"""Emailing a supplier its questionnaire link (docs/suppliers.md#emailing-the-link).

Sending an assessment emails the signed link to the supplier contact the sender picks (or the
address typed in, or else the supplier's primary contact: the first of its contacts as listed).
The mail goes out in ``transaction.on_commit`` like policy acknowledgement links: a rollback
sends nothing and a mail failure cannot undo the assessment (it is logged and recorded in the
trail as "link not sent"). **Resend link** emails the same link again while it is unexpired.
"""

from __future__ import annotations

import logging
import uuid

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from keel.organisation.models import Organisation
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import TrailAction
from keel.platform.errors import Conflict, ValidationFailed
from keel.platform.permissions import Perm, check

from . import assessments
from .choices import SupplierAssessmentStatus
from .models import Supplier, SupplierAssessment, SupplierContact
from .services import get_supplier

log = logging.getLogger(__name__)


def primary_contact(supplier: Supplier) -> SupplierContact | None:
    """The supplier's primary contact: the first of its contacts as listed (by name)."""
    return SupplierContact.objects.filter(supplier=supplier).order_by("name", "id").first()


def recipient(supplier: Supplier, contact: str = "", name: str = "", email: str = "") -> tuple[str, str]:
    """Who the link is emailed to: the contact picked, else the address given, else the primary
    contact. A contact without an email, or no one at all, is refused naming the field."""
    chosen: SupplierContact | None = None
    if str(contact).strip():
        try:
            pk = uuid.UUID(str(contact).strip())
        except ValueError:
            pk = None
        chosen = SupplierContact.objects.filter(supplier=supplier, pk=pk).first() if pk else None
        if chosen is None:
            raise ValidationFailed(
                f"{supplier.ref_id} has no such contact: pick one of its contacts.",
                {"contact": ["Not a contact of this supplier."]},
            )
    elif email.strip():
        return name.strip(), email.strip()
    else:
        chosen = primary_contact(supplier)
        if chosen is None:
            raise ValidationFailed(
                f"{supplier.ref_id} has no contact to email the link to: add a contact or give the "
                "recipient's email.",
                {"recipient_email": ["Required: the supplier has no contact."]},
            )
    if not chosen.email:
        raise ValidationFailed(
            f"{chosen.name} has no email address: add one to the contact or give the recipient's email. "
            "Nothing was sent.",
            {"contact": ["This contact has no email address."]},
        )
    return chosen.name, chosen.email


def _org() -> str:
    return Organisation.objects.values_list("name", flat=True).first() or "Keel"


def _deliver(a: SupplierAssessment, base_url: str) -> bool:
    """Email the link (outside any transaction). True when sent; a mail failure is logged and
    recorded in the trail as "link not sent", never raised."""
    a = assessments.assessment_qs().get(pk=a.pk)
    org = _org()
    expires = timezone.localtime(a.expires_at)
    hello = f"Hello {a.recipient_name},\n\n" if a.recipient_name else "Hello,\n\n"
    try:
        send_mail(
            subject=f"{org}: supplier questionnaire {a.questionnaire.name} ({a.ref_id})",
            message=(
                hello + f"{org} asks {a.supplier.name} to answer its supplier questionnaire "
                f'"{a.questionnaire.name}" (version {a.questionnaire.version}, reference {a.ref_id}).\n\n'
                f"Open this link to answer it; you can save a draft and come back before submitting:\n"
                f"{assessments.link_for(a, base_url)}\n\n"
                f"The link works until {expires:%-d %B %Y}. No account is needed; please do not pass it on.\n"
            ),
            from_email=None,
            recipient_list=[a.recipient_email],
        )
    except Exception as exc:  # any mail backend failure: recorded, never a 500 after commit
        log.warning("Questionnaire link %s to %s not sent: %s", a.ref_id, a.recipient_email, exc)
        with transaction.atomic():
            trail.record(
                Actor.system(),
                TrailAction.UPDATE,
                a,
                object_repr=f"{a.ref_id} link not sent to {a.recipient_email}",
                changes={"link": [None, f"not sent: {exc}"[:300]]},
                management_system_id=a.supplier.management_system_id,
            )
        return False
    return True


def send(
    actor: Actor,
    supplier_ref: uuid.UUID | str,
    questionnaire_ref: uuid.UUID | str,
    *,
    contact: str = "",
    recipient_name: str = "",
    recipient_email: str = "",
    days: int | None = None,
    base_url: str = "",
) -> SupplierAssessment:
    """Send a questionnaire (``assessments.send``) and email its link to the recipient once the
    transaction commits."""
    with transaction.atomic():
        supplier = get_supplier(actor, supplier_ref, lock=True)
        check(actor, Perm.EDIT_SUPPLIERS, supplier.management_system_id)
        name, email = recipient(supplier, contact, recipient_name, recipient_email)
        a = assessments.send(
            actor, supplier.pk, questionnaire_ref, recipient_name=name, recipient_email=email, days=days
        )
        transaction.on_commit(lambda: _deliver(a, base_url))
    return a


def resend(actor: Actor, ref: uuid.UUID | str, base_url: str = "") -> SupplierAssessment:
    """Email the same link again to the assessment's recipient, while it is open and unexpired."""
    with transaction.atomic():
        a = assessments.get_assessment(actor, ref, lock=True)
        check(actor, Perm.EDIT_SUPPLIERS, a.supplier.management_system_id)
        if a.status != SupplierAssessmentStatus.SENT:
            raise Conflict(f"{a.ref_id} is {a.get_status_display().lower()}: its link is not sent again.")
        if a.expires_at <= timezone.now():
            raise Conflict(
                f"{a.ref_id}'s link expired on {timezone.localtime(a.expires_at):%-d %B %Y}: give it a new "
                "expiry instead (a new link is then emailed with Resend link)."
            )
        if not a.recipient_email:
            raise ValidationFailed(
                f"{a.ref_id} has no recipient email: nothing was sent.",
                {"recipient_email": ["No address to send the link to."]},
            )
        trail.record(
            actor,
            TrailAction.UPDATE,
            a,
            object_repr=f"{a.ref_id} link sent again to {a.recipient_email}",
            changes={"link": [None, f"resent to {a.recipient_email}"]},
            management_system_id=a.supplier.management_system_id,
        )
        transaction.on_commit(lambda: _deliver(a, base_url))
    return a


__all__ = ["primary_contact", "recipient", "resend", "send"]
