"""Page-side forms of management review: they parse input for the services; the rules live in
:mod:`keel.review.services`."""

from __future__ import annotations

from typing import Any

from django import forms

from keel.organisation.models import ManagementSystem
from keel.organisation.options import owner_choices
from keel.platform.filters import FilterForm
from keel.platform.forms import DATE, TEXTAREA, KeelForm, VersionedForm, picker_select
from keel.platform.models import User
from keel.platform.permissions import Perm, has_perm

from . import queries
from .choices import ReviewActionStatus
from .models import ManagementReview, ReviewAction


class ReviewFilterForm(FilterForm[queries.ReviewFilters]):
    filters_class = queries.ReviewFilters


class ActionFilterForm(FilterForm[queries.ActionFilters]):
    filters_class = queries.ActionFilters


def _people(label: str) -> list[tuple[str, str]]:
    return [("", label), *owner_choices()]


class ReviewForm(KeelForm):
    title = forms.CharField(
        max_length=200, required=False, help_text="Left empty: “Management review <year>”."
    )
    held_on = forms.DateField(label="Date of the meeting", widget=DATE)
    management_systems = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple, help_text="The management systems the review covers."
    )
    chair = forms.ChoiceField(widget=picker_select(), help_text="Top management: who chairs the review.")
    attendees = forms.MultipleChoiceField(required=False, widget=picker_select(multiple=True))

    def __init__(self, *args: Any, user: User | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = owner_choices()
        self.fields["chair"].choices = _people("Choose a person")  # type: ignore[attr-defined]
        self.fields["attendees"].choices = people  # type: ignore[attr-defined]
        self.fields["management_systems"].choices = [  # type: ignore[attr-defined]
            (ms.short_name, ms.name)
            for ms in ManagementSystem.objects.order_by("name")
            if user is None or has_perm(user, Perm.EDIT_REVIEWS, ms)
        ]


class ReviewEditForm(VersionedForm):
    title = forms.CharField(max_length=200)
    chair = forms.ChoiceField(widget=picker_select())
    attendees = forms.MultipleChoiceField(required=False, widget=picker_select(multiple=True))
    conclusions = forms.CharField(
        widget=forms.Textarea(attrs=TEXTAREA),
        required=False,
        help_text="Is the system still suitable, adequate and effective?",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chair"].choices = _people("Choose a person")  # type: ignore[attr-defined]
        self.fields["attendees"].choices = owner_choices()  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, review: ManagementReview) -> dict[str, Any]:
        return {
            "title": review.title,
            "chair": review.chair.email,
            "attendees": [p.email for p in review.attendees.all()],
            "conclusions": review.conclusions,
        }


class HoldForm(KeelForm):
    held_on = forms.DateField(
        label="Held on", widget=DATE, required=False, help_text="Left empty: the planned date."
    )


class NotesForm(VersionedForm):
    notes = forms.CharField(widget=forms.Textarea(attrs=TEXTAREA), required=False, label="Discussion")


class DecisionForm(KeelForm):
    text = forms.CharField(widget=forms.Textarea(attrs=TEXTAREA), label="Decision")
    item = forms.ChoiceField(required=False, label="On agenda item")

    def __init__(self, *args: Any, review: ManagementReview | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        items = list(review.items.all()) if review is not None else []
        choices = [
            ("", "The review as a whole"),
            *[(str(i.position), f"{i.position}. {i.title}") for i in items],
        ]
        self.fields["item"].choices = choices  # type: ignore[attr-defined]


class ActionForm(KeelForm):
    title = forms.CharField(max_length=200)
    owner = forms.ChoiceField(widget=picker_select(), help_text="Anyone in the people directory.")
    due_on = forms.DateField(label="Due", widget=DATE)
    decision = forms.ChoiceField(required=False, label="Follows decision")
    detail = forms.CharField(widget=forms.Textarea(attrs=TEXTAREA), required=False)

    def __init__(self, *args: Any, review: ManagementReview | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = _people("Choose a person")  # type: ignore[attr-defined]
        decisions = list(review.decisions.all()) if review is not None else []
        choices = [("", "None"), *[(str(d.number), f"D{d.number} {d.text[:60]}") for d in decisions]]
        self.fields["decision"].choices = choices  # type: ignore[attr-defined]


class ActionStatusForm(VersionedForm):
    status = forms.ChoiceField(choices=ReviewActionStatus.choices)
    outcome = forms.CharField(
        widget=forms.Textarea(attrs=TEXTAREA),
        required=False,
        help_text="What was done, or why it is cancelled.",
    )

    @classmethod
    def initial_for(cls, action: ReviewAction) -> dict[str, Any]:
        return {"status": action.status, "outcome": action.outcome}
