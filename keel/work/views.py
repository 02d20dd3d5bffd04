"""The "my work" page: what the logged-in person (or, for those allowed, another person) has
due soon or overdue, grouped by kind, overdue first."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from keel.platform.errors import KeelError
from keel.platform.pages import error_page, page
from keel.platform.permissions import Perm
from keel.platform.views.common import current_user

from . import queries
from .forms import PersonForm


@page(Perm.VIEW)
def my_work(request: HttpRequest) -> HttpResponse:
    viewer = current_user(request)
    try:
        person = queries.person_for(viewer, request.GET.get("person", "").strip())
    except KeelError as exc:
        return error_page(request, exc)
    work = queries.my_work(person, viewer)
    may_others = queries.may_see_others(viewer)
    ctx = {
        "work": work,
        "person": person,
        "is_me": person.pk == viewer.pk,
        "form": PersonForm(initial={"person": "" if person.pk == viewer.pk else person.email})
        if may_others
        else None,
    }
    return render(request, "work/my_work.html", ctx)
