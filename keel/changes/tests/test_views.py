"""Pages of keel.changes: the list, create per family, the detail with its gates as a
checklist linking to what is missing, approve refused naming the gates, reject with a reason,
the AI system page's panel."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from keel.changes import services
from keel.changes.models import Change
from keel.platform.choices import Role
from keel.platform.concurrency import version_of
from keel.platform.models import TrailEntry

from . import factories as f

pytestmark = pytest.mark.django_db


def test_create_each_family_and_list_them(admin_client: Any, admin: Any, isms: Any) -> None:
    system, version = f.system_with_version(isms)
    page = admin_client.get(reverse("change-create") + "?family=model_lifecycle")
    html = page.content.decode()
    assert page.status_code == 200 and 'name="model_version"' in html and 'name="test_plan"' not in html
    r = admin_client.post(
        reverse("change-create") + "?family=model_lifecycle",
        {
            "family": "model_lifecycle",
            "title": "Lower the refusal threshold",
            "kind": "threshold_prompt",
            "requester": admin.email,
            "owner": admin.email,
            "ai_system": system.short_name,
            "model_version": str(version.pk),
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    change = Change.objects.get(title="Lower the refusal threshold")
    assert change.management_system == isms and change.model_version == version
    html = admin_client.get(reverse("change-create") + "?family=management_system").content.decode()
    assert 'name="purpose"' in html and 'name="responsibilities"' in html and 'name="ai_system"' not in html
    r = admin_client.post(
        reverse("change-create") + "?family=management_system",
        {
            "family": "management_system",
            "management_system": isms.short_name,
            "title": "Split",
            "kind": "structure",
            "requester": admin.email,
            "owner": admin.email,
            "purpose": "Certify separately.",
        },
    )
    assert r.status_code == 302
    r = admin_client.post(
        reverse("change-create"),
        {
            "family": "information_system",
            "management_system": isms.short_name,
            "title": "",
            "kind": "normal",
            "requester": admin.email,
            "owner": admin.email,
        },
    )
    assert r.status_code == 422
    html = admin_client.get(reverse("change-list")).content.decode()
    assert "Lower the refusal threshold" in html and "Split" in html
    html = admin_client.get(reverse("change-list") + "?family=management_system").content.decode()
    assert "Lower the refusal threshold" not in html
    panel = admin_client.get(reverse("ai-system-detail", args=[system.short_name])).content.decode()
    assert "Model lifecycle changes" in panel and change.ref_id in panel


def test_the_detail_shows_the_gates_and_approval_is_refused_naming_them(
    client: Any, login_client: Any, admin: Any, isms: Any, make_user: Any
) -> None:
    system, version = f.system_with_version(isms)
    requester = make_user(Role.CONTRIBUTOR, isms)
    change = f.retraining(system, version, requester)
    services.submit(f.SYSTEM, change.pk)
    approver = login_client(admin)
    url = reverse("change-detail", args=[change.ref_id])
    html = approver.get(url).content.decode()
    assert html.count("badge-bad") == 3 and "3 of 3 missing" in html
    assert reverse("ai-system-detail", args=[system.short_name]) in html  # links to what is missing
    assert "keel change gate " + change.ref_id in html
    r = approver.post(reverse("change-approve", args=[change.ref_id]), {"note": ""})
    assert r.status_code == 422
    body = r.content.decode()
    assert "cannot be approved: 3 gates not met" in body and "verification and validation" in body
    r = approver.post(reverse("change-reject", args=[change.ref_id]), {"note": "Evaluate 3.2 first."})
    assert r.status_code == 302
    change.refresh_from_db()
    assert change.status == "rejected" and change.decision_note == "Evaluate 3.2 first."
    # the requester sees the detail but not the approve form
    html = login_client(requester).get(url).content.decode()
    assert 'id="change-decision"' not in html


def test_edit_submit_implement_and_close_through_the_pages(
    admin_client: Any, admin: Any, isms: Any, make_user: Any
) -> None:
    change = f.it_change(isms, make_user(Role.CONTRIBUTOR, isms), kind="emergency")
    edit = reverse("change-edit", args=[change.ref_id])
    page = admin_client.get(edit)
    assert page.status_code == 200
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    unchanged = admin_client.post(edit, data)  # saved unchanged: nothing is written
    assert unchanged.status_code == 302
    assert TrailEntry.objects.filter(object_id=str(change.pk)).count() == 1
    assert version_of(Change.objects.get(pk=change.pk)) == version_of(change)
    data.update({"rollback_plan": "Revert the firewall rule.", "kind": "emergency"})
    r = admin_client.post(edit, data)
    assert r.status_code == 302, r.content.decode()[:3000]
    for step, note in (
        ("change-submit", ""),
        ("change-approve", "Go."),
        ("change-implement", "Done."),
        ("change-close", "No side effects."),
    ):
        r = admin_client.post(reverse(step, args=[change.ref_id]), {"note": note})
        assert r.status_code == 302, (step, r.content.decode()[:2000])
    change.refresh_from_db()
    assert change.status == "closed" and change.review_note == "No side effects."
    html = admin_client.get(reverse("change-detail", args=[change.ref_id])).content.decode()
    assert "Post-implementation review" in html and "History" in html
