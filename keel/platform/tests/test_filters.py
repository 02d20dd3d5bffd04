"""Each list's filters are declared once (issue 10): the API query schema and the page form are
made from the declaration in the app's ``queries.py``, so their names cannot drift apart."""

from __future__ import annotations

from typing import Any

import pytest

from keel.aiact import queries as aiact_queries
from keel.aiact import schemas as aiact_schemas
from keel.aisystems import forms as ai_forms
from keel.aisystems import lifecycle_schemas as ai_lifecycle_schemas
from keel.aisystems import list_filters as ai_filters
from keel.aisystems import schemas as ai_schemas
from keel.assets import forms as asset_forms
from keel.assets import queries as asset_queries
from keel.assets import schemas as asset_schemas
from keel.audits import queries as audit_queries
from keel.audits import schemas as audit_schemas
from keel.certification import queries as certification_queries
from keel.certification import schemas as certification_schemas
from keel.changes import forms as change_forms
from keel.changes import queries as change_queries
from keel.changes import schemas as change_schemas
from keel.controls import forms as control_forms
from keel.controls import queries as control_queries
from keel.controls import schemas as control_schemas
from keel.documents import forms as document_forms
from keel.documents import queries as document_queries
from keel.documents import schemas as document_schemas
from keel.evidence import forms as evidence_forms
from keel.evidence import queries as evidence_queries
from keel.evidence import schemas as evidence_schemas
from keel.impact import queries as impact_queries
from keel.impact import schemas as impact_schemas
from keel.improvement import queries as improvement_queries
from keel.improvement import schemas as improvement_schemas
from keel.incidents import forms as incident_forms
from keel.incidents import queries as incident_queries
from keel.incidents import schemas as incident_schemas
from keel.mapping import forms as mapping_forms
from keel.mapping import queries as mapping_queries
from keel.mapping import schemas as mapping_schemas
from keel.organisation import forms as org_forms
from keel.organisation import list_filters as org_filters
from keel.organisation import schemas as org_schemas
from keel.platform import filters
from keel.review import forms as review_forms
from keel.review import queries as review_queries
from keel.review import schemas as review_schemas
from keel.risks import forms as risk_forms
from keel.risks import queries as risk_queries
from keel.risks import schemas as risk_schemas
from keel.soa import queries as soa_queries
from keel.soa import schemas as soa_schemas
from keel.standards import queries as standard_queries
from keel.standards import schemas as standard_schemas
from keel.suppliers import forms as supplier_forms
from keel.suppliers import queries as supplier_queries
from keel.suppliers import schemas as supplier_schemas
from keel.support import forms as support_forms
from keel.support import queries as support_legal_queries
from keel.support import queries as support_queries
from keel.support import schemas as support_legal_schemas
from keel.support import schemas as support_schemas
from keel.work import queries as work_queries
from keel.work import schemas as work_schemas

Form = type[filters.FilterForm[Any]]

