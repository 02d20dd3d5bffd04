"""Pages of the evidence register: list with filters, detail with versions, create (file or
link), new version upload, downloads as attachments, links, withdraw, and fixed query counts."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from keel.controls import services as controls
from keel.evidence import queries
from keel.evidence.models import Evidence
from keel.organisation.models import ManagementSystem
from keel.platform.choices import Role
from keel.platform.models import User
from keel.platform.tests.query_counts import queries_of

from .factories import SYSTEM, file_evidence, link_evidence, new_file_version

pytestmark = pytest.mark.django_db


def test_list_shows_evidence_with_validity_and_filters_by_it(
    admin_client: Client, isms: ManagementSystem
) -> None:
    today = queries.today()
    file_evidence(
        [isms],
        title="Old pentest",
        valid_until=today - dt.timedelta(days=1),
        collected_on=today - dt.timedelta(days=400),
    )
    file_evidence([isms], title="Access review", valid_until=today + dt.timedelta(days=10))
    link_evidence([isms], title="Status page")

    html = admin_client.get(reverse("evidence-list")).content.decode()
    assert "Old pentest" in html and "Access review" in html and "Status page" in html
    assert "badge-validity-expired" in html and "badge-validity-expiring" in html

    html = admin_client.get(reverse("evidence-list") + "?validity=expired").content.decode()
    assert "Old pentest" in html and "Access review" not in html and "Status page" not in html

    partial = admin_client.get(reverse("evidence-list") + "?kind=link", headers={"HX-Request": "true"})
    assert (
        b"<html" not in partial.content
        and b"Status page" in partial.content
        and b"Old pentest" not in partial.content
    )


def test_list_page_runs_a_fixed_number_of_queries(admin_client: Client, isms: ManagementSystem) -> None:
    control = controls.create_control(
        SYSTEM, title="Review", type="process", frequency="quarterly", management_systems=[isms.pk]
    )
    for i in range(2):
        file_evidence([isms], title=f"E{i}", controls=[control.ref_id], requirements=["iso27001:2022:A.5.15"])
    small = queries_of(admin_client, reverse("evidence-list"))
    for i in range(8):
        link_evidence([isms], title=f"L{i}", controls=[control.ref_id], requirements=["iso27001:2022:A.5.18"])
    assert queries_of(admin_client, reverse("evidence-list")) == small


def test_create_a_file_through_the_page_then_download_it(
    admin_client: Client, isms: ManagementSystem
) -> None:
    control = controls.create_control(SYSTEM, title="Backups", type="technical", frequency="daily")
    content = b"backup job,status\nnightly,ok\n"
    response = admin_client.post(
        reverse("evidence-create"),
        {
            "kind": "file",
            "title": "Backup report",
            "file": SimpleUploadedFile("backup report.csv", content, content_type="text/csv"),
            "management_systems": [isms.short_name],
            "controls": control.ref_id,
            "requirements": "iso27001:2022:A.8.13",
            "valid_until": (queries.today() + dt.timedelta(days=90)).isoformat(),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    ev = Evidence.objects.get(title="Backup report")
    assert response["Location"] == reverse("evidence-detail", args=[ev.ref_id])
    assert [c.ref_id for c in ev.controls.all()] == [control.ref_id]

    detail = admin_client.get(response["Location"]).content.decode()
    assert hashlib.sha256(content).hexdigest() in detail and "backup report.csv" in detail

    dl = admin_client.get(reverse("evidence-download", args=[ev.ref_id, 1]))
    assert dl.status_code == 200
    assert b"".join(dl.streaming_content) == content  # type: ignore[attr-defined]
    assert (
        dl["Content-Disposition"].startswith("attachment;")
        and "backup report.csv" in dl["Content-Disposition"]
    )
    assert dl["X-Content-Type-Options"] == "nosniff"
    assert dl["Content-Type"] == "text/csv"
    assert dl["X-Checksum-SHA256"] == hashlib.sha256(content).hexdigest()


def test_dangerous_content_types_are_downloaded_as_octet_stream(
    admin_client: Client, isms: ManagementSystem
) -> None:
    ev = file_evidence([isms], content=b"<script>alert(1)</script>", name="page.html")
    assert ev.current_version.content_type == "text/html"  # type: ignore[union-attr]
    dl = admin_client.get(reverse("evidence-download", args=[ev.ref_id, 1]))
    assert dl["Content-Type"] == "application/octet-stream"
    assert dl["Content-Disposition"].startswith("attachment;")


def test_an_altered_file_is_not_served(admin_client: Client, isms: ManagementSystem) -> None:
    ev = file_evidence([isms], content=b"original")
    with open(ev.current_version.file.path, "wb") as fh:  # type: ignore[union-attr]
        fh.write(b"tampered")
    response = admin_client.get(reverse("evidence-download", args=[ev.ref_id, 1]))
    assert response.status_code == 409 and b"SHA-256" in response.content


def test_a_role_on_another_system_cannot_download(
    make_user: Callable[..., User],
    login_client: Callable[[User], Client],
    isms: ManagementSystem,
    aims: ManagementSystem,
) -> None:
    ev = file_evidence([isms], content=b"secret")
    outsider = login_client(make_user(Role.ADMIN, aims))
    insider = login_client(make_user(Role.VIEWER, isms))
    assert outsider.get(reverse("evidence-download", args=[ev.ref_id, 1])).status_code == 403
    assert outsider.get(reverse("evidence-detail", args=[ev.ref_id])).status_code == 403
    assert insider.get(reverse("evidence-download", args=[ev.ref_id, 1])).status_code == 200


def test_upload_a_new_version_through_the_page(admin_client: Client, isms: ManagementSystem) -> None:
    ev = file_evidence([isms], content=b"v1")
    response = admin_client.post(
        reverse("evidence-version-add", args=[ev.ref_id]),
        {"file": SimpleUploadedFile("v2.csv", b"v2", content_type="text/csv"), "note": "Q2 review"},
    )
    assert response.status_code == 302
    assert ev.versions.count() == 2
    html = admin_client.get(reverse("evidence-detail", args=[ev.ref_id])).content.decode()
    assert "Q2 review" in html and "v2.csv" in html


def test_a_bad_version_shows_the_error_and_changes_nothing(
    admin_client: Client, isms: ManagementSystem
) -> None:
    ev = file_evidence([isms], content=b"v1")
    response = admin_client.post(
        reverse("evidence-version-add", args=[ev.ref_id]),
        {"file": SimpleUploadedFile("empty.csv", b"", content_type="text/csv")},
    )
    assert response.status_code == 422
    assert ev.versions.count() == 1


def test_a_form_shown_again_asks_for_the_file_by_name_and_names_the_unknown_references(
    admin_client: Client, isms: ManagementSystem
) -> None:
    control = controls.create_control(SYSTEM, title="Backups", type="technical", frequency="daily")
    response = admin_client.post(
        reverse("evidence-create"),
        {
            "kind": "file",
            "title": "Backup report",
            "file": SimpleUploadedFile("backup-report.csv", b"a,b\n", content_type="text/csv"),
            "management_systems": [isms.short_name],
            "controls": f"{control.ref_id}, KC-999, KC-998",
            "requirements": "iso27001:2022:A.8.13, iso27001:2022:A.99.1",
        },
    )
    assert response.status_code == 422 and not Evidence.objects.exists()
    html = response.content.decode()
    file_field = html.split('id="id_file"', 1)[1].split("</div>", 1)[0]
    assert "Choose the file again: backup-report.csv was not kept" in file_field
    controls_field = html.split('id="id_controls"', 1)[1].split("</div>", 1)[0]
    assert "Unknown controls: KC-999, KC-998." in controls_field
    assert control.ref_id not in controls_field.split("errorlist", 1)[1]
    requirements_field = html.split('id="id_requirements"', 1)[1].split("</div>", 1)[0]
    assert "Unknown requirement: iso27001:2022:A.99.1." in requirements_field


def test_a_form_shown_again_without_a_chosen_file_does_not_ask_for_one_again(
    admin_client: Client, isms: ManagementSystem
) -> None:
    response = admin_client.post(
        reverse("evidence-create"),
        {"kind": "link", "title": "Ticket", "url": "https://x.example/1", "controls": "KC-404"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Choose the file again" not in html and "Unknown control: KC-404." in html


def test_a_bad_version_upload_asks_for_the_file_again(admin_client: Client, isms: ManagementSystem) -> None:
    ev = file_evidence([isms], content=b"v1")
    response = admin_client.post(
        reverse("evidence-version-add", args=[ev.ref_id]),
        {
            "file": SimpleUploadedFile("scan.pdf", b"%PDF-1.4", content_type="application/pdf"),
            "collected_on": "not a date",
        },
    )
    assert response.status_code == 422 and ev.versions.count() == 1
    assert "Choose the file again: scan.pdf was not kept" in response.content.decode()


def test_create_a_link_and_refuse_a_javascript_url(admin_client: Client, isms: ManagementSystem) -> None:
    bad = admin_client.post(
        reverse("evidence-create"),
        {"kind": "link", "title": "X", "url": "javascript:alert(1)", "management_systems": [isms.short_name]},
    )
    assert bad.status_code == 422 and not Evidence.objects.exists()
    ok = admin_client.post(
        reverse("evidence-create"),
        {
            "kind": "link",
            "title": "Ticket",
            "url": "https://tickets.example.com/SEC-12",
            "management_systems": [isms.short_name],
        },
    )
    assert ok.status_code == 302
    assert Evidence.objects.get().current_version.url == "https://tickets.example.com/SEC-12"  # type: ignore[union-attr]


def test_link_and_unlink_inline(admin_client: Client, isms: ManagementSystem) -> None:
    control = controls.create_control(SYSTEM, title="Backups", type="technical", frequency="daily")
    ev = link_evidence([isms])
    htmx = {"HX-Request": "true"}
    r = admin_client.post(
        reverse("evidence-control-link", args=[ev.ref_id]), {"control": control.ref_id}, headers=htmx
    )
    assert r.status_code == 200 and b"<html" not in r.content and control.ref_id.encode() in r.content
    r = admin_client.post(
        reverse("evidence-requirement-link", args=[ev.ref_id]), {"requirement": "nope"}, headers=htmx
    )
    assert r.status_code == 200 and b"No requirement" in r.content
    r = admin_client.post(reverse("evidence-control-unlink", args=[ev.ref_id, control.ref_id]), headers=htmx)
    assert r.status_code == 200 and ev.control_links.count() == 0


def test_withdraw_through_the_page_keeps_the_download(admin_client: Client, isms: ManagementSystem) -> None:
    ev = file_evidence([isms], content=b"keep me")
    assert (
        admin_client.post(
            reverse("evidence-withdraw", args=[ev.ref_id]), {"reason": "Superseded"}
        ).status_code
        == 302
    )
    ev.refresh_from_db()
    assert ev.status == "withdrawn"
    assert "Old" not in admin_client.get(reverse("evidence-list")).content.decode()
    assert admin_client.get(reverse("evidence-download", args=[ev.ref_id, 1])).status_code == 200


def test_control_and_requirement_pages_show_their_evidence(
    admin_client: Client, isms: ManagementSystem
) -> None:
    control = controls.create_control(
        SYSTEM, title="Access", type="process", frequency="quarterly", management_systems=[isms.pk]
    )
    controls.link_requirement(SYSTEM, control.pk, "iso27001:2022:A.5.18")
    file_evidence([isms], title="Access review export", controls=[control.ref_id])
    link_evidence([isms], title="IAM policy page", requirements=["iso27001:2022:A.5.18"])
    html = admin_client.get(reverse("control-detail", args=[control.ref_id])).content.decode()
    assert "Access review export" in html
    html = admin_client.get(reverse("requirement-detail", args=["iso27001:2022:A.5.18"])).content.decode()
    assert "Access review export" in html and "IAM policy page" in html


def test_dashboard_shows_expired_and_expiring_evidence(admin_client: Client, isms: ManagementSystem) -> None:
    today = queries.today()
    file_evidence(
        [isms],
        title="Expired pentest",
        collected_on=today - dt.timedelta(days=400),
        valid_until=today - dt.timedelta(days=5),
    )
    link_evidence([isms], title="Soon DPA", valid_until=today + dt.timedelta(days=7))
    link_evidence([isms], title="Fine policy", valid_until=today + dt.timedelta(days=300))
    html = admin_client.get(reverse("dashboard")).content.decode()
    assert "Evidence expired or expiring within 30 days" in html
    html = html.split('id="evx-h"')[1].split("</section>")[0]  # the evidence panel
    assert '>1</span><span class="stat-label">Expired' in html
    assert "Expired pentest" in html and "Soon DPA" in html and "Fine policy" not in html


def test_new_version_keeps_downloads_of_both(admin_client: Client, isms: ManagementSystem) -> None:
    ev = file_evidence([isms], content=b"one")
    new_file_version(ev, b"two")
    one = admin_client.get(reverse("evidence-download", args=[ev.ref_id, 1]))
    two = admin_client.get(reverse("evidence-download", args=[ev.ref_id, 2]))
    assert b"".join(one.streaming_content) == b"one" and b"".join(two.streaming_content) == b"two"  # type: ignore[attr-defined]


def test_control_detail_runs_a_fixed_number_of_queries_whatever_its_evidence(
    admin_client: Client, isms: ManagementSystem
) -> None:
    control = controls.create_control(
        SYSTEM, title="Access", type="process", frequency="quarterly", management_systems=[isms.pk]
    )
    file_evidence([isms], controls=[control.ref_id])
    url = reverse("control-detail", args=[control.ref_id])
    small = queries_of(admin_client, url)
    for i in range(5):
        link_evidence([isms], title=f"L{i}", controls=[control.ref_id])
    assert queries_of(admin_client, url) == small
