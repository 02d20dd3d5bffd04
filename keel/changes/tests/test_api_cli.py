"""The changes API and ``keel change gate``: create, read, filter, the workflow actions, the
refusal naming the missing gates, and the gate answer — non-zero, then 0 after approval, the same
in the CLI and ``GET /changes/{ref}/gate``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from keel.aisystems.tests import factories as ai
from keel.changes import services
from keel.impact.tests import factories as impact
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.risks import services as risk_services
from keel.risks.tests import factories as rf
from keel.site.cli import main

from . import factories as f

API = "/api/v1"
pytestmark = pytest.mark.django_db


def send(client: Client, path: str, body: Any = None, method: str = "POST", **headers: Any) -> Any:
    return client.generic(
        method, API + path, json.dumps(body or {}), content_type="application/json", **headers
    )


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_a_retraining_change_through_the_api_and_the_gate_command(
    isms: Any, admin: Any, make_user: Any, login_client: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    system, version = f.system_with_version(isms)
    rf.ai_risk(isms, admin, ai_system=system)
    requester = make_user(Role.COMPLIANCE_MANAGER, isms)
    client = login_client(requester)
    r = send(
        client,
        "/changes",
        {
            "family": "model_lifecycle",
            "kind": "retraining",
            "title": "Retrain on Q3 data",
            "ai_system": system.short_name,
            "model_version": "helix-gbm@3.2",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    ref = body["ref_id"]
    assert body["management_system"] == isms.short_name and body["requester"] == requester.email
    assert body["model_version"] == "helix-gbm@3.2" and body["status"] == "draft"
    assert send(client, f"/changes/{ref}/submit", {}).json()["status"] == "submitted"

    code, out, err = run(["change", "gate", ref], capsys)
    assert code == 1 and "not approved" in err and "impact assessment" in err
    code, out, err = run(["change", "gate", ref, "--json"], capsys)
    answer = json.loads(out)
    assert (
        code == 1 and answer["ref"] == ref and answer["status"] == "submitted" and answer["approved"] is False
    )
    assert [g["name"] for g in answer["gates"]] == [
        "impact assessment",
        "AI risks",
        "verification and validation",
    ]
    assert set(answer["gates"][0]) == {"name", "ok", "detail"} and not any(g["ok"] for g in answer["gates"])
    assert client.get(f"{API}/changes/{ref}/gate").json() == answer

    # the requester may not approve; someone else is refused, naming each missing gate
    r = send(client, f"/changes/{ref}/approve", {"note": "ok"})
    assert r.status_code == 403 and "someone else approves it" in r.json()["error"]["message"]
    approver = login_client(admin)
    r = send(approver, f"/changes/{ref}/approve", {"note": "ok"})
    assert r.status_code == 422
    message = r.json()["error"]["message"]
    assert (
        "3 gates not met" in message and "AI risks:" in message and "verification and validation:" in message
    )

    impact.approved(system)
    for risk in system.risks.all():
        risk_services.update_risk(f.SYSTEM, risk.pk, reassess=True)
    ai.passing_evaluation(system, version)
    r = send(approver, f"/changes/{ref}/approve", {"note": "Gates met."})
    assert r.status_code == 200 and r.json()["status"] == "approved" and r.json()["approver"] == admin.email
    code, out, err = run(["change", "gate", ref, "--json"], capsys)
    assert (
        code == 0 and json.loads(out)["approved"] is True and all(g["ok"] for g in json.loads(out)["gates"])
    )
    assert run(["change", "gate", ref], capsys)[0] == 0
    assert (
        send(client, f"/changes/{ref}/implement", {"note": "Rolled out."}).json()["status"] == "implemented"
    )
    assert run(["change", "gate", ref], capsys)[0] == 0
    r = send(client, f"/changes/{ref}/close", {"note": ""})
    assert r.status_code == 422 and "post-implementation review" in r.json()["error"]["message"]
    assert send(client, f"/changes/{ref}/close", {"note": "AUC held."}).json()["status"] == "closed"
    code, _, err = run(["change", "gate", ref], capsys)
    assert code == 1 and "closed" in err


def test_list_filters_get_patch_and_errors(
    isms: Any,
    aims: Any,
    admin: Any,
    admin_client: Client,
    make_user: Any,
    login_client: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    normal = f.it_change(isms, admin, test_plan="Staging.")
    f.it_change(aims, admin, kind="standard", title="Rotate keys")
    f.ms_change(isms, admin)
    r = admin_client.get(f"{API}/changes?family=information_system&limit=5")
    assert r.status_code == 200 and r.json()["count"] == 2
    assert [
        c["ref_id"] for c in admin_client.get(f"{API}/changes?management_system=aims").json()["items"]
    ] == ["CHG-002"]
    assert admin_client.get(f"{API}/changes?status=open").json()["count"] == 3
    assert admin_client.get(f"{API}/changes?status=bogus").status_code == 422
    got = admin_client.get(f"{API}/changes/{normal.ref_id}")
    assert got.status_code == 200 and got.json()["test_plan"] == "Staging."
    r = send(
        admin_client,
        f"/changes/{normal.ref_id}",
        {"rollback_plan": "Restore."},
        "PATCH",
        HTTP_IF_MATCH='"stale"',
    )
    assert r.status_code == 409
    r = send(
        admin_client,
        f"/changes/{normal.ref_id}",
        {"rollback_plan": "Restore.", "version": got.json()["version"]},
        "PATCH",
    )
    assert r.status_code == 200 and r.json()["rollback_plan"] == "Restore."
    r = send(
        admin_client,
        "/changes",
        {"family": "information_system", "kind": "retraining", "title": "x", "management_system": "isms"},
    )
    assert r.status_code == 422 and r.json()["error"]["fields"]["kind"]
    assert admin_client.get(f"{API}/changes/CHG-999").status_code == 404
    # a viewer of the AIMS only sees its changes and cannot create one in the ISMS
    viewer = login_client(make_user(Role.VIEWER, aims))
    assert viewer.get(f"{API}/changes").json()["count"] == 1
    assert viewer.get(f"{API}/changes/{normal.ref_id}").status_code == 404
    r = send(
        viewer,
        "/changes",
        {"family": "information_system", "kind": "standard", "title": "x", "management_system": "isms"},
    )
    assert r.status_code in (403, 422)
    code, _, err = run(["change", "gate", "CHG-404"], capsys)
    assert code == 1 and "No change" in err


def test_the_gate_command_as_a_user_sees_only_their_perimeter(
    isms: Any, aims: Any, admin: Any, make_user: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    change = f.it_change(isms, admin, kind="standard")
    services.submit(f.SYSTEM, change.pk)
    services.approve(Actor.for_user(make_user(Role.COMPLIANCE_MANAGER, isms), "web"), change.pk)
    outsider = make_user(Role.VIEWER, aims)
    assert run(["change", "gate", change.ref_id, "--as", outsider.email], capsys)[0] == 1
    insider = make_user(Role.VIEWER, isms)
    assert run(["change", "gate", change.ref_id, "--as", insider.email], capsys)[0] == 0
