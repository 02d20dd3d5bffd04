"""Pages of the AI system inventory: list with filters (and its htmx partial), detail with
sparklines and the gate, forms, the stage action, datasets with lineage both ways; fixed query
counts at two sizes."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from keel.aisystems import services
from keel.aisystems.models import AISystem, MetricFlag
from keel.organisation.models import ManagementSystem
from keel.platform.choices import Role
from keel.platform.models import User
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
    f.metric(system)
    for i, v in enumerate(["0.95", "0.93", "0.85", "0.84"]):
        services.push_reading(f.SYSTEM, system.short_name, "accuracy", v, f"2026-05-01T0{i}:00:00Z")
    text = admin_client.get(reverse("ai-system-detail", args=[system.short_name])).content.decode()
    assert "<svg" in text and "<polyline" in text and "stroke-dasharray" in text
    assert text.count('fill="#c0392b"') == 2  # two breach dots
    assert "Open flags" in text
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
    r = admin_client.post(
        reverse("ai-system-stage", args=[system.short_name]), {"stage": "deployment"}, follow=True
    )
    text = r.content.decode()
    assert "cannot move to deployment" in text and "no passing evaluation" in text
    system.refresh_from_db()
    assert system.lifecycle_stage == "verification"


def test_record_an_evaluation_and_close_a_flag(admin_client: Client, aims: ManagementSystem) -> None:
    system = f.ai_system(aims)
    r = admin_client.post(
        reverse("ai-evaluation-create", args=[system.short_name]),
        {
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