# (declaration, API schema, page form or None) of every list with filters
LISTS: list[tuple[type[Any], type[Any], Form | None]] = [
    (control_queries.ControlFilters, control_schemas.ControlFilters, control_forms.ControlFilterForm),
    (control_queries.LinkFilters, control_schemas.ControlLinkFilters, None),
    (control_queries.TemplateFilters, control_schemas.TemplateFilters, control_forms.TemplateFilterForm),
    (evidence_queries.EvidenceFilters, evidence_schemas.EvidenceFilters, evidence_forms.EvidenceFilterForm),
    (asset_queries.AssetFilters, asset_schemas.AssetFilters, asset_forms.AssetFilterForm),
    (risk_queries.RiskFilters, risk_schemas.RiskFilters, risk_forms.RiskFilterForm),
    (ai_filters.SystemFilters, ai_schemas.AISystemFilters, ai_forms.SystemFilterForm),
    (ai_filters.ModelFilters, ai_schemas.AIModelFilters, None),
    (ai_filters.VersionFilters, ai_lifecycle_schemas.ModelVersionFilters, None),
    (ai_filters.EvaluationFilters, ai_schemas.EvaluationFilters, None),
    (ai_filters.DatasetFilters, ai_schemas.DatasetFilters, ai_forms.DatasetFilterForm),
    (ai_filters.MetricFilters, ai_schemas.MetricFilters, None),
    (ai_filters.ReadingFilters, ai_schemas.ReadingFilters, None),
    (ai_filters.FlagFilters, ai_schemas.FlagFilters, None),
    (ai_filters.RecordFilters, ai_lifecycle_schemas.LifecycleRecordFilters, None),
    (impact_queries.AssessmentFilters, impact_schemas.AssessmentFiltersIn, None),
    (mapping_queries.RelationFilters, mapping_schemas.RelationFilters, mapping_forms.RelationFilterForm),
    (soa_queries.SoAFilters, soa_schemas.SoAFilters, None),
    (standard_queries.RequirementFilters, standard_schemas.RequirementFilters, None),
    (org_filters.ManagementSystemFilters, org_schemas.ManagementSystemFilters, None),
    (org_filters.ScopeStatementFilters, org_schemas.ScopeStatementFilters, None),
    (org_filters.InterestedPartyFilters, org_schemas.InterestedPartyFilters, None),
    (org_filters.ContextIssueFilters, org_schemas.ContextIssueFilters, None),
    (org_filters.UserFilters, org_schemas.UserFilters, None),
    (org_filters.RoleAssignmentFilters, org_schemas.RoleAssignmentFilters, None),
    (org_filters.ApiTokenFilters, org_schemas.ApiTokenFilters, None),
    (org_filters.TrailFilters, org_schemas.TrailEntryFilters, org_forms.TrailFilterForm),
    (org_filters.PeopleFilters, org_schemas.PeopleFilters, org_forms.PeopleFilterForm),
    (document_queries.DocumentFilters, document_schemas.DocumentFilters, document_forms.DocumentFilterForm),
    (document_queries.VersionFilters, document_schemas.VersionFilters, None),
    (document_queries.AcknowledgementFilters, document_schemas.AcknowledgementFilters, None),
    # roles, objectives, competences, awareness campaigns, communications: the shared filters
    (support_queries.Filters, support_schemas.SupportFilters, support_forms.SupportFilterForm),
    (support_queries.RecordFilters, support_schemas.RecordFilters, None),
    (support_queries.ConcernFilters, support_schemas.ConcernFilters, None),
    (incident_queries.IncidentFilters, incident_schemas.IncidentFilters, incident_forms.IncidentFilterForm),
    (support_queries.ReadingFilters, support_schemas.ObjectiveReadingFilters, None),
    (review_queries.ReviewFilters, review_schemas.ManagementReviewFilters, review_forms.ReviewFilterForm),
    (review_queries.ItemFilters, review_schemas.ReviewItemFilters, None),
    (review_queries.ActionFilters, review_schemas.ReviewActionFilters, review_forms.ActionFilterForm),
    (aiact_queries.ClassificationFilters, aiact_schemas.ClassificationFiltersIn, None),
    (aiact_queries.ObligationStatusFilters, aiact_schemas.ObligationStatusFiltersIn, None),
    (aiact_queries.FriaFilters, aiact_schemas.FriaFiltersIn, None),
    (audit_queries.AuditFilters, audit_schemas.AuditListFilters, None),
    (audit_queries.ItemFilters, audit_schemas.AuditItemFilters, None),
    (audit_queries.SampleFilters, audit_schemas.AuditSampleFilters, None),
    (audit_queries.FindingFilters, audit_schemas.AuditFindingFilters, None),
    (improvement_queries.NonconformityFilters, improvement_schemas.NonconformityFilters, None),
    (improvement_queries.CorrectiveActionFilters, improvement_schemas.CorrectiveActionFilters, None),
    (support_legal_queries.LegalFilters, support_legal_schemas.LegalRequirementFilters, None),
    (work_queries.NotificationFilters, work_schemas.NotificationFilters, None),
    (
        certification_queries.CertificationAuditFilters,
        certification_schemas.CertificationAuditFilters,
        None,
    ),
    (certification_queries.AuditorRequestFilters, certification_schemas.AuditorRequestFilters, None),
    (
        supplier_queries.SupplierFilters,
        supplier_schemas.SupplierListFilters,
        supplier_forms.SupplierFilterForm,
    ),
    (supplier_queries.AssessmentFilters, supplier_schemas.SupplierAssessmentFilters, None),
    (supplier_queries.QuestionnaireFilters, supplier_schemas.QuestionnaireListFilters, None),
    (change_queries.ChangeFilters, change_schemas.ChangeListFilters, change_forms.ChangeFilterForm),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("declared", "schema", "form"), LISTS, ids=[d.__name__ for d, _, _ in LISTS])
