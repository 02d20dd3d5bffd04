"""Issue 13 item 5, "Done when": every page of the demo shows human labels. Each page route (the
URL configuration is enumerated; routes with arguments are filled from demo records) is opened as
the demo's administrator, and the visible text (tags, scripts, styles and attributes stripped)
may not contain snake_case enum values (``not_applicable``, ``coverage_ratio``…), bare UUIDs or
permission codenames. Text in ``<code>`` is what a user types (CLI flags, keys): it may be
snake_case, but never a UUID or a permission codename. The pickers' option lists are read too,
and every field of an entry form that names a requirement, control, person, AI system or dataset
must be a picker (issue 13 item 3)."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

from django.db.models import Model
from django.test import Client
from django.urls import URLPattern, get_resolver, reverse

from keel.aiact.models import FundamentalRightsAssessment
from keel.aisystems.models import AISystem, Dataset, LifecycleRecord, ModelVersion
from keel.assets.models import Asset, ClassificationLevel
from keel.audits.models import Audit, AuditItem, AuditProgramme
from keel.certification.models import AuditorRequest, CertificationAudit, CertificationCycle
from keel.changes.models import Change
from keel.controls.models import Control, ControlLink
from keel.documents.acknowledgements import token_for
from keel.documents.models import Acknowledgement, Document
from keel.evidence.models import EvidenceControl, EvidenceRequirement, EvidenceVersion
from keel.impact.models import Impact, ImpactAssessment
from keel.improvement.models import Nonconformity
from keel.incidents.choices import OPEN_INCIDENT
from keel.incidents.models import Incident, IncidentType, RegulatoryClock
from keel.mapping.models import Crosswalk, CrosswalkRelation
from keel.organisation.models import ContextIssue, InterestedParty, ManagementSystem, ScopeStatement
from keel.platform.models import User
from keel.platform.permissions import Perm
from keel.review.models import ManagementReview, ReviewAction
from keel.risks.models import Risk, RiskSnapshot
from keel.site.demo import DEMO_ADMIN_EMAIL, DEMO_DOMAIN
from keel.soa.models import SoARow, SoAVersion, StatementOfApplicability
from keel.suppliers.assessments import token_for as supplier_token
from keel.suppliers.models import Questionnaire, Supplier, SupplierAssessment
from keel.support.kinds import KINDS as SUPPORT_KINDS
from keel.support.queries import Filters
from tests.test_page_ids import _patterns

SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.IGNORECASE)
CODENAMES = re.compile(
    r"\b(?:" + "|".join(sorted((p for p in Perm.values if "_" in p), key=len)[::-1]) + r")\b"
)
# Django's default names for a record without __str__, and numbered records ("Objective 243").
DEFAULT_NAMES = re.compile(r"\b[A-Z][A-Za-z]+ object \(\d+\)|\bObjective \d+\b")

SKIPPED_TAGS = {"script", "style", "template", "svg"}


class VisibleText(HTMLParser):
    """The text a person sees (``text``) and the text of ``<code>`` elements (``code``)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.code: list[str] = []
        self._skip = 0
        self._code = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_TAGS:
            self._skip += 1
        elif tag in ("code", "kbd"):
            self._code += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag in ("code", "kbd"):
            self._code = max(0, self._code - 1)

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        (self.code if self._code else self.text).append(data)


def problems_in(html: str) -> list[str]:
    """What a person should not see on the page, each with its surrounding words."""
    parser = VisibleText()
    parser.feed(html)
    text = " ".join(" ".join(parser.text).split())
    code = " ".join(parser.code)
    found = []
    for pattern, where in (
        (SNAKE, text),
        (UUID, text),
        (UUID, code),
        (CODENAMES, code),
        (DEFAULT_NAMES, text),
    ):
        for m in pattern.finditer(where):
            found.append(f"{m.group(0)!r} in …{where[max(0, m.start() - 50) : m.end() + 50]}…")
    return found


# Fields of an entry form (``method="post"``) that name a requirement, control, person, AI system
# or dataset: each must be a picker (issue 13 item 3), a searchable select or a remote picker.
REFERENCE_FIELDS = {
    "owner",
    "delegate",
    "accountable",
    "collected_by",
    "ai_system",
    "ai_systems",
    "datasets",
    "sources",
    "trained_on",
    "evaluated_on",
    "controls",
    "control",
    "requirements",
    "requirement",
    "risk_source",  # Annex C entries of the standards library
    "objective",
}  # a dataset's "source" is where it came from, in words: the crosswalk's ends are in test_pickers


