"""The demo's suppliers: eight of them across the onboarding workflow, an AI-component assessment
answered and reviewed and another sent and open, a contract renewing soon, the demo's AI systems,
models and datasets pointing at their suppliers, and the two check rules finding the bureau vendor."""

from __future__ import annotations

import datetime as dt

from keel.aisystems.models import AIModel, AISystem, Dataset
from keel.platform.tests.shared_db import LoadedDemo
from keel.suppliers.choices import QuestionnaireKind, SupplierAssessmentStatus
from keel.suppliers.hooks import review_overdue, reviews_due, without_due_diligence
from keel.suppliers.models import Supplier, SupplierAssessment, SupplierContract
from keel.suppliers.queries import today


def test_demo_suppliers(demo: LoadedDemo) -> None:
    assert Supplier.objects.count() == 8
    assert set(Supplier.objects.values_list("status", flat=True)) >= {
        "requested",
        "due_diligence",
        "active",
        "rejected",
    }
    ai = SupplierAssessment.objects.filter(questionnaire__kind=QuestionnaireKind.AI_COMPONENT)
    reviewed = ai.get(status=SupplierAssessmentStatus.REVIEWED)
    assert reviewed.score is not None and reviewed.decision == "conditions" and reviewed.reviewer is not None
    assert ai.filter(status=SupplierAssessmentStatus.SENT).count() == 1
    renewing = [
        c for c in SupplierContract.objects.all() if c.renewal_on and (c.renewal_on - today()).days < 60
    ]
    assert renewing
    embedded = AISystem.objects.get(short_name="hr-cv-screening")
    assert embedded.origin == "embedded" and embedded.supplier is not None
    assert embedded.supplier.name == "PeopleFlow HR"
    assert AIModel.objects.filter(supplier__isnull=False).count() >= 2
    assert Dataset.objects.get(short_name="bureau-raw").supplier is not None
    bureau = Supplier.objects.get(name="Meridian Credit Data")
    assert [f.record_label for f in review_overdue(None)] == [f"{bureau.ref_id} {bureau.name}"]
    assert f"{bureau.ref_id} {bureau.name}" in [f.record_label for f in without_due_diligence(None)]
    kinds = {d.kind for d in reviews_due(None, today(), dt.timedelta(days=14))}
    assert kinds == {"Supplier review", "Supplier contract renewal"}
