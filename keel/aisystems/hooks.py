"""What the AI system app registers at start-up: the AI systems and datasets a person owns, for
the person page."""

from __future__ import annotations

from django.urls import reverse

from keel.organisation.resolvers import in_perimeter
from keel.platform import hooks
from keel.platform.models import User

from .models import AISystem, Dataset


def owned(person: User, viewer: User | None) -> list[hooks.Owned]:
    systems = in_perimeter(AISystem.objects.filter(owner=person), viewer).order_by("name")
    datasets = in_perimeter(Dataset.objects.filter(owner=person), viewer).order_by("name")
    return [
        *(
            hooks.Owned(
                "AI systems",
                s.short_name,
                s.name,
                reverse("ai-system-detail", args=[s.short_name]),
                s.get_lifecycle_stage_display(),
            )
            for s in systems
        ),
        *(
            hooks.Owned("Datasets", d.short_name, d.name, reverse("dataset-detail", args=[d.short_name]))
            for d in datasets
        ),
    ]


def register() -> None:
    hooks.register("person.owned", owned)
