"""Issue 9, "Done when": saving any edit page unchanged changes nothing. Every edit form of
risks, AI systems, model versions, lifecycle records, datasets, impact assessments and impacts, assets, classification levels and documents
is opened for each demo record, the values it shows are posted back as a browser would, and
nothing may change: no trail entry, the same stored version, the same lineage and links."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import models
from django.test import Client
from django.urls import reverse

from keel.aisystems.models import AISystem, Dataset, DatasetDerivation, LifecycleRecord, ModelVersion
from keel.assets.models import Asset, ClassificationLevel
from keel.documents.models import Document
from keel.impact.models import Impact, ImpactAssessment
from keel.platform.concurrency import version_of
from keel.platform.models import TrailEntry, User
from keel.platform.tests.shared_db import LoadedDemo
from keel.risks.models import Risk
from keel.site.demo import DEMO_ADMIN_EMAIL
from tests.formpost import form_values


def _edit_pages() -> Iterator[tuple[str, models.Model]]:
    for risk in Risk.objects.filter(status="open").order_by("ref_id"):
        yield reverse("risk-edit", args=[risk.ref_id]), risk
    for system in AISystem.objects.exclude(lifecycle_stage="retired").order_by("short_name"):
        yield reverse("ai-system-edit", args=[system.short_name]), system
    for dataset in Dataset.objects.order_by("short_name"):
        yield reverse("dataset-edit", args=[dataset.short_name]), dataset
    for version in ModelVersion.objects.select_related("model__ai_system").order_by("pk"):
        yield reverse("ai-model-version-edit", args=[version.model.ai_system.short_name, version.pk]), version
    for record in LifecycleRecord.objects.exclude(status="withdrawn").select_related("ai_system"):
        yield reverse("ai-record-edit", args=[record.ai_system.short_name, record.pk]), record
    for a in ImpactAssessment.objects.filter(status="draft"):
        yield reverse("impact-assessment-edit", args=[a.pk]), a
        for impact in Impact.objects.filter(assessment=a):
            yield reverse("impact-edit", args=[a.pk, impact.pk]), impact
    for asset in Asset.objects.filter(retired_at__isnull=True).order_by("ref_id"):
        yield reverse("asset-edit", args=[asset.ref_id]), asset
    for level in ClassificationLevel.objects.order_by("rank"):
        yield reverse("classification-edit", args=[level.key]), level
    for document in Document.objects.exclude(status="retired").order_by("ref_id"):
        yield reverse("document-edit", args=[document.ref_id]), document


def _links(obj: models.Model) -> dict[str, Any]:
    """The many-to-many links a form edits (not part of the row's version)."""
    out: dict[str, Any] = {}
    for f in obj._meta.many_to_many:
        out[f.name] = sorted(str(pk) for pk in getattr(obj, f.name).values_list("pk", flat=True))
    return out


def test_saving_every_edit_page_of_the_demo_unchanged_changes_nothing(demo: LoadedDemo) -> None:
    # the demo organisation, loaded once per run (conftest.py)
    client = Client()
    client.force_login(User.objects.get(email=DEMO_ADMIN_EMAIL))
    pages = list(_edit_pages())
    kinds = {type(obj).__name__ for _, obj in pages}
    assert {
        "Risk",
        "AISystem",
        "Dataset",
        "ModelVersion",
        "LifecycleRecord",
        "Document",
        "Asset",
        "ClassificationLevel",
    } <= kinds
    edges = set(DatasetDerivation.objects.values_list("source_id", "derived_id"))
    problems: list[str] = []
    for url, obj in pages:
        entries = TrailEntry.objects.count()
        before, links = version_of(obj), _links(obj)
        page = client.get(url)
        assert page.status_code == 200, url
        r = client.post(url, form_values(page.content.decode()))
        obj.refresh_from_db()
        if r.status_code != 302:
            problems.append(f"{url}: answered {r.status_code}")
        elif TrailEntry.objects.count() != entries:
            changed = TrailEntry.objects.order_by("-seq").first()
            problems.append(f"{url}: wrote a trail entry {changed.payload[:300] if changed else ''}")
        elif version_of(obj) != before or _links(obj) != links:
            problems.append(f"{url}: the record changed")
    assert not problems, "\n".join(problems)
    assert set(DatasetDerivation.objects.values_list("source_id", "derived_id")) == edges
