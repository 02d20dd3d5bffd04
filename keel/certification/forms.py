"""Forms of the certification pages; every reference field is a picker."""

from __future__ import annotations

from typing import Any

from django import forms

from keel.controls import queries as control_queries
from keel.controls.models import Control
from keel.documents import queries as document_queries
from keel.documents.choices import DocumentStatus
from keel.documents.models import Document
from keel.evidence import queries as evidence_queries
from keel.evidence.models import Evidence
from keel.organisation.options import owner_choices, standard_choices, system_choices
from keel.platform.forms import DATE, TEXTAREA, KeelForm, picker_attrs, picker_select
from keel.platform.models import User

from .choices import (
    AuditorRequestLinkKind,
    AuditorRequestStatus,
    CbFindingGrade,
    CertificationAuditKind,
    CertificationAuditStatus,
    CertificationOutcome,
    IntegrationAnswerValue,
)
from .questions import QUESTIONS


def record_choices(user: User) -> list[tuple[str, list[tuple[str, str]]]]:
    """Documents, evidence and controls the person may see, as ``kind:REF`` options."""
    docs = document_queries.visible(Document.objects.exclude(status=DocumentStatus.RETIRED), user)
    ev = evidence_queries.visible(Evidence.objects.all(), user)
    ctl = control_queries.visible(Control.objects.all(), user)
    return [
        (
            "Documents",
            [
                (f"document:{r}", f"{r} {t}")
                for r, t in docs.order_by("ref_id").values_list("ref_id", "title")
            ],
        ),
        (
            "Evidence",
            [(f"evidence:{r}", f"{r} {t}") for r, t in ev.order_by("ref_id").values_list("ref_id", "title")],
        ),
        (
            "Controls",
            [(f"control:{r}", f"{r} {t}") for r, t in ctl.order_by("ref_id").values_list("ref_id", "title")],
        ),
    ]


class CycleForm(KeelForm):
    """A new certification cycle: what create_cycle takes."""

    title = forms.CharField(max_length=200, help_text="For example “ISO/IEC 27001 certification”.")
    standards = forms.MultipleChoiceField(
        widget=picker_select(multiple=True), help_text="Standards certified."
    )
    management_systems = forms.MultipleChoiceField(
        required=False, widget=picker_select(multiple=True), label="Management systems"
    )
    certification_body = forms.CharField(max_length=200)
    certificate_number = forms.CharField(max_length=100, required=False, help_text="Once issued.")
    decision_on = forms.DateField(required=False, label="Certification decision on", widget=DATE)
    expires_on = forms.DateField(
        required=False,
        label="Expires on",
        widget=DATE,
        help_text="Left empty: three years after the decision.",
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["standards"].choices = standard_choices()  # type: ignore[attr-defined]
        self.fields["management_systems"].choices = system_choices(user)  # type: ignore[attr-defined]


class AuditPlanForm(KeelForm):
    """A certification audit planned in a cycle: what add_audit takes."""

    kind = forms.ChoiceField(choices=CertificationAuditKind.choices)
    planned_start = forms.DateField(required=False, label="Planned start", widget=DATE)
    planned_end = forms.DateField(required=False, label="Planned end", widget=DATE)
    auditors = forms.CharField(required=False, help_text="Names, lead auditor first, separated by commas.")
    audit_days = forms.DecimalField(required=False, min_value=0, max_digits=5, decimal_places=1)
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs=TEXTAREA))


class AuditRecordForm(KeelForm):
    status = forms.ChoiceField(choices=CertificationAuditStatus.choices)
    actual_start = forms.DateField(
        required=False, label="Started on", widget=forms.DateInput(attrs={"type": "date"})
    )
    actual_end = forms.DateField(
        required=False, label="Ended on", widget=forms.DateInput(attrs={"type": "date"})
    )
    outcome = forms.ChoiceField(choices=CertificationOutcome.choices, required=False)
    auditors = forms.CharField(required=False, help_text="Names, lead auditor first, separated by commas.")


class FindingForm(KeelForm):
    grade = forms.ChoiceField(choices=CbFindingGrade.choices)
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    requirements = forms.CharField(
        required=False,
        help_text="Requirement keys, separated by commas.",
        widget=forms.TextInput(attrs=picker_attrs("requirements", multiple=True)),
    )
    owner = forms.ChoiceField(
        required=False,
        label="Owner of the nonconformity",
        widget=picker_select(),
        help_text="Major and minor only.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—"), *owner_choices()]  # type: ignore[attr-defined]


class RequestForm(KeelForm):
    text = forms.CharField(label="What the auditor asks for", widget=forms.Textarea(attrs={"rows": 2}))
    requested_by = forms.CharField(required=False, max_length=200, label="Asked by")
    due_on = forms.DateField(
        required=False, label="Wanted by", widget=forms.DateInput(attrs={"type": "date"})
    )
    owner = forms.ChoiceField(required=False, label="Who prepares it", widget=picker_select())
    audit = forms.ChoiceField(required=False, label="At the audit", widget=picker_select())

    def __init__(self, *args: Any, audits: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "—"), *owner_choices()]  # type: ignore[attr-defined]
        self.fields["audit"].choices = [("", "—"), *(audits or [])]  # type: ignore[attr-defined]


class LinkForm(KeelForm):
    record = forms.ChoiceField(label="Record that answers it", widget=picker_select())

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["record"].choices = [("", "Choose…"), *record_choices(user)]  # type: ignore[attr-defined]

    def kind_and_ref(self) -> tuple[str, str]:
        kind, _, ref = self.cleaned_data["record"].partition(":")
        return kind, ref


class RequestStatusForm(KeelForm):
    status = forms.ChoiceField(choices=AuditorRequestStatus.choices)
    answer = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="A written answer, when no record answers the request; left empty, the answer stays.",
    )


class AnswerForm(KeelForm):
    question = forms.ChoiceField(
        choices=[(q.key, q.text) for q in QUESTIONS.values()], widget=forms.HiddenInput
    )
    answer = forms.ChoiceField(choices=IntegrationAnswerValue.choices)
    note = forms.CharField(required=False, max_length=300)


LINK_KINDS = AuditorRequestLinkKind
