"""Issue 12 item 5: PDF export of an impact assessment version, from the page and the API; a
draft (and a superseded version) is watermarked on every page, the version in force is not."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from keel.aisystems.tests import factories as af
from keel.impact import exports, services
from keel.impact.queries import assessment_for
from keel.organisation.models import ManagementSystem
from keel.platform.choices import Role
from keel.platform.models import User

from . import factories as f

pytestmark = pytest.mark.django_db


def _pages(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF")
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(data)).pages]


def test_a_draft_is_watermarked_and_the_approved_version_is_not(aims: ManagementSystem, admin: User) -> None:
    system = af.ai_system(aims)
    draft = f.draft(system, scope="Scoring in the EU")
    f.impact(draft)
    text = _pages(exports.to_pdf(assessment_for(admin, draft.pk)))
    assert all("DRAFT" in page and "Version 1" in page for page in text)
    assert "Older applicants scored lower" in " ".join(text) and "Scoring in the EU" in " ".join(text)
    approved = services.approve_assessment(f.SYSTEM, draft.pk)
    text = _pages(exports.to_pdf(assessment_for(admin, approved.pk)))
    assert not any("DRAFT" in page for page in text)
    assert all("Version 1 · approved" in page for page in text)
    # a later approved version supersedes it: the old one prints as superseded
    v2 = services.start_assessment(f.SYSTEM, system)
    services.approve_assessment(f.SYSTEM, v2.pk)
    old = _pages(exports.to_pdf(assessment_for(admin, approved.pk)))
    assert all("SUPERSEDED" in page for page in old)


def test_the_page_and_the_api_serve_the_pdf_to_readers(
    aims: ManagementSystem,
    isms: ManagementSystem,
    admin_client: Client,
    make_user: Callable[..., User],
    login_client: Callable[[User], Client],
) -> None:
    a = f.approved(af.ai_system(aims))
    page = admin_client.get(reverse("impact-assessment-detail", args=[a.pk])).content.decode()
    assert reverse("impact-assessment-pdf", args=[a.pk]) in page
    r = admin_client.get(reverse("impact-assessment-pdf", args=[a.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r["Content-Disposition"] == 'attachment; filename="impact-assessment-credit-scoring-v1.pdf"'
    api = admin_client.get(f"/api/v1/impact-assessments/{a.pk}/pdf")
    assert api.status_code == 200 and api.content.startswith(b"%PDF")
    # someone with no role on the AI system's management system reads nothing
    outsider = login_client(make_user(Role.ADMIN, isms))
    assert outsider.get(reverse("impact-assessment-pdf", args=[a.pk])).status_code == 403
    assert outsider.get(f"/api/v1/impact-assessments/{a.pk}/pdf").status_code in (403, 404)
