"""Page-side forms of risk management: parse and shape input for the services (the rules live
in the services; their errors are put back on the form)."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from keel.aisystems.models import AISystem
from keel.assets.models import Asset
from keel.controls.forms import owner_choices, system_choices
from keel.controls.models import Control
from keel.platform.filters import FilterForm
from keel.platform.forms import DATE, TEXTAREA, KeelForm, VersionedForm, picker_select
from keel.platform.models import User
from keel.standards.choices import EntryKind
from keel.standards.models import Requirement

from . import queries
from .choices import ActionStatus, Register, RiskStatus, TreatmentOption
from .models import Methodology, Risk


def _any(label: str, choices: Any) -> list[tuple[str, str]]:
    return [("", label), *choices]


def scale_choices(scale: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return [(str(s["value"]), f"{s['value']} — {s['label']}") for s in scale]


class RiskFilterForm(FilterForm[queries.RiskFilters]):
    """Declared in :class:`keel.risks.queries.RiskFilters`; takes ``methodology=``. The page
    applies :meth:`~keel.platform.filters.FilterForm.valid_filters` (an invalid filter is left
    out, the others still apply)."""

    filters_class = queries.RiskFilters
    field_order = [
        "q", "register", "level", "owner", "status", "acceptance", "treatment", "ai_system",
        "map", "version", "likelihood", "impact", "order",
    ]  # fmt: skip


class RiskForm(VersionedForm):
    """Both registers: the fields of the other register are left out."""

    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs=TEXTAREA), required=False)
    management_system = forms.ChoiceField(label="Management system")
    owner = forms.ChoiceField(
        help_text="Approves the treatment plan and accepts the residual risk.", widget=picker_select()
    )
    delegate = forms.ChoiceField(
        required=False, help_text="May approve and accept for the owner.", widget=picker_select()
    )
    # IS
    asset = forms.ChoiceField(required=False)
    process = forms.CharField(
        max_length=200, required=False, help_text="When the risk concerns a process rather than an asset."
    )
    threat = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    vulnerability = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    affects_confidentiality = forms.BooleanField(label="Affects confidentiality", required=False)
    affects_integrity = forms.BooleanField(label="Affects integrity", required=False)
    affects_availability = forms.BooleanField(label="Affects availability", required=False)
    # AI
    ai_system = forms.ChoiceField(label="AI system", required=False, widget=picker_select())
    risk_source = forms.ChoiceField(
        label="Risk source (ISO/IEC 42001 Annex C)", required=False, widget=picker_select()
    )
    objective = forms.ChoiceField(
        label="Objective affected (Annex C)", required=False, widget=picker_select()
    )
    affected_people = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    # assessment
    inherent_likelihood = forms.TypedChoiceField(coerce=int)
    inherent_impact = forms.TypedChoiceField(coerce=int)
    treatment_option = forms.ChoiceField(
        choices=_any("Not decided yet", TreatmentOption.choices), required=False
    )
    treatment_plan = forms.CharField(widget=forms.Textarea(attrs=TEXTAREA), required=False)
    controls = forms.MultipleChoiceField(
        required=False,
        help_text="Controls of the catalogue that treat the risk.",
        widget=picker_select(multiple=True),
    )
    residual_likelihood = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    residual_impact = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    review_date = forms.DateField(widget=DATE, required=False)
    reassess = forms.BooleanField(
        label="Record this as a re-assessment",
        required=False,
        help_text="Tick when you have re-assessed the risk (even with unchanged scores): it is no longer "
        "due, and it moves to the current methodology version.",
    )

    IS_ONLY = (
        "asset",
        "process",
        "threat",
        "vulnerability",
        "affects_confidentiality",
        "affects_integrity",
        "affects_availability",
    )
    AI_ONLY = ("ai_system", "risk_source", "objective", "affected_people")

    def __init__(
        self, *args: Any, register: str, methodology: Methodology, editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.register = register
        for name in self.AI_ONLY if register == Register.IS else self.IS_ONLY:
            del self.fields[name]
        if editing:
            del self.fields["management_system"]
        else:
            del self.fields["reassess"]
            self.fields["management_system"].choices = system_choices()  # type: ignore[attr-defined]
        people = owner_choices()
        self.fields["owner"].choices = _any("Choose the owner", people)  # type: ignore[attr-defined]
        self.fields["delegate"].choices = _any("No delegate", people)  # type: ignore[attr-defined]
        for name in ("inherent_likelihood", "residual_likelihood"):
            self.fields[name].choices = _any("—", scale_choices(methodology.likelihood))  # type: ignore[attr-defined]
        for name in ("inherent_impact", "residual_impact"):
            self.fields[name].choices = _any("—", scale_choices(methodology.impact))  # type: ignore[attr-defined]
        self.fields["controls"].choices = list(  # type: ignore[attr-defined]
            (ref, f"{ref} {title}")
            for ref, title in Control.objects.order_by("ref_id").values_list("ref_id", "title")
        )
        self.fields["controls"].widget.attrs["size"] = 8
        if register == Register.IS:
            self.fields["asset"].choices = _any(  # type: ignore[attr-defined]
                "No asset (a process)",
                [
                    (a.ref_id, f"{a.ref_id} {a.name}")
                    for a in Asset.objects.filter(retired_at__isnull=True).order_by("ref_id")
                ],
            )
        else:
            self.fields["ai_system"].choices = _any(  # type: ignore[attr-defined]
                "Choose the AI system",
                list(AISystem.objects.order_by("name").values_list("short_name", "name")),
            )
            for name, kind in (
                ("risk_source", EntryKind.ANNEX_C_RISK_SOURCE),
                ("objective", EntryKind.ANNEX_C_OBJECTIVE),
            ):
                self.fields[name].choices = _any(  # type: ignore[attr-defined]
                    "—",
                    [
                        (r.key, f"{r.ref_id} {r.title}")
                        for r in Requirement.objects.filter(kind=kind).order_by("sort_order")
                    ],
                )

    @classmethod
    def initial_for(cls, risk: Risk) -> dict[str, Any]:
        data: dict[str, Any] = {
            name: getattr(risk, name)
            for name in (
                "title",
                "description",
                "process",
                "threat",
                "vulnerability",
                "affects_confidentiality",
                "affects_integrity",
                "affects_availability",
                "affected_people",
                "inherent_likelihood",
                "inherent_impact",
                "treatment_option",
                "treatment_plan",
                "residual_likelihood",
                "residual_impact",
                "review_date",
            )
        }
        data["owner"] = risk.owner.email
        data["delegate"] = risk.delegate.email if risk.delegate else ""
        data["asset"] = risk.asset.ref_id if risk.asset else ""
        data["ai_system"] = risk.ai_system.short_name if risk.ai_system else ""
        data["risk_source"] = risk.risk_source.key if risk.risk_source else ""
        data["objective"] = risk.objective.key if risk.objective else ""
        data["controls"] = [c.ref_id for c in risk.controls.all()]
        return data

    def data_and_controls(self) -> tuple[dict[str, Any], list[str]]:
        data = {k: v for k, v in self.cleaned_data.items() if k not in self.VERSION_FIELDS}
        controls = data.pop("controls")
        for name in ("owner", "delegate"):
            email = data.pop(name)
            data[name] = User.objects.filter(email=email).first() if email else None
        for name in ("asset", "ai_system", "risk_source", "objective"):
            if name in data and not data[name]:
                data[name] = None
        return data, controls


class ApproveExceptionForm(KeelForm):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), help_text="Why the risk is accepted above the criteria."
    )
    expires = forms.DateField(widget=DATE, help_text="When the exception ends.")


class ActionForm(KeelForm):
    title = forms.CharField(max_length=200)
    owner = forms.ChoiceField(required=False, widget=picker_select())
    due_date = forms.DateField(widget=DATE, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = _any("No owner", owner_choices())  # type: ignore[attr-defined]


class ActionStatusForm(KeelForm):
    status = forms.ChoiceField(choices=ActionStatus.choices)


class StatusForm(KeelForm):
    status = forms.ChoiceField(choices=RiskStatus.choices)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Why the risk is closed (required to close it).",
    )


class SnapshotForm(KeelForm):
    register = forms.ChoiceField(choices=Register.choices)
    cycle = forms.CharField(max_length=120, help_text="e.g. 2026 Q4 assessment.")


GRID = 5  # rows of each scale and of the levels, and the side of the matrix, on the form


class MethodologyForm(KeelForm):
    """A new version, edited as grids: the likelihood and impact scales (a label and a
    description per level, lowest first, 3 to 5 filled rows), the risk levels (key, label,
    acceptable, appetite; lowest first) and the matrix (a level key per likelihood × impact
    cell, likelihood 1 at the top). Rows left empty at the end are not part of the version;
    the service checks the whole (``keel.risks.methodology``)."""

    name = forms.CharField(max_length=200)
    note = forms.CharField(label="What changed", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    max_exception_days = forms.IntegerField(
        label="Longest exception (days)",
        min_value=1,
        max_value=1098,
        initial=365,
        required=False,
        help_text="An exception (a residual risk accepted above the criteria) may not run longer than "
        "this. Empty: 365.",
    )
    # when risk assessments are performed
    assessment_interval_months = forms.IntegerField(
        label="Re-assess every (months)",
        min_value=1,
        max_value=60,
        initial=12,
        required=False,
        help_text="The planned interval: a risk not assessed for this long is due. Empty: no planned interval.",
    )
    assess_on_significant_change = forms.BooleanField(
        label="On a significant change to an AI system (its AI risks are due)", required=False, initial=True
    )
    assess_on_new_ai_system = forms.BooleanField(
        label="On a new AI system (due until it has AI risks)", required=False, initial=True
    )
    assess_on_impact_assessment = forms.BooleanField(
        label="On an approved impact assessment (the system's AI risks are due)", required=False, initial=True
    )
    significant_changes = forms.CharField(
        label="What counts as a significant change",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="In your words, e.g. a new model, a new use or user group, a new region, a breach.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for axis in ("likelihood", "impact"):
            for n in range(1, GRID + 1):
                self.fields[f"{axis}_{n}_label"] = forms.CharField(
                    label=f"{axis.capitalize()} {n}", required=False, max_length=80
                )
                self.fields[f"{axis}_{n}_description"] = forms.CharField(
                    label=f"{axis.capitalize()} {n}: description", required=False, max_length=500
                )
        for n in range(1, GRID + 1):
            self.fields[f"level_{n}_key"] = forms.CharField(
                label=f"Level {n}: key", required=False, max_length=40
            )
            self.fields[f"level_{n}_label"] = forms.CharField(
                label=f"Level {n}: label", required=False, max_length=80
            )
            self.fields[f"level_{n}_acceptable"] = forms.BooleanField(
                label=f"Level {n}: acceptable", required=False
            )
            self.fields[f"level_{n}_appetite"] = forms.CharField(
                label=f"Level {n}: appetite", required=False, max_length=500
            )
        for li in range(1, GRID + 1):
            for im in range(1, GRID + 1):
                self.fields[f"matrix_{li}_{im}"] = forms.CharField(
                    label=f"Likelihood {li} × impact {im}", required=False, max_length=40
                )

    @classmethod
    def initial_for(cls, m: Methodology | dict[str, Any]) -> dict[str, Any]:
        """The form's fields for a methodology (a version, or a dict as the service takes it)."""

        def get(k: str, default: Any = None) -> Any:
            return m.get(k, default) if isinstance(m, dict) else getattr(m, k, default)

        out: dict[str, Any] = {
            "name": get("name"),
            "max_exception_days": get("max_exception_days") or 365,
            # when risk assessments are performed (the form's defaults where a dict leaves them out)
            "assessment_interval_months": get("assessment_interval_months", 12),
            "assess_on_significant_change": get("assess_on_significant_change", True),
            "assess_on_new_ai_system": get("assess_on_new_ai_system", True),
            "assess_on_impact_assessment": get("assess_on_impact_assessment", True),
            "significant_changes": get("significant_changes", ""),
        }
        for axis in ("likelihood", "impact"):
            for n, step in enumerate(get(axis)[:GRID], start=1):
                out[f"{axis}_{n}_label"] = step["label"]
                out[f"{axis}_{n}_description"] = step.get("description", "")
        for n, lv in enumerate(get("levels")[:GRID], start=1):
            out[f"level_{n}_key"] = lv["key"]
            out[f"level_{n}_label"] = lv["label"]
            out[f"level_{n}_acceptable"] = bool(lv["acceptable"])
            out[f"level_{n}_appetite"] = lv.get("appetite", "")
        for li, row in enumerate(get("matrix")[:GRID], start=1):
            for im, key in enumerate(row[:GRID], start=1):
                out[f"matrix_{li}_{im}"] = key
        return out

    @classmethod
    def data_for(cls, m: Methodology | dict[str, Any]) -> dict[str, Any]:
        """What a browser posts for that methodology (a ticked box is sent, an unticked one not)."""
        data = cls.initial_for(m)
        return {k: ("on" if v is True else v) for k, v in data.items() if v is not False}

    def grid(self) -> dict[str, Any]:
        """The bound fields arranged for the template: scale rows, level rows, matrix rows."""
        return {
            "scales": [
                (
                    axis,
                    [
                        (n, self[f"{axis}_{n}_label"], self[f"{axis}_{n}_description"])
                        for n in range(1, GRID + 1)
                    ],
                )
                for axis in ("likelihood", "impact")
            ],
            "levels": [
                (
                    n,
                    self[f"level_{n}_key"],
                    self[f"level_{n}_label"],
                    self[f"level_{n}_acceptable"],
                    self[f"level_{n}_appetite"],
                )
                for n in range(1, GRID + 1)
            ],
            "matrix": [
                (li, [self[f"matrix_{li}_{im}"] for im in range(1, GRID + 1)]) for li in range(1, GRID + 1)
            ],
            "impacts": list(range(1, GRID + 1)),
        }

    def service_data(self) -> dict[str, Any]:
        d = self.cleaned_data

        def text(name: str) -> str:
            return str(d.get(name) or "").strip()

        def scale(axis: str) -> list[dict[str, str]]:
            rows = [
                {"label": text(f"{axis}_{n}_label"), "description": text(f"{axis}_{n}_description")}
                for n in range(1, GRID + 1)
            ]
            while rows and not (rows[-1]["label"] or rows[-1]["description"]):
                rows.pop()
            return rows

        likelihood, impact = scale("likelihood"), scale("impact")
        levels = [
            {
                "key": text(f"level_{n}_key"),
                "label": text(f"level_{n}_label"),
                "acceptable": bool(d.get(f"level_{n}_acceptable")),
                "appetite": text(f"level_{n}_appetite"),
            }
            for n in range(1, GRID + 1)
        ]
        while levels and not (levels[-1]["key"] or levels[-1]["label"] or levels[-1]["appetite"]):
            levels.pop()
        matrix = [
            [text(f"matrix_{li}_{im}") for im in range(1, len(impact) + 1)]
            for li in range(1, len(likelihood) + 1)
        ]
        return {
            "name": d["name"],
            "note": d["note"],
            "likelihood": likelihood,
            "impact": impact,
            "levels": levels,
            "matrix": matrix,
            "max_exception_days": d["max_exception_days"],
            "assessment_interval_months": d["assessment_interval_months"],
            "assess_on_significant_change": d["assess_on_significant_change"],
            "assess_on_new_ai_system": d["assess_on_new_ai_system"],
            "assess_on_impact_assessment": d["assess_on_impact_assessment"],
            "significant_changes": d["significant_changes"],
        }


def as_json(value: Any) -> str:
    return json.dumps(value)
