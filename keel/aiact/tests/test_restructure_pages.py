"""The split and merge pages (preview, confirm with a reason, result) and the
``management_system.restructured`` hook that lets other apps move their own records."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from keel.aiact import restructure
from keel.aisystems.models import AISystem
from keel.organisation.models import ManagementSystem
from keel.platform import hooks, trail
from keel.platform.actor import Actor
from keel.platform.choices import Role, TrailAction
from keel.platform.models import TrailEntry
from keel.platform.tests.shared_db import LoadedDemo

OPERATOR = Actor.system("test")


@pytest.fixture
def recorder() -> Iterator[list[dict[str, Any]]]:
    """A function registered for the hook for the test's length: records its calls and answers
    one trail entry, as an app moving its records would."""
    calls: list[dict[str, Any]] = []

    def moved(**kwargs: Any) -> list[trail.Pending]:
        calls.append(kwargs)
        return [
            trail.Pending(
                TrailAction.UPDATE,
                None,
                changes={"management_system": [kwargs["source"].short_name, kwargs["target"].short_name]},
                object_type="elsewhere.relocatedrecord",
                object_id="AP-001",
                object_repr="AP-001 Audit programme",
                management_system_ids=[kwargs["source"].pk, kwargs["target"].pk],
            )
        ]

    hooks._hooks.setdefault("management_system.restructured", []).append(moved)
    yield calls
    hooks._hooks["management_system.restructured"].remove(moved)


def test_split_and_merge_call_the_restructured_hook_and_record_its_entries(
    demo: LoadedDemo, recorder: list[dict[str, Any]]
) -> None:
    seq = TrailEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    preview = restructure.preview_split(OPERATOR, "integrated", name="AIMS", short_name="aims-x")
    assert not ManagementSystem.objects.filter(short_name="aims-x").exists(), "a preview changes nothing"
    assert (
        preview.moved["AI systems"]
        == AISystem.objects.filter(management_system__short_name="integrated").count()
    )
    assert len(recorder) == 1 and recorder[0]["kind"] == "split"
    result = restructure.split_result(
        OPERATOR, "integrated", name="AIMS", short_name="aims-x", note="Separate AI team"
    )
    call = recorder[-1]
    assert call["kind"] == "split" and call["source"].short_name == "integrated"
    assert call["target"] == result.target and call["standard"].key == "iso42001:2023"
    assert result.moved == preview.moved and result.moved["Relocatedrecord"] == 1
    entry = TrailEntry.objects.filter(seq__gt=seq, object_type="elsewhere.relocatedrecord").get()
    assert entry.object_id == "AP-001"
    merged = restructure.merge_result(OPERATOR, "integrated", "aims-x", "Back to one")
    assert recorder[-1]["kind"] == "merge" and recorder[-1]["standard"] is None
    assert recorder[-1]["source"].short_name == "aims-x" and merged.target.short_name == "integrated"
    assert TrailEntry.objects.filter(seq__gt=seq, object_type="elsewhere.relocatedrecord").count() == 2


def test_the_split_page_previews_confirms_with_a_reason_and_shows_what_moved(demo: LoadedDemo) -> None:
    from keel.platform.models import User
    from keel.site.demo import DEMO_ADMIN_EMAIL

    client = Client()
    client.force_login(User.objects.get(email=DEMO_ADMIN_EMAIL))
    page = client.get(reverse("aiact-operating-model")).content.decode()
    assert "Split into ISMS and AIMS" in page and "Merge into one" in page
    url = reverse("aiact-restructure-split")
    params = {"management_system": "integrated", "name": "Tessellate AIMS", "short_name": "t-aims"}
    r = client.get(url, {**params, "preview": "1"})
    body = r.content.decode()
    assert r.status_code == 200 and "What will move" in body and "AI systems" in body
    assert not ManagementSystem.objects.filter(short_name="t-aims").exists()
    r = client.post(url, params)  # no reason
    assert r.status_code == 422 and "reason" in r.content.decode()
    assert not ManagementSystem.objects.filter(short_name="t-aims").exists()
    r = client.post(url, {**params, "note": "The AI function now runs separately."})
    assert r.status_code == 302 and r["Location"] == reverse("aiact-restructure-result")
    done = client.get(r["Location"]).content.decode()
    assert "Tessellate AIMS is the AIMS" in done and "AI systems" in done
    aims = ManagementSystem.objects.get(short_name="t-aims")
    assert AISystem.objects.filter(management_system=aims).exists()
    merge = reverse("aiact-restructure-merge")
    r = client.get(merge, {"target": "integrated", "source": "t-aims", "preview": "1"})
    assert r.status_code == 200 and "What will move" in r.content.decode()
    r = client.post(merge, {"target": "integrated", "source": "t-aims", "note": "One system again."})
    assert r.status_code == 302
    aims.refresh_from_db()
    assert aims.status == "retired"


def test_only_an_administrator_may_split_or_merge(demo: LoadedDemo, make_user: Any) -> None:
    client = Client()
    client.force_login(make_user(Role.COMPLIANCE_MANAGER))
    assert client.get(reverse("aiact-restructure-split")).status_code == 403
    r = client.post(
        reverse("aiact-restructure-merge"), {"target": "integrated", "source": "research-aims", "note": "x"}
    )
    assert r.status_code == 403
    assert "Split into ISMS and AIMS" not in client.get(reverse("aiact-operating-model")).content.decode()
