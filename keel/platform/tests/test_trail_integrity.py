"""Defects 8 and 9 of issue 9: a row forged outside the chain or a removed chain head is found
(and a missing head is refused and repaired, never silently restarted); and an auditor of one
management system sees the trail of the controls, control links and evidence of that system."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from keel.controls import services as controls
from keel.controls.models import Control
from keel.evidence.tests.factories import file_evidence
from keel.organisation import people as people
from keel.organisation.models import ManagementSystem
from keel.platform import trail
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.models import TrailEntry, TrailHead, User
from keel.platform.tests.test_trail import Run, sql
from keel.site.cli import main

TABLE = connection.ops.quote_name(TrailEntry._meta.db_table)
HEAD = connection.ops.quote_name(TrailHead._meta.db_table)
OP = Actor.system("trail-tests")


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def call(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return call


def forge_seq_zero(like: TrailEntry) -> None:
    """Insert a copy of ``like`` numbered 0, with a payload and hash that are self-consistent."""
    data = json.loads(like.payload)
    data.update(seq=0, object_repr="Forged approval", action="approve")
    payload = trail.canonical(data)
    sql(
        f"INSERT INTO {TABLE} (seq, at, actor_id, actor_label, channel, ip, action, object_type, "  # noqa: S608
        "object_id, object_repr, management_system_id, payload, prev_hash, hash) "
        "VALUES (0, %s, NULL, %s, %s, '', 'approve', %s, %s, 'Forged approval', NULL, %s, %s, %s)",
        like.at,
        like.actor_label,
        like.channel,
        like.object_type,
        like.object_id,
        payload,
        trail.GENESIS,
        trail.chain_hash(trail.GENESIS, payload),
    )


@pytest.fixture
def control(isms: ManagementSystem) -> Control:
    return controls.create_control(
        OP, title="Access reviews", type="process", frequency="quarterly", management_systems=[isms.pk]
    )


# ---------------------------------------------------------------- defect 8: seq 0


def test_an_entry_forged_at_seq_zero_fails_verification(run: Run, control: Control, tmp_path: Any) -> None:
    cp = tmp_path / "cp.json"
    assert run("trail", "verify", "--write-checkpoint", str(cp))[0] == 0
    forge_seq_zero(TrailEntry.objects.get(object_id=str(control.pk)))

    code, out, err = run("trail", "verify")
    assert code == 1, out
    assert "entry #0: numbered outside the chain" in out
    assert "broken at entry #0" in err

    code, out, _ = run("trail", "verify", "--checkpoint", str(cp))
    assert code == 1 and "entry #0: numbered outside the chain" in out


def test_an_entry_forged_at_seq_zero_is_not_in_the_control_history(
    admin_client: Client, control: Control
) -> None:
    forge_seq_zero(TrailEntry.objects.get(object_id=str(control.pk)))

    page = admin_client.get(f"/controls/{control.ref_id}/")

    assert page.status_code == 200
    assert "Access reviews" in page.content.decode()
    assert "Forged approval" not in page.content.decode()


def test_an_entry_forged_at_seq_zero_is_not_on_the_trail_page_or_api(
    admin_client: Client, control: Control
) -> None:
    forge_seq_zero(TrailEntry.objects.get(object_id=str(control.pk)))

    assert "Forged approval" not in admin_client.get("/trail/").content.decode()
    listed = admin_client.get("/api/v1/trail-entries", {"limit": 500}).json()
    assert 0 not in [item["seq"] for item in listed["items"]]
    assert admin_client.get("/api/v1/trail-entries/0").status_code == 404


# ---------------------------------------------------------------- defect 8: the head


def test_a_missing_head_fails_verification_and_refuses_writes(run: Run, control: Control) -> None:
    before = TrailEntry.objects.count()
    sql(f"DELETE FROM {HEAD}")  # noqa: S608

    code, out, _ = run("trail", "verify")
    assert code == 1
    assert "the chain head row is missing" in out and "keel trail repair-head" in out

    with pytest.raises(trail.TrailHeadMissing, match="keel trail repair-head"):
        people.create_user(OP, "after@example.com")
    assert TrailEntry.objects.count() == before
    assert not User.objects.filter(email="after@example.com").exists()
    assert not TrailHead.objects.exists()  # never silently restarted at genesis


def test_a_missing_head_answers_a_clear_error_on_the_api(admin_client: Client, control: Control) -> None:
    sql(f"DELETE FROM {HEAD}")  # noqa: S608

    response = admin_client.post(
        "/api/v1/controls",
        {"title": "Backups", "type": "technical", "frequency": "daily", "management_systems": ["isms"]},
        content_type="application/json",
    )

    assert response.status_code == 503
    assert "keel trail repair-head" in response.content.decode()
    assert not Control.objects.filter(title="Backups").exists()


def test_repair_head_rebuilds_from_the_verified_chain_and_is_recorded(run: Run, control: Control) -> None:
    last = TrailEntry.objects.order_by("-seq").first()
    assert last is not None
    sql(f"DELETE FROM {HEAD}")  # noqa: S608

    code, out, err = run("trail", "repair-head")

    assert code == 0, err
    assert f"#{last.seq + 1}" in out
    repair = TrailEntry.objects.order_by("-seq").first()
    assert repair is not None and repair.seq == last.seq + 1 and repair.action == "repair"
    assert repair.prev_hash == last.hash
    assert run("trail", "verify")[0] == 0
    people.create_user(OP, "after@example.com")  # writes work again
    assert run("trail", "verify")[0] == 0


def test_repair_head_is_refused_when_the_head_is_present(run: Run, control: Control) -> None:
    before = TrailEntry.objects.count()
    code, _, err = run("trail", "repair-head")
    assert code == 1 and "nothing to repair" in err
    assert TrailEntry.objects.count() == before


def test_repair_head_is_refused_when_the_chain_is_broken(run: Run, control: Control) -> None:
    sql(f"UPDATE {TABLE} SET object_repr = 'x' WHERE seq = (SELECT MAX(seq) FROM {TABLE})")  # noqa: S608
    sql(f"DELETE FROM {HEAD}")  # noqa: S608

    code, _, err = run("trail", "repair-head")

    assert code == 1 and "does not verify" in err
    assert not TrailHead.objects.exists()


# ---------------------------------------------------------------- defect 9: visibility


@pytest.fixture
def scoped(
    isms: ManagementSystem, aims: ManagementSystem, make_user: Callable[..., User], control: Control
) -> dict[str, Any]:
    """A control, a link and evidence on the ISMS; a control on the AIMS only; an auditor of
    the ISMS."""
    link = controls.link_requirement(OP, control.pk, "iso27001:2022:A.5.18", "full", "")
    evidence = file_evidence([isms], title="Access review export", controls=[control.ref_id])
    other = controls.create_control(
        OP, title="Model cards", type="process", frequency="quarterly", management_systems=[aims.pk]
    )
    auditor = make_user(Role.AUDITOR, isms, email="auditor@example.com")
    return {"control": control, "link": link, "evidence": evidence, "other": other, "auditor": auditor}


def test_entries_record_every_system_they_concern(scoped: dict[str, Any], isms: ManagementSystem) -> None:
    for key in ("control", "link", "evidence"):
        entry = TrailEntry.objects.filter(object_id=str(scoped[key].pk)).latest("seq")
        assert json.loads(entry.payload)["management_system_ids"] == [str(isms.pk)]
        assert [str(r.management_system_id) for r in entry.system_rows.all()] == [str(isms.pk)]
    assert trail.verify().ok


def test_a_system_auditor_sees_its_controls_links_and_evidence_on_the_trail_page(
    scoped: dict[str, Any], login_client: Callable[[User], Client]
) -> None:
    client = login_client(scoped["auditor"])

    html = client.get("/trail/").content.decode()

    assert "Access reviews" in html
    assert "iso27001:2022:A.5.18" in html or "A.5.18" in html
    assert "Access review export" in html
    assert "Model cards" not in html


def test_a_system_auditor_sees_its_controls_links_and_evidence_on_the_api(
    scoped: dict[str, Any], login_client: Callable[[User], Client]
) -> None:
    client = login_client(scoped["auditor"])

    body = client.get("/api/v1/trail-entries", {"limit": 500}).json()
    seen = {item["object_id"] for item in body["items"]}

    for key in ("control", "link", "evidence"):
        assert str(scoped[key].pk) in seen, key
    assert str(scoped["other"].pk) not in seen
    other = TrailEntry.objects.get(object_id=str(scoped["other"].pk))
    mine = TrailEntry.objects.get(object_id=str(scoped["link"].pk))
    assert client.get(f"/api/v1/trail-entries/{other.seq}").status_code == 403
    assert client.get(f"/api/v1/trail-entries/{mine.seq}").status_code == 200


def test_a_control_in_two_systems_shows_only_the_viewers_entries_in_its_history(
    scoped: dict[str, Any],
    aims: ManagementSystem,
    isms: ManagementSystem,
    login_client: Callable[[User], Client],
) -> None:
    # Given a control in both systems, and an evidence link entry that concerns only the AIMS
    both = controls.create_control(
        OP, title="Shared logging", type="technical", frequency="daily", management_systems=[isms.pk, aims.pk]
    )
    file_evidence([aims], title="AIMS-only log export", controls=[scoped["other"].ref_id])
    client = login_client(scoped["auditor"])

    html = client.get(f"/controls/{both.ref_id}/").content.decode()
    trail_html = client.get("/trail/").content.decode()

    assert "Shared logging" in trail_html
    assert "AIMS-only log export" not in trail_html
    assert html.count("Shared logging") >= 1
