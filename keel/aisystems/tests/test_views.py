"""Pages of the AI system inventory: list with filters (and its htmx partial), detail with
sparklines and the gate, forms, the stage action, datasets with lineage both ways; fixed query
counts at two sizes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from decimal import Decimal

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from keel.aisystems import services
from keel.aisystems.models import AISystem, MetricFlag, ModelVersion
from keel.impact.tests import factories as impact_factories
from keel.organisation.models import ManagementSystem
from keel.platform.choices import Role
from keel.platform.models import TrailEntry, User
from keel.platform.tests.query_counts import queries_of

from . import factories as f


def test_the_list_filters_by_origin_and_answers_htmx_with_a_fragment(
    admin_client: Client, aims: ManagementSystem
) -> None:
    f.ai_system(aims, "credit-scoring")
    f.ai_system(aims, "hr-cv", origin="embedded", name="CV screening")
    page = admin_client.get(reverse("ai-system-list") + "?origin=embedded")
    text = page.content.decode()
    assert "CV screening" in text and "Credit Scoring" not in text
    partial = admin_client.get(reverse("ai-system-list") + "?stage=design", headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and b"Credit Scoring" in partial.content


def test_the_detail_shows_metrics_with_a_sparkline_an_open_flag_and_the_gate(
    admin_client: Client, aims: ManagementSystem
) -> None:
    system = f.ai_system(aims)
    f.model_version(system, "3.3")
    f.metric(system)
    for i, v in enumerate(["0.95", "0.93", "0.85", "0.84"]):
        services.push_reading(f.SYSTEM, system.short_name, "accuracy", v, f"2026-05-01T0{i}:00:00Z")
    text = admin_client.get(reverse("ai-system-detail", args=[system.short_name])).content.decode()
    assert "<svg" in text and "<polyline" in text and "stroke-dasharray" in text
    assert text.count('fill="#c0392b"') == 2  # two breach dots
    assert "Open flags" in text
    assert "Deployment gate refuses it: model version gbm 3.3 has never been evaluated" in text
    assert "no approved impact assessment" in text


def test_the_detail_page_runs_a_fixed_number_of_queries(admin_client: Client, aims: ManagementSystem) -> None:
    system = f.ai_system(aims)

    def grow(start: int, n: int) -> None:
        for i in range(start, start + n):
            m = f.metric(system, f"m{i}")
            services.create_model(
                f.SYSTEM, system.pk, name=f"model-{i}", version="1", model_type="classifier"
            )
            f.passing_evaluation(system)
            f.record(system, title=f"Record {i}")
            f.dataset(aims, f"d{i}", ai_systems=[system.short_name])
            for h in range(3):
                services.push_reading(
                    f.SYSTEM, system.short_name, m.short_name, str(h), f"2026-05-01T0{h}:00:00Z"
                )

    url = reverse("ai-system-detail", args=[system.short_name])
    grow(0, 1)
    small = queries_of(admin_client, url)
    grow(1, 5)
    assert queries_of(admin_client, url) == small


def test_the_list_runs_a_fixed_number_of_queries(admin_client: Client, aims: ManagementSystem) -> None:
    f.ai_system(aims, "s0")
    small = queries_of(admin_client, reverse("ai-system-list"))
    for i in range(1, 8):
        f.ai_system(aims, f"s{i}")
    assert queries_of(admin_client, reverse("ai-system-list")) == small


def test_create_an_ai_system_through_the_form(admin_client: Client, aims: ManagementSystem) -> None:
    r = admin_client.post(
        reverse("ai-system-create"),
        {
            "short_name": "chat",
            "name": "Chat",
            "management_system": "aims",
            "origin": "third_party_model",
            "ai_roles": ["customer"],
            "lifecycle_stage": "design",
            "deployment_regions": "EU, UK",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert AISystem.objects.get(short_name="chat").deployment_regions == ["EU", "UK"]


def test_the_form_refuses_operation_for_a_new_system_and_shows_why(
    admin_client: Client, aims: ManagementSystem
) -> None:
    r = admin_client.post(
        reverse("ai-system-create"),
        {
            "short_name": "chat",
            "name": "Chat",
            "management_system": "aims",
            "origin": "in_house",
            "lifecycle_stage": "operation",
        },
    )
    assert r.status_code == 422
    assert "cannot start in operation" in r.content.decode()
    assert not AISystem.objects.exists()


def test_the_stage_action_shows_the_gate_message(admin_client: Client, aims: ManagementSystem) -> None:
    system = f.ai_system(aims, lifecycle_stage="verification")
    f.model_version(system, "1")
    r = admin_client.post(
        reverse("ai-system-stage", args=[system.short_name]), {"stage": "deployment"}, follow=True
    )
    text = r.content.decode()
    assert "cannot move to deployment" in text and "gbm 1 has never been evaluated" in text
    system.refresh_from_db()
    assert system.lifecycle_stage == "verification"


def test_the_page_refuses_to_deploy_a_version_never_evaluated(
    admin_client: Client, aims: ManagementSystem
) -> None:
    # Given version 1 passing, version 2 never evaluated, an approved assessment
    system = f.ai_system(aims, lifecycle_stage="verification")
    v1 = f.model_version(system, "1")
    v2 = f.model_version(system, "2")
    impact_factories.approved(system)
    f.passing_evaluation(system, v1)
    url = reverse("ai-model-version-deploy", args=[system.short_name])

    # When version 2 is deployed from the page, it is refused with the reason
    text = admin_client.post(url, {"model_version": "gbm@2"}, follow=True).content.decode()
    assert "cannot deploy model version gbm 2: model version gbm 2 has never been evaluated" in text
    v2.refresh_from_db()
    system.refresh_from_db()
    assert v2.status == "development" and system.lifecycle_stage == "verification"

    # and the stage form naming it is refused too
    text = admin_client.post(
        reverse("ai-system-stage", args=[system.short_name]),
        {"stage": "deployment", "model_version": "gbm@2"},
        follow=True,
    ).content.decode()
    assert "never been evaluated" in text

    # while version 1 deploys
    text = admin_client.post(url, {"model_version": "gbm@1"}, follow=True).content.decode()
    assert "passed the deployment gate and is deployed" in text
    v1.refresh_from_db()
    assert v1.status == "deployed"


def test_add_and_edit_a_model_version_with_its_datasets(admin_client: Client, aims: ManagementSystem) -> None:
    system = f.ai_system(aims)
    services.create_model(f.SYSTEM, system.pk, name="gbm", model_type="regressor")
    f.dataset(aims, "train-set", may_train=True)
    f.dataset(aims, "holdout", may_evaluate=True)
    r = admin_client.post(
        reverse("ai-model-version-create", args=[system.short_name]),
        {"model": "gbm", "label": "3.3", "trained_on": ["train-set"], "evaluated_on": ["holdout"]},
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    version = ModelVersion.objects.get(label="3.3")
    assert [d.short_name for d in version.trained_on.all()] == ["train-set"]
    edit = reverse("ai-model-version-edit", args=[system.short_name, version.pk])
    form = admin_client.get(edit)
    assert form.status_code == 200
    data = {k: v for k, v in form.context["form"].initial.items() if v is not None}
    r = admin_client.post(edit, {**data, "evaluated_on": [], "notes": "No hold-out yet."})
    assert r.status_code == 302, r.content.decode()[:3000]
    version.refresh_from_db()
    assert version.notes == "No hold-out yet." and not version.evaluated_on.exists()
    page = admin_client.get(reverse("dataset-detail", args=["train-set"])).content.decode()
    assert "Trained on it" in page and "gbm 3.3" in page


def test_record_an_evaluation_and_close_a_flag(admin_client: Client, aims: ManagementSystem) -> None:
    system = f.ai_system(aims)
    f.model_version(system, "1")
    r = admin_client.post(
        reverse("ai-evaluation-create", args=[system.short_name]),
        {
            "model_version": "gbm@1",
            "metric": "AUC",
            "comparison": "ge",
            "criterion_value": "0.7",
            "result_value": "0.8",
            "passed": "unknown",
        },
    )
    assert r.status_code == 302
    assert system.evaluations.get().passed is True
    f.metric(system)
    services.push_reading(f.SYSTEM, system.short_name, "accuracy", "0.1", "2026-05-01T00:00:00Z")
    flag = MetricFlag.objects.get()
    admin_client.post(reverse("ai-flag-close", args=[flag.pk]), {"note": "Rolled back."})
    flag.refresh_from_db()
    assert flag.status == "closed"


def test_a_reading_typed_on_the_page_is_stored_trailed_and_a_breach_opens_a_flag(
    admin_client: Client, aims: ManagementSystem
) -> None:
    system = f.ai_system(aims)
    f.metric(system)
    detail = reverse("ai-system-detail", args=[system.short_name])
    add = reverse("ai-reading-create", args=[system.short_name])
    page = admin_client.get(detail).content.decode()
    assert f'action="{add}"' in page and 'name="value"' in page and 'type="datetime-local"' in page

    ok = admin_client.post(
        add, {"metric": "accuracy", "value": "0.95", "at": "2026-05-01T10:00"}, follow=True
    )
    assert "Accuracy: 0.95 at 2026-05-01 10:00 UTC is recorded." in ok.content.decode()
    assert not MetricFlag.objects.exists()

    bad = admin_client.post(add, {"metric": "accuracy", "value": "0.42"}, follow=True)  # time empty: now
    assert "It breaches the threshold (0.9): a flag is open." in bad.content.decode()
    flag = MetricFlag.objects.get()
    assert flag.worst_value == Decimal("0.42") and flag.status == "open"
    reading = system.metrics.get().readings.order_by("-at").first()
    assert reading is not None and abs((timezone.now() - reading.at).total_seconds()) < 60

    typed = TrailEntry.objects.filter(object_repr=f"{system.short_name}/accuracy reading", channel="web")
    assert sorted(json.loads(e.payload)["changes"]["value"][1] for e in typed) == ["0.420000", "0.950000"]
    assert TrailEntry.objects.filter(
        object_repr=f"{system.short_name}/accuracy flag", action="create"
    ).exists()


def test_a_refused_reading_shows_the_form_again_with_what_was_typed(
    admin_client: Client, aims: ManagementSystem
) -> None:
    system = f.ai_system(aims)
    f.metric(system)
    add = reverse("ai-reading-create", args=[system.short_name])
    future = (timezone.now() + dt.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    r = admin_client.post(add, {"metric": "accuracy", "value": "0.97", "at": future})
    text = r.content.decode()
    assert r.status_code == 422 and "In the future." in text and 'value="0.97"' in text
    assert "give the time the value was measured" in text
    assert not system.metrics.get().readings.exists()
    r = admin_client.post(add, {"metric": "latency", "value": "1"})
    assert r.status_code == 422 and not system.metrics.get().readings.exists()
    page = admin_client.get(add + "?metric=accuracy")
    assert page.status_code == 200 and '<option value="accuracy" selected>' in page.content.decode()


def test_the_dataset_page_shows_the_chain_both_ways_with_depth(
    admin_client: Client, aims: ManagementSystem
) -> None:
    f.dataset(aims, "raw", name="Raw extracts")
    f.dataset(aims, "joined", ["raw"], name="Joined table")
    f.dataset(aims, "features", ["joined"], name="Feature table")
    f.dataset(aims, "train", ["features"], name="Training set")
    text = admin_client.get(reverse("dataset-detail", args=["joined"])).content.decode()
    up, down = text.split("What was built from it")
    assert "Raw extracts" in up and "Training set" not in up
    assert "Feature table" in down and "Training set" in down
    assert "2 steps down" in down and "via features" in down


def test_the_dataset_page_runs_a_fixed_number_of_queries_whatever_the_lineage(
    admin_client: Client, aims: ManagementSystem
) -> None:
    f.dataset(aims, "root")
    f.dataset(aims, "mid", ["root"])
    f.dataset(aims, "leaf", ["mid"])
    url = reverse("dataset-detail", args=["mid"])
    small = queries_of(admin_client, url)
    previous = "leaf"
    for i in range(6):  # a longer chain below and more sources above
        f.dataset(aims, f"down-{i}", [previous])
        previous = f"down-{i}"
        f.dataset(aims, f"up-{i}")
        services.update_dataset(f.SYSTEM, "root", sources=[f"up-{j}" for j in range(i + 1)])
    services.record_quality_check(f.SYSTEM, "mid", metric="x", criterion="ok", passed=True)
    assert queries_of(admin_client, url) == small


def test_editing_a_dataset_into_a_cycle_shows_the_message(
    admin_client: Client, aims: ManagementSystem
) -> None:
    f.dataset(aims, "raw")
    f.dataset(aims, "clean", ["raw"])
    r = admin_client.post(
        reverse("dataset-edit", args=["raw"]),
        {
            "short_name": "raw",
            "name": "Raw",
            "management_system": "aims",
            "acquisition": "collected",
            "sources": ["clean"],
        },
    )
    assert r.status_code == 422
    assert "lineage cannot go in a circle" in r.content.decode()


def test_a_viewer_sees_no_edit_buttons_but_a_contributor_may_record(
    aims: ManagementSystem, make_user: Callable[..., User], login_client: Callable[[User], Client]
) -> None:
    system = f.ai_system(aims)
    viewer = login_client(make_user(Role.VIEWER, aims)).get(
        reverse("ai-system-detail", args=[system.short_name])
    )
    assert b"Record evaluation" not in viewer.content and b"Change stage" not in viewer.content
    contributor = login_client(make_user(Role.CONTRIBUTOR, aims)).get(
        reverse("ai-system-detail", args=[system.short_name])
    )
    assert b"Record evaluation" in contributor.content and b"Change stage" not in contributor.content


def test_write_approve_and_edit_a_lifecycle_record(admin_client: Client, aims: ManagementSystem) -> None:
    # Given a system and the 42001 control an event-log record serves
    from keel.standards.models import Requirement, Standard

    std = Standard.objects.filter(key="iso42001:2023").first() or Standard.objects.create(
        key="iso42001:2023", name="ISO/IEC 42001:2023", short_name="ISO 42001"
    )
    Requirement.objects.get_or_create(
        key="iso42001:2023:A.6.2.8",
        defaults={
            "standard": std,
            "ref_id": "A.6.2.8",
            "title": "AI system recording of event logs",
            "kind": "control",
        },
    )
    system = f.ai_system(aims)

    # When a record is written with Markdown that holds raw HTML and a script link
    r = admin_client.post(
        reverse("ai-record-create", args=[system.short_name]),
        {
            "kind": "event_logs",
            "title": "Decision logs",
            "body": "## What is logged\n\n- every score\n\n<script>alert(1)</script> [x](javascript:alert(1))",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    record = system.lifecycle_records.get()
    assert [q.ref_id for q in record.requirements.all()] == ["A.6.2.8"]

    # Then its page renders the Markdown, shows the HTML as text and drops the script link
    text = admin_client.get(r["Location"]).content.decode()
    assert "<h2>What is logged</h2>" in text and "<li>every score</li>" in text
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;" in text
    assert 'href="javascript:' not in text

    # and once approved it supports the control on the requirement page
    admin_client.post(reverse("ai-record-approve", args=[system.short_name, record.pk]), {"note": "ok"})
    record.refresh_from_db()
    assert record.status == "approved" and record.approved_at is not None
    page = admin_client.get(reverse("requirement-detail", args=["iso42001:2023:A.6.2.8"])).content.decode()
    assert "AI lifecycle records" in page and "Decision logs" in page

    # Editing its text makes a new draft revision that needs approving again
    edit = reverse("ai-record-edit", args=[system.short_name, record.pk])
    initial = admin_client.get(edit).context["form"].initial
    r = admin_client.post(edit, {**initial, "body": "Every score and its inputs are logged."})
    assert r.status_code == 302, r.content.decode()[:3000]
    record.refresh_from_db()
    assert (record.status, record.revision, record.approved_at) == ("draft", 2, None)
    page = admin_client.get(reverse("requirement-detail", args=["iso42001:2023:A.6.2.8"])).content.decode()
    assert "AI lifecycle records" not in page
    detail = admin_client.get(reverse("ai-system-detail", args=[system.short_name])).content.decode()
    assert "Lifecycle records" in detail and "Information for users: none yet" in detail
