"""What the assets app registers at start-up: the assets a person owns, for the person page."""

from __future__ import annotations

from django.urls import reverse

from keel.organisation.resolvers import in_perimeter
from keel.platform import hooks
from keel.platform.models import User

from .models import Asset


def owned(person: User, viewer: User | None) -> list[hooks.Owned]:
    qs = in_perimeter(Asset.objects.filter(owner=person), viewer).order_by("ref_id")
    return [hooks.Owned("Assets", a.ref_id, a.name, reverse("asset-detail", args=[a.ref_id])) for a in qs]


def register() -> None:
    hooks.register("person.owned", owned)
