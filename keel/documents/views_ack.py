"""Pages of policy acknowledgement and documented-information coverage: publish an approved
version to a group, acknowledge it in Keel or through the emailed link (a public page: the
signed link is the only credential), the outstanding acknowledgements per policy and per
person, and the coverage of each standard's documented information."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from keel.controls.forms import system_choices
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor, client_ip
from keel.platform.errors import KeelError
from keel.platform.markdown import render as render_markdown
from keel.platform.pages import AUTHENTICATED, PUBLIC, error_page, page
from keel.platform.permissions import Perm, system_ids_with
from keel.platform.views.common import current_user

from . import acknowledgements, queries
from .choices import AckStatus
from .coverage import coverage
from .forms import PublishForm
from .models import Document
from .views import _perimeter

PAGE_SIZE = 50


@require_POST
@page(Perm.EDIT_DOCUMENTS, perimeter=_perimeter(Perm.EDIT_DOCUMENTS, every=True))
def publish(request: HttpRequest, ref: str) -> HttpResponse:
    document = queries.document_for(current_user(request), ref)
    form = PublishForm(request.POST, auto_id="publish-%s")
    if not form.is_valid():
        messages.error(
            request,
            "Nothing was published: " + " ".join(" ".join(str(x) for x in e) for e in form.errors.values()),
        )
        return redirect("document-detail", ref=document.ref_id)
    data = form.cleaned_data
    try:
        publication = acknowledgements.publish(
            Actor.from_request(request),
            document.pk,
            audience=data["audience"],
            departments=data["departments"],
            role=data["role"],
            people=data["people"],
            due_on=data["due_on"],
            base_url=request.build_absolute_uri("/"),
        )
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        asked = publication.acknowledgements.count()
        messages.success(
            request,
            f"Version {publication.version.label} of {document.ref_id} is published: {asked} "
            f"{'person is' if asked == 1 else 'people are'} asked to acknowledge it by "
            f"{publication.due_on:%-d %b %Y}; people without a login are emailed a link.",
        )
    return redirect("document-detail", ref=document.ref_id)


@require_POST
@page(AUTHENTICATED)
def acknowledge(request: HttpRequest, ack: str) -> HttpResponse:
    try:
        done = acknowledgements.acknowledge(Actor.from_request(request), ack)
    except KeelError as exc:
        return error_page(request, exc)
    messages.success(request, f"You acknowledged {done.document.ref_id} version {done.version.label}.")
    return redirect("document-detail", ref=done.document.ref_id)


def _ack_perimeter(request: HttpRequest, ack: str, **kwargs: Any) -> ManagementSystem | None:
    document = acknowledgements.document_of(ack)
    document = queries.get_document(document.pk, Document.objects.prefetch_related("management_systems"))
    return queries.perimeter_of(document, request.user, Perm.EDIT_DOCUMENTS, True)  # type: ignore[arg-type]


@require_POST
@page(Perm.EDIT_DOCUMENTS, perimeter=_ack_perimeter)
def resend(request: HttpRequest, ack: str) -> HttpResponse:
    """Email a fresh link to a person without a login who has not acknowledged yet."""
    try:
        sent = acknowledgements.resend(Actor.from_request(request), ack, request.build_absolute_uri("/"))
    except KeelError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"A new link to acknowledge {sent.document.ref_id} version {sent.version.label} was emailed "
            f"to {sent.person.display_name}.",
        )
    return redirect(f"{reverse('acknowledgement-list')}?{urlencode({'status': AckStatus.PENDING})}")


@require_http_methods(["GET", "POST"])
@page(PUBLIC)
def acknowledge_link(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: shows the version to read and a button; the POST acknowledges it for
    the person the link names. No login: the signed, expiring link is the credential."""
    try:
        ack = acknowledgements.from_token(token)
        if request.method == "POST":
            ack = acknowledgements.acknowledge_by_link(token, client_ip(request))
    except KeelError as exc:
        return error_page(request, exc)
    version = ack.version
    response = render(
        request,
        "documents/acknowledge_link.html",
        {
            "ack": ack,
            "document": ack.document,
            "version": version,
            "body_html": "" if version.is_file else render_markdown(version.body),
            "done": ack.status == AckStatus.ACKNOWLEDGED,
        },
    )
    response["Cache-Control"] = "no-store"  # the page names the person; the link is theirs alone
    return response


@page(Perm.VIEW)
def acknowledgement_list(request: HttpRequest) -> HttpResponse:
    """Acknowledgements, outstanding by default, per policy (``?document=``) or per person
    (``?person=``)."""
    user = current_user(request)
    document = request.GET.get("document", "")[:100]
    person = request.GET.get("person", "")[:254]
    status = request.GET.get("status", AckStatus.PENDING)
    problem = ""
    try:
        qs = acknowledgements.acknowledgements(user, document=document, person=person, status=status)
    except KeelError as exc:
        problem = f"{exc.message} Showing every outstanding acknowledgement."
        document = person = ""
        status = AckStatus.PENDING
        qs = acknowledgements.acknowledgements(user, status=status)
    page_obj = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page", 1))
    return render(
        request,
        "documents/acknowledgements.html",
        {
            "page_obj": page_obj,
            "items": list(page_obj.object_list),
            "problem": problem,
            "document": document,
            "person": person,
            "status": status,
            "statuses": [("", "Every status"), *AckStatus.choices],
            "today": queries.today(),
            # the button shows to people who may edit documents somewhere; the service checks the document
            "can_resend": system_ids_with(user, Perm.EDIT_DOCUMENTS) != set(),
        },
    )


@page(Perm.VIEW)
def coverage_page(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    chosen = request.GET.get("management_system", "")[:64]
    problem = ""
    try:
        blocks = coverage(user, chosen)
    except KeelError as exc:
        problem = exc.message
        chosen = ""
        blocks = coverage(user)
    context: dict[str, Any] = {
        "blocks": blocks,
        "systems": system_choices(user),
        "chosen": chosen,
        "problem": problem,
    }
    return render(request, "documents/coverage.html", context)
