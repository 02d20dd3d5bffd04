"""Supplier records of system A for the permission matrix, made on demand directly (without the
services, to stay fast) and rolled back with each case."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from keel.platform.models import User
from keel.suppliers import assessments
from keel.suppliers.models import (
    Question,
    Questionnaire,
    Supplier,
    SupplierAssessment,
    SupplierContact,
    SupplierContract,
)

from .permission_world import World

DAY = dt.date(2026, 1, 5)


def supplier_a(w: World, ref: str = "SUP-900", status: str = "due_diligence") -> Supplier:
    return Supplier.objects.get_or_create(
        ref_id=ref,
        defaults={
            "management_system": w.a,
            "name": f"Vendor {ref}",
            "kind": "model_api",
            "criticality": "high",
            "status": status,
            "requested_on": DAY,
        },
    )[0]


def active_a(w: World) -> Supplier:
    s = supplier_a(w, "SUP-901", "active")
    contract_of(s)
    return s


def contract_of(s: Supplier) -> SupplierContract:
    return SupplierContract.objects.get_or_create(supplier=s, title="MSA", defaults={"starts_on": DAY})[0]


def contact_of(s: Supplier) -> SupplierContact:
    return SupplierContact.objects.get_or_create(supplier=s, name="Kim Lee")[0]


def questionnaire(w: World, published: bool = True) -> Questionnaire:
    key = "matrix-published" if published else "matrix-draft"
    q, made = Questionnaire.objects.get_or_create(
        key=key,
        version=1,
        defaults={
            "name": key,
            "kind": "ai_component",
            "published_at": timezone.now() if published else None,
        },
    )
    if made:
        Question.objects.create(
            questionnaire=q,
            position=1,
            text="Do you train on our data?",
            answer_type="yes_no",
            options=[{"label": "Yes", "score": 0}, {"label": "No", "score": 1}],
        )
        Question.objects.create(
            questionnaire=q, position=2, text="Retention?", answer_type="text", required=False
        )
    return q


def first_question(w: World, published: bool = True) -> Question:
    return questionnaire(w, published).questions.order_by("position").first()  # type: ignore[return-value]


def assessment_a(w: World, answered: bool = False) -> SupplierAssessment:
    ref = "SA-901" if answered else "SA-900"
    now = timezone.now()
    a, _made = SupplierAssessment.objects.get_or_create(
        ref_id=ref,
        defaults={
            "supplier": supplier_a(w),
            "questionnaire": questionnaire(w),
            "sent_at": now,
            "expires_at": now + dt.timedelta(days=30),
            "recipient_name": "Kim Lee",
            "recipient_email": "kim.lee@vendor.example",
            "status": "answered" if answered else "sent",
            "submitted_at": now if answered else None,
            "score": 50 if answered else None,
        },
    )
    return a


# kwargs and bodies of the matrix's cases


def ref(w: World, u: User | None) -> dict[str, Any]:
    return {"ref": supplier_a(w).ref_id}


def requested_ref(w: World, u: User | None) -> dict[str, Any]:
    return {"ref": supplier_a(w, "SUP-902", "requested").ref_id}


def active_ref(w: World, u: User | None) -> dict[str, Any]:
    return {"ref": active_a(w).ref_id}


def contact_kwargs(w: World, u: User | None) -> dict[str, Any]:
    s = supplier_a(w)
    return {"ref": s.ref_id, "contact": str(contact_of(s).pk)}


def contact_id_kwargs(w: World, u: User | None) -> dict[str, Any]:
    s = supplier_a(w)
    return {"ref": s.ref_id, "contact_id": str(contact_of(s).pk)}


def contract_id_kwargs(w: World, u: User | None) -> dict[str, Any]:
    s = supplier_a(w)
    return {"ref": s.ref_id, "contract_id": str(contract_of(s).pk)}


def questionnaire_ref(w: World, u: User | None) -> dict[str, Any]:
    return {"ref": str(questionnaire(w).pk)}


def draft_ref(w: World, u: User | None) -> dict[str, Any]:
    return {"ref": str(questionnaire(w, published=False).pk)}


def question_kwargs(w: World, u: User | None) -> dict[str, Any]:
    q = first_question(w, published=False)
    return {"ref": str(q.questionnaire_id), "question": str(q.pk)}


def question_id_kwargs(w: World, u: User | None) -> dict[str, Any]:
    q = first_question(w, published=False)
    return {"ref": str(q.questionnaire_id), "question_id": str(q.pk)}


def sent_ref(w: World, u: User | None) -> dict[str, Any]:
    return {"ref": assessment_a(w).ref_id}


def answered_ref(w: World, u: User | None) -> dict[str, Any]:
    return {"ref": assessment_a(w, answered=True).ref_id}


def token_kwargs(w: World, u: User | None) -> dict[str, Any]:
    return {"token": assessments.token_for(assessment_a(w))}