class ReferenceFields(HTMLParser):
    """The reference fields of entry forms that are not pickers (``unmarked``), and how many are."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.post = False
        self.seen = 0
        self.unmarked: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.post = (a.get("method") or "").lower() == "post"
        elif (
            self.post
            and tag in ("select", "input")
            and a.get("name") in REFERENCE_FIELDS
            and a.get("type") not in ("hidden", "checkbox", "radio", "submit")
        ):
            self.seen += 1
            if not a.get("data-picker"):
                self.unmarked.append(f"<{tag} name={a.get('name')}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.post = False


def reference_fields_in(html: str) -> ReferenceFields:
    parser = ReferenceFields()
    parser.feed(html)
    return parser


def test_the_checker_finds_what_it_should_and_only_that() -> None:
    bad = (
        "<p>Status: not_applicable</p><td>3fa85f64-5717-4562-b3fc-2c963f66afa6</td>"
        "<p>You need approve_impact_assessments.</p><li>Objective 243</li>"
    )
    assert len(problems_in(bad)) == 4
    fine = (
        '<p class="not_applicable" data-id="3fa85f64-5717-4562-b3fc-2c963f66afa6">Not applicable</p>'
        "<script>var coverage_ratio = 1;</script><p>Run <code>keel gap --target iso42001:2023</code>; "
        "the JSON key is <code>coverage_ratio</code>.</p>"
    )
    assert problems_in(fine) == []
    assert problems_in("<code>approve_impact_assessments</code>") != []
    fields = reference_fields_in(
        '<form method="get"><select name="owner"></select></form>'
        '<form method="post"><select name="owner" data-picker="select"></select>'
        '<input name="controls" type="hidden"><input name="requirement" data-picker="requirements">'
        '<select name="ai_systems" multiple></select></form>'
    )
    assert (fields.seen, fields.unmarked) == (3, ["<select name=ai_systems>"])


def _first(model: type[Model], **filters: Any) -> Any:
    obj = model._default_manager.filter(**filters).order_by("pk").first()
    assert obj is not None, f"the demo has no {model.__name__} matching {filters}"
    return obj


def _ms() -> ManagementSystem:
    return _first(StatementOfApplicability, standard__key="iso42001:2023").management_system


def _impact(**filters: Any) -> dict[str, Any]:
    i = _first(Impact, **filters)
    return {"assessment_id": i.assessment_id, "impact_id": i.pk}


def _scope() -> dict[str, Any]:
    s = _first(ScopeStatement)
    return {"ms": s.management_system.short_name, "standard": s.standard.key}


# Arguments of every page route, from demo records. A new route with arguments must be added here
# (or to NOT_PAGES with the reason): the test fails on an unknown one.
ARGUMENTS: dict[str, Callable[[], dict[str, Any]]] = {
    "requirement-detail": lambda: {"key": "iso42001:2023:A.7.2"},
    "standard-detail": lambda: {"key": "iso42001:2023"},
    "control-link-row": lambda: {"link_id": _first(ControlLink).pk},
    "control-link-edit": lambda: {"link_id": _first(ControlLink).pk},
    "control-detail": lambda: {"ref": _first(Control).ref_id},
    "certification-audit": lambda: {"ref": _first(CertificationAudit).ref_id},
    "certification-audit-record": lambda: {"ref": _first(CertificationAudit).ref_id},
    "certification-finding-add": lambda: {"ref": _first(CertificationAudit).ref_id},
    "certification-audit-new": lambda: {"ref": _first(CertificationCycle).ref_id},
    "auditor-request-add": lambda: {"ref": _first(CertificationCycle).ref_id},
    "auditor-request-link": lambda: {"ref": _first(AuditorRequest).ref_id},
    "auditor-request-status": lambda: {"ref": _first(AuditorRequest).ref_id},
    "control-edit": lambda: {"ref": _first(Control).ref_id},
    "control-delete": lambda: {"ref": _first(Control).ref_id},
    "soa-detail": lambda: {"soa_id": _first(StatementOfApplicability).pk},
    "soa-compare": lambda: {"soa_id": _first(StatementOfApplicability).pk},
    "soa-version": lambda: {"soa_id": _first(SoAVersion).soa_id, "number": _first(SoAVersion).number},
    "soa-row": lambda: {"row_id": _first(SoARow).pk},
    "soa-row-edit": lambda: {"row_id": _first(SoARow).pk},
    "gap-requirement": lambda: {"ms_id": _ms().pk, "key": "iso42001:2023:A.7.2"},
    "crosswalk-relation-row": lambda: {"relation_id": _first(CrosswalkRelation).pk},
    "crosswalk-relation-edit": lambda: {"relation_id": _first(CrosswalkRelation).pk},
    "crosswalk-detail": lambda: {"key": _first(Crosswalk).key},
    "crosswalk-relation-add": lambda: {"key": _first(Crosswalk).key},
    "evidence-detail": lambda: {"ref": _first(EvidenceVersion).evidence.ref_id},
    "evidence-edit": lambda: {"ref": _first(EvidenceVersion).evidence.ref_id},
    "evidence-withdraw": lambda: {"ref": _first(EvidenceVersion).evidence.ref_id},
    "evidence-version-add": lambda: {"ref": _first(EvidenceVersion).evidence.ref_id},
    "evidence-control-link": lambda: {"ref": _first(EvidenceControl).evidence.ref_id},
    "evidence-requirement-link": lambda: {"ref": _first(EvidenceRequirement).evidence.ref_id},
    "ai-system-detail": lambda: {"ref": _first(AISystem).short_name},
    "ai-system-edit": lambda: {"ref": _first(AISystem).short_name},
    "ai-system-stage": lambda: {"ref": _first(AISystem).short_name},
    "ai-model-create": lambda: {"ref": _first(AISystem).short_name},
    "ai-evaluation-create": lambda: {"ref": _first(AISystem).short_name},
    "ai-metric-create": lambda: {"ref": _first(AISystem).short_name},
    "ai-reading-create": lambda: {"ref": _first(AISystem).short_name},
    "ai-model-version-create": lambda: {"ref": _first(AISystem).short_name},
    "ai-model-version-edit": lambda: {
        "ref": _first(ModelVersion).model.ai_system.short_name,
        "version_id": _first(ModelVersion).pk,
    },
    "ai-record-create": lambda: {"ref": _first(AISystem).short_name},
    "ai-record-detail": lambda: {
        "ref": _first(LifecycleRecord).ai_system.short_name,
        "record_id": _first(LifecycleRecord).pk,
    },
    "ai-record-edit": lambda: {
        "ref": _first(LifecycleRecord).ai_system.short_name,
        "record_id": _first(LifecycleRecord).pk,
    },
    "impact-assessment-start": lambda: {"ref": _first(AISystem).short_name},
    "aiact-system": lambda: {"ref": "credit-scoring"},
    "aiact-classify": lambda: {"ref": "credit-scoring"},
    "aiact-fria": lambda: {"ref": _first(FundamentalRightsAssessment).ai_system.short_name},
    "incident-type-detail": lambda: {"slug": _first(IncidentType).slug},
    "incident-clock-detail": lambda: {"slug": _first(RegulatoryClock).slug},
    "incident-detail": lambda: {"ref": _first(Incident).ref_id},
    "incident-edit": lambda: {"ref": _first(Incident, status__in=OPEN_INCIDENT).ref_id},
    "dataset-detail": lambda: {"ref": _first(Dataset).short_name},
    "dataset-edit": lambda: {"ref": _first(Dataset).short_name},
    "dataset-check-create": lambda: {"ref": _first(Dataset).short_name},
    "impact-assessment-detail": lambda: {"assessment_id": _first(ImpactAssessment).pk},
    "impact-assessment-edit": lambda: {"assessment_id": _first(ImpactAssessment, status="draft").pk},
    "impact-create": lambda: {"assessment_id": _first(ImpactAssessment, status="draft").pk},
    "impact-edit": lambda: _impact(assessment__status="draft"),
    "impact-raise-risk": lambda: _impact(),
    "classification-edit": lambda: {"key": _first(ClassificationLevel).key},
    "change-detail": lambda: {"ref": _first(Change, status="submitted").ref_id},
    "change-edit": lambda: {"ref": _first(Change, status="submitted").ref_id},
    "document-detail": lambda: {"ref": _first(Document, title="AI policy").ref_id},
    "document-edit": lambda: {"ref": _first(Document, title="AI policy").ref_id},
    "document-retire": lambda: {"ref": _first(Document, title="AI policy").ref_id},
    # the AI policy's second version, compared word by word with the first
    "document-version": lambda: {"ref": _first(Document, title="AI policy").ref_id, "number": 2},
    "document-acknowledge-link": lambda: {"token": token_for(_first(Acknowledgement, status="pending"))},
    **{
        f"{k.slug}-{page}": (lambda k=k: {"ref": k.ref_of(k.listing(None, Filters()).first())})
        for k in SUPPORT_KINDS
        for page in ("detail", "edit")
    },
    "management-review-detail": lambda: {"ref": _first(ManagementReview).ref_id},
    "management-review-edit": lambda: {"ref": _first(ManagementReview).ref_id},
    "management-review-minutes": lambda: {"ref": _first(ManagementReview).ref_id},
    "management-review-pdf": lambda: {"ref": _first(ManagementReview).ref_id},
    "review-action-detail": lambda: {"ref": _first(ReviewAction).ref_id},
    # the demo's nonconformity with an ineffective check and a second action
    "nonconformity-detail": lambda: {"ref": _first(Nonconformity, source="management_review").ref_id},
    "nonconformity-edit": lambda: {"ref": _first(Nonconformity, source="management_review").ref_id},
    "asset-detail": lambda: {"ref": _first(Asset).ref_id},
    "asset-edit": lambda: {"ref": _first(Asset).ref_id},
    "risk-snapshot": lambda: {"snapshot_id": _first(RiskSnapshot).pk},
    "risk-detail": lambda: {"ref": _first(Risk).ref_id},
    "risk-edit": lambda: {"ref": _first(Risk, status="open").ref_id},
    "risk-exception": lambda: {"ref": _first(Risk).ref_id},
    "risk-action-add": lambda: {"ref": _first(Risk).ref_id},
    "system-edit": lambda: {"ms": _ms().short_name},
    "scope-detail": lambda: _scope(),
    "scope-draft": lambda: _scope(),
    "party-row": lambda: {"pk": _first(InterestedParty).pk},
    "party-edit": lambda: {"pk": _first(InterestedParty).pk},
    "party-delete": lambda: {"pk": _first(InterestedParty).pk},
    "supplier-detail": lambda: {"ref": _first(Supplier, name="Lumen Foundation Models").ref_id},
    "supplier-edit": lambda: {"ref": _first(Supplier, name="Lumen Foundation Models").ref_id},
    "supplier-assessment-detail": lambda: {"ref": _first(SupplierAssessment, status="reviewed").ref_id},
    "questionnaire-detail": lambda: {"ref": str(_first(Questionnaire).pk)},
    "supplier-answer-link": lambda: {"token": supplier_token(_first(SupplierAssessment, status="sent"))},
    "issue-row": lambda: {"pk": _first(ContextIssue).pk},
    "issue-edit": lambda: {"pk": _first(ContextIssue).pk},
    "issue-delete": lambda: {"pk": _first(ContextIssue).pk},
    "person-edit": lambda: {"user_id": _first(User, email=DEMO_ADMIN_EMAIL).pk},
    "person-password": lambda: {"user_id": _first(User, email=DEMO_ADMIN_EMAIL).pk},
    # a member of staff without a login who owns controls (the person page lists them)
    "person": lambda: {"user_id": _first(User, email=f"hannah.okafor@{DEMO_DOMAIN}").pk},
    "person-invite": lambda: {"user_id": _first(User, email=f"hannah.okafor@{DEMO_DOMAIN}").pk},
    "role-grant": lambda: {"user_id": _first(User, email=DEMO_ADMIN_EMAIL).pk},
    "audit-programme-detail": lambda: {"ref": _first(AuditProgramme).ref_id},
    "audit-programme-edit": lambda: {"ref": _first(AuditProgramme).ref_id},
    "audit-programme-coverage": lambda: {"ref": _first(AuditProgramme).ref_id},
    "audit-detail": lambda: {"ref": _first(Audit, status="closed").ref_id},
    "audit-edit": lambda: {"ref": _first(Audit, status="planned").ref_id},
    "audit-item": lambda: {
        "ref": _first(AuditItem, control__isnull=False, audit__status="closed").audit.ref_id,
        "item_id": _first(AuditItem, control__isnull=False, audit__status="closed").pk,
    },
}

# Routes that are not pages a person reads (files, redirects, POST-only actions), with why.
NOT_PAGES: dict[str, str] = {
    "audit-report": "a PDF file",
    "audit-move": "a POST-only action",
    "audit-finding-create": "a POST-only action",
    "audit-finding-raise": "a POST-only action",
    "audit-item-result": "a POST-only action",
    "audit-sample-draw": "a POST-only action",
    "audit-sample-record": "a POST-only action",
    "favicon": "an icon",
    "pick": "the pickers' search answers: read below with format=html (PICKER_FRAGMENTS)",
    "healthz": "a health check for machines",
    "logout": "logs out",
    "risk-export": "an XLSX file",
    "soa-export": "a file",
    "gap-export": "a file",
    "crosswalk-export": "a CSV file",
    "evidence-download": "a file",
    "document-download": "a file",
    "document-pdf": "a PDF file",
    "impact-assessment-pdf": "a PDF file",
    "aiact-export-xlsx": "an XLSX file",
    "aiact-export-pdf": "a PDF file",
    "aiact-system-pdf": "a PDF file",
    "aiact-operating-model-advise": "a POST-only action",
    "aiact-obligation-status": "a POST-only action",
}

# Pages that show more with a query string (the gap figures need a target and a system).
WITH_QUERY: list[Callable[[], str]] = [
    lambda: f"{reverse('gap-analysis')}?target=iso42001:2023&management_system={_ms().pk}",
    lambda: f"{reverse('gap-analysis')}?target=iso27001:2022&management_system={_ms().pk}",
]


# The pickers' fragments (the list of options a field shows), each with a search that finds some.
PICKER_FRAGMENTS: dict[str, str] = {
    "requirements": "A.5.1",
    "controls": "KC",
    "people": "",
    "ai-systems": "",
    "datasets": "",
}


def _picker_urls() -> list[str]:
    return [f"{reverse('pick', args=[kind])}?format=html&q={q}" for kind, q in PICKER_FRAGMENTS.items()]


def _page_urls() -> tuple[list[str], list[str]]:
    """The URLs to read, and the routes this test does not know how to fill."""
    urls, unknown = [], []
    for route, p in _patterns(get_resolver()):
        if route.startswith(("api/", "static/", "^")) or not p.name or p.name in NOT_PAGES:
            continue
        converters = getattr(p.pattern, "converters", {})
        if not converters:
            urls.append(reverse(p.name))
        elif p.name in ARGUMENTS:
            urls.append(reverse(p.name, kwargs=ARGUMENTS[p.name]()))
        elif not _post_only(p):
            unknown.append(p.name)
    urls.extend(make() for make in WITH_QUERY)
    urls.extend(_picker_urls())
    return urls, unknown


def _post_only(p: URLPattern) -> bool:
    """Whether the view only takes POST (Django's ``require_POST`` keeps the allowed methods)."""
    view: Any = p.callback
    while view is not None:
        closure = getattr(view, "__closure__", None) or ()
        for cell in closure:
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if isinstance(value, list) and value == ["POST"]:
                return True
        view = getattr(view, "__wrapped__", None)
    return False


def test_every_demo_page_shows_human_labels(demo: Any) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.get(email=DEMO_ADMIN_EMAIL))
    urls, unknown = _page_urls()
    assert not unknown, f"routes with arguments this test cannot fill yet: {unknown}"
    assert len(urls) > 60  # the enumeration found the pages
    found: list[str] = []
    not_pickers: list[str] = []
    read = references = 0
    for url in urls:
        response = client.get(url)
        if response.status_code in (301, 302, 405):
            continue  # a redirect or a POST-only action: nothing to read
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        if not response["Content-Type"].startswith("text/html"):
            continue
        read += 1
        html = response.content.decode()
        found.extend(f"{url}: {p}" for p in problems_in(html))
        fields = reference_fields_in(html)
        references += fields.seen
        not_pickers.extend(f"{url}: {f}" for f in fields.unmarked)
        if url.startswith(reverse("pick", args=["x"])[: -len("x/")]):
            assert 'role="option"' in html, f"{url} offers nothing to check"
    assert read > 60
    assert not found, f"{len(found)} internal names shown to people:\n" + "\n".join(found)
    assert references > 30  # the entry forms were read
    assert not not_pickers, "reference fields that are not pickers:\n" + "\n".join(not_pickers)