def test_schema_and_form_come_from_the_declaration(
    declared: type[Any], schema: type[Any], form: type[filters.FilterForm[Any]] | None
) -> None:
    spec = filters.spec(declared)
    assert spec, f"{declared.__name__} declares no filter"
    # the API: limit, offset and exactly the filters the declaration gives the API, in its order
    assert list(schema.model_fields) == [
        "limit",
        "offset",
        *(f.api_name or n for n, f in spec.items() if f.api),
    ]
    for name, f in spec.items():
        if f.api and f.help:
            assert schema.model_fields[f.api_name or name].description == f.help
    if form is None:
        return
    # the page: exactly the filters the declaration gives the form, with its labels
    assert form.filters_class is declared
    built = form(None, user=None, methodology=None, departments=["Security"], object_types=[])
    assert set(built.fields) == {n for n, f in spec.items() if f.form}
    for name, f in spec.items():
        if f.form and f.label:
            assert built.fields[name].label == f.label
        if f.form and f.any is not None:
            assert built.fields[name].choices[0] == ("", f.any)  # type: ignore[attr-defined]


def test_every_filter_schema_of_the_api_is_declared() -> None:
    """Every query schema of the API built on ``Filters`` (the paginated lists) comes from a
    declaration, and every declaration is in the table above: a hand-written schema has no
    ``keel_filters``."""
    import gc

    from keel.site import api  # noqa: F401  (mounts every app's router: every schema exists)

    gc.collect()  # the empty classes that schema_of replaced
    schemas = {s for s in filters.Filters.__subclasses__() if s.__module__.startswith("keel.")}
    hand_written = sorted(s.__qualname__ for s in schemas if not hasattr(s, "keel_filters"))
    assert not hand_written, f"filter schemas not made from a declaration: {hand_written}"
    assert {getattr(s, "keel_filters", None) for s in schemas} == {d for d, _, _ in LISTS}


@pytest.mark.django_db
def test_a_page_only_declaration_makes_its_form() -> None:
    """The context page filters by standard only (the API's party and issue lists have more)."""
    form = org_forms.StandardFilterForm({"standard": "nope"})
    assert list(form.fields) == ["standard"] and form.fields["standard"].label == "Standard"
    assert not form.is_valid() and form.filters() == org_filters.ContextFilters()


@pytest.mark.django_db
def test_one_value_means_the_same_on_the_page_and_in_the_api() -> None:
    """The same query string gives the same query object through the form and the schema."""
    params = {"status": "planned", "type": "technical", "q": "backup", "tag": "ops", "order": "-title"}
    form = control_forms.ControlFilterForm(params, user=None)
    from_page = form.filters()
    from_api = filters.parse(control_queries.ControlFilters, control_schemas.ControlFilters(**params))
    assert from_page == from_api
    assert from_api.status == "planned" and from_api.order == "-title" and from_api.owner == ""


@pytest.mark.django_db
def test_a_bad_value_is_refused_on_both_sides_with_a_clear_message() -> None:
    form = evidence_forms.EvidenceFilterForm({"validity": "someday"}, user=None)
    assert not form.is_valid() and "validity" in form.errors
    assert form.filters() == evidence_queries.EvidenceFilters()  # nothing half-applied
    with pytest.raises(ValueError, match="validity"):
        evidence_schemas.EvidenceFilters(validity="someday")


@pytest.mark.django_db
def test_valid_filters_keep_the_good_ones_and_drop_the_bad_one() -> None:
    form = risk_forms.RiskFilterForm(
        {"register": "nonsense", "q": "vendor", "likelihood": "3"}, methodology=None
    )
    assert form.valid_filters() == {"q": "vendor", "likelihood": 3}


LIST_PAGES_WITH_A_FILTER = [
    ("control-list", "status"),
    ("evidence-list", "validity"),
    ("risk-list", "status"),
    ("asset-list", "type"),
    ("document-list", "kind"),
    ("incident-list", "family"),
    ("people", "login"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "field"), LIST_PAGES_WITH_A_FILTER)
def test_every_list_page_names_the_filter_it_did_not_understand(
    admin_client: Any, url_name: str, field: str
) -> None:
    # Given a list page asked for a value its filter does not offer
    from django.urls import reverse

    response = admin_client.get(reverse(url_name), {field: "no-such-value"})
    # Then it still answers, says in one wording which filter was left out, and names its label
    assert response.status_code == 200, url_name
    body = response.content.decode()
    assert "Some filters were not understood and were not applied:" in body, url_name
    said = body.split("were not applied:")[1].split("<")[0]
    assert ":" in said, (url_name, said)  # "<label>: <why>"
