"""Pages of the control catalogue: list with filters and bulk edit, detail with inline link
edits and history, forms, the template library, the coverage matrix and the requirement's
"Implemented by" section."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from keel.controls import matrix, services
from keel.controls.models import Control, ControlLink, ControlTemplate
from keel.organisation.models import ManagementSystem
from keel.platform.choices import Role, TrailAction
from keel.platform.models import TrailEntry, User
from keel.platform.tests.query_counts import get_counted

from .test_api import OP, make_control

HTMX = {"HX-Request": "true"}


@pytest.fixture
def controls(isms: ManagementSystem, aims: ManagementSystem) -> list[Control]:
    return [
        make_control(
            isms,
            "Supplier due diligence",
            links=[("iso27001:2022:A.5.19", "full"), ("iso42001:2023:A.10.3", "partial")],
        ),
        make_control(
            isms, "Backups", type="technical", frequency="daily", links=[("iso27001:2022:A.8.13", "full")]
        ),
        make_control(
            aims, "Model change gate", status="in_progress", links=[("iso42001:2023:A.6.2.5", "full")]
        ),
    ]


# ---------------------------------------------------------------- list


def test_the_list_shows_controls_with_badges_and_links_to_the_library_and_matrix(
    admin_client: Client, controls: list[Control]
) -> None:
    response = admin_client.get(reverse("control-list"))
    text = response.content.decode()
    assert response.status_code == 200
    for c in controls:
        assert c.ref_id in text and c.title in text
    assert 'class="badge badge-status-in_progress"' in text
    assert reverse("control-templates") in text and reverse("control-matrix") in text
    assert 'id="bulk-form"' in text


def test_a_plain_get_filters_and_htmx_gets_only_the_table(
    admin_client: Client, controls: list[Control]
) -> None:
    url = reverse("control-list") + "?management_system=aims"
    page = admin_client.get(url).content.decode()
    assert "Model change gate" in page and "Backups" not in page
    fragment = admin_client.get(reverse("control-list") + "?type=technical", headers=HTMX).content.decode()
    assert "<html" not in fragment and "Backups" in fragment and "Model change gate" not in fragment


def test_an_unknown_requirement_filter_says_so_and_shows_everything(
    admin_client: Client, controls: list[Control]
) -> None:
    text = admin_client.get(reverse("control-list") + "?requirement=iso27001:2022:Z.9").content.decode()
    assert "No requirement" in text and all(c.title in text for c in controls)


def test_the_list_page_runs_a_fixed_number_of_queries(admin_client: Client, isms: ManagementSystem) -> None:
    make_control(isms, "First", links=[("iso27001:2022:A.5.1", "full")], tags=["a"])
    few, _ = get_counted(admin_client, reverse("control-list"))
    for i in range(10):
        make_control(isms, f"More {i}", links=[("iso27001:2022:A.5.2", "full")], tags=[f"t{i}"])
    many, response = get_counted(admin_client, reverse("control-list"))
    assert many == few
    assert "More 9" in response.content.decode()


def test_a_viewer_reads_the_list_but_cannot_write(
    make_user: Callable[..., User], login_client: Callable[[User], Client], controls: list[Control]
) -> None:
    client = login_client(make_user(Role.VIEWER))
    text = client.get(reverse("control-list")).content.decode()
    assert "Supplier due diligence" in text and 'id="bulk-form"' not in text
    assert client.get(reverse("control-create")).status_code == 403
    assert client.get(reverse("control-edit", args=[controls[0].ref_id])).status_code == 403
    response = client.post(
        reverse("control-bulk"), {"controls": [str(controls[0].pk)], "status": "implemented"}
    )
    assert response.status_code == 403
    assert Control.objects.get(pk=controls[0].pk).status == "planned"


# ---------------------------------------------------------------- bulk edit


def test_bulk_edit_changes_only_the_selected_controls_with_one_trail_entry_each(
    admin_client: Client, admin: User, controls: list[Control]
) -> None:
    chosen = controls[:2]
    before = TrailEntry.objects.count()
    response = admin_client.post(
        reverse("control-bulk"),
        {
            "controls": [str(c.pk) for c in chosen],
            "status": "implemented",
            "effectiveness": "effective",
            "owner": admin.email,
            "add_tag": "Q3 review",
            "return": reverse("control-list") + "?management_system=isms",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("?management_system=isms")
    for c in Control.objects.filter(pk__in=[c.pk for c in chosen]):
        assert (c.status, c.effectiveness, c.owner_id) == ("implemented", "effective", admin.pk)
        assert [t.name for t in c.tags.all()] == ["q3 review"]
    untouched = Control.objects.get(pk=controls[2].pk)
    assert (untouched.status, untouched.owner_id, untouched.tags.count()) == ("in_progress", None, 0)
    entries = TrailEntry.objects.filter(seq__gt=before)
    assert sorted(entries.values_list("object_id", flat=True)) == sorted(str(c.pk) for c in chosen)
    assert set(entries.values_list("action", flat=True)) == {TrailAction.UPDATE}


def test_bulk_edit_refused_on_one_control_changes_none(
    make_user: Callable[..., User],
    login_client: Callable[[User], Client],
    isms: ManagementSystem,
    controls: list[Control],
) -> None:
    client = login_client(make_user(Role.COMPLIANCE_MANAGER, isms))
    before = TrailEntry.objects.count()
    response = client.post(
        reverse("control-bulk"),
        {"controls": [str(c.pk) for c in controls], "status": "not_applicable"},
        follow=True,
    )
    assert "Nothing was changed" in response.content.decode()
    assert not Control.objects.filter(status="not_applicable").exists()
    assert TrailEntry.objects.count() == before


def test_bulk_edit_without_a_selection_or_a_change_says_what_is_missing(
    admin_client: Client, controls: list[Control]
) -> None:
    text = admin_client.post(reverse("control-bulk"), {"status": "implemented"}, follow=True).content.decode()
    assert "Select at least one control" in text
    text = admin_client.post(
        reverse("control-bulk"), {"controls": [str(controls[0].pk)]}, follow=True
    ).content.decode()
    assert "Choose what to change" in text


def test_bulk_service_records_nothing_for_controls_already_in_that_state(controls: list[Control]) -> None:
    services.bulk_update_controls(OP, [controls[0].pk], status="implemented")
    before = TrailEntry.objects.count()
    changed = services.bulk_update_controls(
        OP, [controls[0].ref_id, controls[1].ref_id], status="implemented"
    )
    assert [c.ref_id for c in changed] == [controls[1].ref_id]
    assert TrailEntry.objects.count() == before + 1


# ---------------------------------------------------------------- detail, links and history


def test_the_detail_groups_links_by_standard_and_shows_the_history(
    admin_client: Client, controls: list[Control]
) -> None:
    control = controls[0]
    services.update_control(OP, control.pk, status="implemented")
    link = ControlLink.objects.get(control=control, requirement__key="iso42001:2023:A.10.3")
    services.unlink_requirement(OP, link.pk)
    text = admin_client.get(reverse("control-detail", args=[control.ref_id])).content.decode()
    assert "ISO/IEC 27001:2022" in text and "A.5.19" in text
    assert 'id="history-h"' in text
    # the history holds the control's entries and its links', the removed one included
    assert text.count("badge-action-create") >= 3 and "badge-action-delete" in text
    assert "badge-action-update" in text


def test_a_viewer_without_the_trail_role_sees_no_history(
    make_user: Callable[..., User], login_client: Callable[[User], Client], controls: list[Control]
) -> None:
    client = login_client(make_user(Role.VIEWER))
    text = client.get(reverse("control-detail", args=[controls[0].ref_id])).content.decode()
    assert "does not include reading the audit trail" in text and "Edit</a>" not in text


def test_a_reader_of_the_other_system_is_refused_the_detail(
    make_user: Callable[..., User],
    login_client: Callable[[User], Client],
    aims: ManagementSystem,
    controls: list[Control],
) -> None:
    client = login_client(make_user(Role.VIEWER, aims))
    assert client.get(reverse("control-detail", args=[controls[0].ref_id])).status_code == 403
    assert client.get(reverse("control-detail", args=[controls[2].ref_id])).status_code == 200
    assert client.get(reverse("control-detail", args=["KC-999"])).status_code == 404


def test_links_are_added_edited_and_removed_inline(admin_client: Client, controls: list[Control]) -> None:
    control = controls[1]
    added = admin_client.post(
        reverse("control-link-add", args=[control.ref_id]),
        {"requirement": "iso42001:2023:A.7.2", "coverage": "partial", "note": "Training data backups."},
        headers=HTMX,
    )
    assert added.status_code == 200 and "<html" not in added.content.decode()
    assert "A.7.2" in added.content.decode()
    link = ControlLink.objects.get(control=control, requirement__key="iso42001:2023:A.7.2")
    form = admin_client.get(reverse("control-link-edit", args=[link.pk]), headers=HTMX).content.decode()
    assert 'class="row-editing"' in form
    saved = admin_client.post(
        reverse("control-link-edit", args=[link.pk]),
        {"coverage": "full", "note": "All datasets."},
        headers=HTMX,
    ).content.decode()
    assert "row-saved" in saved and "All datasets." in saved
    assert ControlLink.objects.get(pk=link.pk).coverage == "full"
    removed = admin_client.post(reverse("control-link-delete", args=[link.pk]), headers=HTMX)
    assert removed.status_code == 200 and not ControlLink.objects.filter(pk=link.pk).exists()


def test_a_bad_link_shows_the_error_in_the_form_and_adds_nothing(
    admin_client: Client, controls: list[Control]
) -> None:
    control = controls[1]
    before = ControlLink.objects.count()
    text = admin_client.post(
        reverse("control-link-add", args=[control.ref_id]),
        {"requirement": "iso27001:2022:Z.1", "coverage": "full"},
        headers=HTMX,
    ).content.decode()
    assert "Unknown requirement" in text or "No requirement" in text
    twice = admin_client.post(
        reverse("control-link-add", args=[control.ref_id]),
        {"requirement": "iso27001:2022:A.8.13", "coverage": "full"},
        headers=HTMX,
    ).content.decode()
    assert "Already linked." in twice
    assert ControlLink.objects.count() == before


# ---------------------------------------------------------------- forms


def test_create_and_edit_a_control_through_the_forms(
    admin_client: Client, isms: ManagementSystem, admin: User
) -> None:
    data = {
        "ref_id": "",
        "title": "Key rotation",
        "description": "Keys rotate every quarter.",
        "owner": admin.email,
        "type": "technical",
        "frequency": "quarterly",
        "status": "planned",
        "effectiveness": "not_assessed",
        "management_systems": ["isms"],
        "tags": "crypto, Cloud",
    }
    response = admin_client.post(reverse("control-create"), data)
    assert response.status_code == 302
    control = Control.objects.get(title="Key rotation")
    assert sorted(t.name for t in control.tags.all()) == ["cloud", "crypto"] and control.owner == admin
    response = admin_client.post(
        reverse("control-edit", args=[control.ref_id]),
        {**data, "ref_id": control.ref_id, "status": "implemented"},
    )
    assert response.status_code == 302
    assert Control.objects.get(pk=control.pk).status == "implemented"
    bad = admin_client.post(reverse("control-create"), {**data, "title": ""})
    assert bad.status_code == 422


def test_delete_a_control_after_confirming(admin_client: Client, controls: list[Control]) -> None:
    control = controls[0]
    assert "Delete" in admin_client.get(reverse("control-delete", args=[control.ref_id])).content.decode()
    assert admin_client.post(reverse("control-delete", args=[control.ref_id])).status_code == 302
    assert not Control.objects.filter(pk=control.pk).exists()


# ---------------------------------------------------------------- templates


def test_the_library_marks_adopted_templates_and_adopts_the_selected_ones(
    admin_client: Client, isms: ManagementSystem
) -> None:
    first, second, third = ControlTemplate.objects.order_by("sort_order")[:3]
    services.adopt_templates(OP, [first.key], isms.pk)
    text = admin_client.get(reverse("control-templates")).content.decode()
    adopted = Control.objects.get(template=first)
    assert f"Adopted as {adopted.ref_id}" in text
    assert f'value="{first.key}"' not in text and f'value="{second.key}"' in text
    response = admin_client.post(
        reverse("control-adopt"),
        {"templates": [second.key, third.key], "management_system": "isms", "owner": ""},
    )
    assert response.status_code == 302
    assert Control.objects.filter(template__in=[second, third]).count() == 2


def test_the_library_filters_by_standard_and_text_with_htmx(admin_client: Client) -> None:
    fragment = admin_client.get(
        reverse("control-templates") + "?standard=iso42001:2023&q=supplier", headers=HTMX
    ).content.decode()
    assert "<html" not in fragment and "template-card" in fragment
    assert "ISO 42001 adds" in fragment or "iso42001" in fragment


# ---------------------------------------------------------------- coverage matrix


def test_the_matrix_shows_full_and_partial_cells_under_their_theme(
    admin_client: Client, controls: list[Control]
) -> None:
    text = admin_client.get(
        reverse("control-matrix") + "?first=iso27001:2022&second=iso42001:2023"
    ).content.decode()
    assert "cell cell-full" in text and "cell cell-partial" in text
    assert "Organizational controls" in text and controls[0].ref_id in text


def test_the_matrix_filters_by_system_and_theme(admin_client: Client, controls: list[Control]) -> None:
    url = reverse("control-matrix") + "?first=iso27001:2022&second=iso42001:2023&management_system=aims"
    fragment = admin_client.get(url, headers=HTMX).content.decode()
    assert controls[2].ref_id in fragment and controls[0].ref_id not in fragment
    themed = admin_client.get(
        reverse("control-matrix") + "?first=iso27001:2022&theme=iso27001:2022:A.8", headers=HTMX
    ).content.decode()
    assert "A.8.13" in themed and "A.5.19" not in themed


def test_the_matrix_runs_a_fixed_number_of_queries(admin_client: Client, isms: ManagementSystem) -> None:
    url = reverse("control-matrix") + "?first=iso27001:2022&second=iso42001:2023"
    make_control(isms, "First", links=[("iso27001:2022:A.5.1", "full")])
    few, _ = get_counted(admin_client, url)
    for i in range(10):
        make_control(
            isms, f"More {i}", links=[("iso27001:2022:A.5.2", "partial"), ("iso42001:2023:A.2.2", "full")]
        )
    many, _ = get_counted(admin_client, url)
    assert many == few


def test_the_matrix_is_paged_by_controls_and_counts_coverage_over_every_page(
    admin_client: Client, isms: ManagementSystem, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given three linked controls and two rows per page
    monkeypatch.setattr(matrix, "MATRIX_PAGE_SIZE", 2)
    made = [
        make_control(isms, f"Paged {i}", links=[(f"iso27001:2022:A.5.{i + 1}", "full")]) for i in range(3)
    ]
    url = reverse("control-matrix") + "?first=iso27001:2022&second=iso42001:2023"
    # When the first and the second page are shown
    first = admin_client.get(url).content.decode()
    second = admin_client.get(url + "&page=2", headers=HTMX).content.decode()
    # Then each shows its rows, says which of how many, links onwards, and counts every column served
    assert made[0].ref_id in first and made[1].ref_id in first and made[2].ref_id not in first
    assert "3 controls (1–2 shown)" in first and "Page 1 of 2" in first and "page=2" in first
    assert made[2].ref_id in second and made[0].ref_id not in second and "Page 2 of 2" in second
    assert "3 of 131 served" in first and "3 of 131 served" in second


# ---------------------------------------------------------------- requirement page


def test_the_requirement_page_lists_the_controls_that_implement_it_and_the_backbone_twins(
    admin_client: Client, isms: ManagementSystem
) -> None:
    direct = make_control(isms, "Internal audit programme", links=[("iso27001:2022:9.2.2", "full")])
    twin = make_control(isms, "AI audit questions", links=[("iso42001:2023:9.2.2", "partial")])
    text = admin_client.get(reverse("requirement-detail", args=["iso27001:2022:9.2.2"])).content.decode()
    assert "Implemented by" in text
    assert direct.ref_id in text and twin.ref_id in text
    assert "Through the same backbone clause" in text


def test_the_template_library_runs_a_fixed_number_of_queries(
    admin_client: Client, isms: ManagementSystem
) -> None:
    keys = list(ControlTemplate.objects.order_by("sort_order").values_list("key", flat=True))
    services.adopt_templates(OP, keys[:1], isms.pk)
    few, _ = get_counted(admin_client, reverse("control-templates"))
    services.adopt_templates(OP, keys[1:10], isms.pk)
    many, response = get_counted(admin_client, reverse("control-templates"))
    assert many == few
    assert response.content.decode().count("Adopted as KC-") == 10
