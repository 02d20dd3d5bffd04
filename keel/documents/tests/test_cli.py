"""``keel documents export``: every document with its versions, as the documented JSON contract."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from keel.documents import services
from keel.organisation.models import ManagementSystem
from keel.platform.choices import Role
from keel.platform.models import User
from keel.site.cli import main

from .factories import approved_policy, as_actor, policy

pytestmark = pytest.mark.django_db


def test_export_documents_with_their_versions(
    make_user: Callable[..., User],
    isms: ManagementSystem,
    aims: ManagementSystem,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    author = make_user(Role.COMPLIANCE_MANAGER, email="author@example.com")
    approver = make_user(Role.COMPLIANCE_MANAGER, email="approver@example.com")
    reader = make_user(Role.VIEWER, aims, email="reader@example.com")
    doc = approved_policy(author, approver, [isms], body="Version one.", requirements=["iso27001:2022:5.2"])
    services.add_version(as_actor(author), doc.pk, services.NewVersion(body="Version two.", change="minor"))
    policy(author, [aims], title="AI policy", body="AI rules.")

    assert main(["documents", "export"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"exported_at", "documents"}
    first = data["documents"][0]
    assert (first["ref_id"], first["issued_version"], first["requirements"]) == (
        "DOC-001",
        "1.0",
        ["iso27001:2022:5.2"],
    )
    assert [(v["label"], v["status"], v["body"]) for v in first["versions"]] == [
        ("1.0", "approved", "Version one."),
        ("1.1", "draft", "Version two."),
    ]
    assert first["versions"][0]["sha256"] == hashlib.sha256(b"Version one.").hexdigest()

    # --as narrows to what that person may read; --status and --output as documented
    target = tmp_path / "documents.json"
    assert main(["documents", "export", "--as", reader.email, "--output", str(target)]) == 0
    assert [d["title"] for d in json.loads(target.read_text())["documents"]] == ["AI policy"]
    assert main(["documents", "export", "--status", "approved"]) == 0
    assert [d["ref_id"] for d in json.loads(capsys.readouterr().out)["documents"]] == ["DOC-001"]
