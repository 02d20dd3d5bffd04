"""``keel trail verify``: any row altered or removed by hand is found and named."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from keel.organisation import people as people
from keel.platform.actor import Actor
from keel.platform.choices import Role
from keel.platform.models import TrailEntry, TrailHead, User
from keel.site.cli import main

Run = Callable[..., tuple[int, str, str]]
TABLE = connection.ops.quote_name(TrailEntry._meta.db_table)
HEAD = connection.ops.quote_name(TrailHead._meta.db_table)


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def call(*argv: str) -> tuple[int, str, str]:
        capsys.readouterr()
        code = main(list(argv))
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return call


@pytest.fixture
def seqs(db: Any) -> list[int]:
    """Six more trail entries written through a service; returns every seq in the chain."""
    actor = Actor.system("test")
    for i in range(6):
        people.create_user(actor, f"trail{i}@example.com")
    return list(TrailEntry.objects.order_by("seq").values_list("seq", flat=True))


def sql(statement: str, *params: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def checkpoint_from(out: str) -> dict[str, Any]:
    line = next(line for line in out.splitlines() if line.startswith("Checkpoint: "))
    return dict(json.loads(line.removeprefix("Checkpoint: ")))


def test_intact_chain_verifies_and_prints_a_checkpoint(run: Run, seqs: list[int]) -> None:
    # When
    code, out, err = run("trail", "verify")

    # Then
    assert code == 0, err
    last = TrailEntry.objects.get(seq=seqs[-1])
    assert out.splitlines()[0] == f"OK: {len(seqs)} entries, last hash {last.hash}"
    assert checkpoint_from(out) == {"count": len(seqs), "last_seq": seqs[-1], "last_hash": last.hash}


def test_json_format(run: Run, seqs: list[int]) -> None:
    code, out, _ = run("trail", "verify", "--format", "json")
    doc = json.loads(out)
    assert code == 0
    assert doc["ok"] is True and doc["count"] == len(seqs) and doc["problems"] == []
    assert doc["first_broken_seq"] is None
    assert doc["checkpoint"] == {"count": len(seqs), "last_seq": seqs[-1], "last_hash": doc["last_hash"]}


def test_altered_payload_is_named(run: Run, seqs: list[int]) -> None:
    # Given the payload of a middle entry rewritten by hand
    victim = seqs[-3]
    payload = TrailEntry.objects.get(seq=victim).payload
    forged = payload.replace("trail", "forged", 1)
    assert forged != payload
    sql(f"UPDATE {TABLE} SET payload = %s WHERE seq = %s", forged, victim)  # noqa: S608

    # When
    code, out, err = run("trail", "verify")

    # Then it fails naming that entry first
    assert code == 1
    assert f"first broken entry is #{victim}" in out
    assert f"entry #{victim}: hash does not match its payload" in out
    assert err.strip() == f"keel: error: the audit trail is broken at entry #{victim}."


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("actor_label", "someone-else"),
        ("object_repr", "a different name"),
        ("action", "delete"),
    ],
)
def test_altered_column_is_named(run: Run, seqs: list[int], column: str, value: str) -> None:
    victim = seqs[-2]
    sql(f"UPDATE {TABLE} SET {column} = %s WHERE seq = %s", value, victim)  # noqa: S608

    code, out, _ = run("trail", "verify", "--format", "json")

    doc = json.loads(out)
    assert code == 1
    assert doc["ok"] is False and doc["first_broken_seq"] == victim
    assert f"entry #{victim}: column '{column}' does not match the hashed payload" in doc["problems"]
    assert doc["checkpoint"] is None


def test_rehashed_entry_breaks_the_link_to_the_next(run: Run, seqs: list[int]) -> None:
    # Given a forger who rewrites a payload and recomputes that entry's hash
    from keel.platform.trail import chain_hash

    victim = seqs[-3]
    entry = TrailEntry.objects.get(seq=victim)
    forged = entry.payload.replace("trail", "forged", 1)
    sql(
        f"UPDATE {TABLE} SET payload = %s, object_repr = %s, hash = %s WHERE seq = %s",  # noqa: S608
        forged,
        json.loads(forged)["object_repr"],
        chain_hash(entry.prev_hash, forged),
        victim,
    )

    code, out, _ = run("trail", "verify")

    # Then the next entry no longer links to it
    assert code == 1
    assert f"entry #{victim + 1}: prev_hash does not match" in out


def test_deleted_middle_row_is_caught(run: Run, seqs: list[int]) -> None:
    victim = seqs[-4]
    sql(f"DELETE FROM {TABLE} WHERE seq = %s", victim)  # noqa: S608

    code, out, _ = run("trail", "verify")

    assert code == 1
    assert f"first broken entry is #{victim}" in out
    assert f"entry #{victim}: missing" in out


def test_deleted_last_rows_are_caught_by_the_chain_head(run: Run, seqs: list[int]) -> None:
    sql(f"DELETE FROM {TABLE} WHERE seq > %s", seqs[-3])  # noqa: S608

    code, out, _ = run("trail", "verify")

    assert code == 1
    assert "entries were removed from the end" in out


def test_deleted_last_rows_with_rewritten_head_are_caught_by_a_checkpoint(
    run: Run, seqs: list[int], tmp_path: Path
) -> None:
    # Given a checkpoint written while the chain was whole
    cp = tmp_path / "cp.json"
    code, _, err = run("trail", "verify", "--write-checkpoint", str(cp))
    assert code == 0 and "Checkpoint written" in err
    assert json.loads(cp.read_text())["last_seq"] == seqs[-1]

    # And the last two rows cut, with the chain head rewritten to hide it
    keep = TrailEntry.objects.get(seq=seqs[-3])
    sql(f"DELETE FROM {TABLE} WHERE seq > %s", keep.seq)  # noqa: S608
    sql(f"UPDATE {HEAD} SET seq = %s, hash = %s", keep.seq, keep.hash)  # noqa: S608
    assert run("trail", "verify")[0] == 0  # without a checkpoint nothing can tell

    # When verified against the checkpoint
    code, out, _ = run("trail", "verify", "--checkpoint", str(cp))

    # Then the cut is found
    assert code == 1
    assert f"entries #{seqs[-2]} to #{seqs[-1]} recorded in the checkpoint are gone" in out


def test_a_checkpoint_from_the_printed_json_is_accepted(run: Run, seqs: list[int], tmp_path: Path) -> None:
    # Given the JSON that verify printed, saved as a file, and more entries since
    _, out, _ = run("trail", "verify", "--format", "json")
    cp = tmp_path / "printed.json"
    cp.write_text(out)
    people.create_user(Actor.system("test"), "later@example.com")

    # When / then the chain still contains the checkpoint's entry
    code, out, _ = run("trail", "verify", "--checkpoint", str(cp))
    assert code == 0
    assert f"The checkpoint at entry #{seqs[-1]} is still part of the chain." in out


def test_a_checkpoint_whose_entry_was_replaced_is_caught(run: Run, seqs: list[int], tmp_path: Path) -> None:
    cp = tmp_path / "cp.json"
    cp.write_text(json.dumps({"count": len(seqs), "last_seq": seqs[-1], "last_hash": "f" * 64}))
    code, out, _ = run("trail", "verify", "--checkpoint", str(cp))
    assert code == 1
    assert f"entry #{seqs[-1]}: hash differs from the checkpoint" in out


def test_no_checkpoint_is_written_for_a_broken_chain(run: Run, seqs: list[int], tmp_path: Path) -> None:
    sql(f"UPDATE {TABLE} SET ip = %s WHERE seq = %s", "10.0.0.1", seqs[-1])  # noqa: S608
    cp = tmp_path / "cp.json"
    code, _, err = run("trail", "verify", "--write-checkpoint", str(cp))
    assert code == 1
    assert not cp.exists()
    assert "No checkpoint written" in err


@pytest.mark.parametrize("content", [None, "not json", '{"count": 3}', '{"last_seq": 3, "last_hash": "abc"}'])
def test_a_bad_checkpoint_file_is_a_usage_error(
    run: Run, seqs: list[int], tmp_path: Path, content: str | None
) -> None:
    cp = tmp_path / "cp.json"
    if content is not None:
        cp.write_text(content)
    code, out, err = run("trail", "verify", "--checkpoint", str(cp))
    assert code == 2
    assert out == ""
    assert err.startswith("keel: error: --checkpoint ") and err.count("\n") == 1


def test_verify_as_an_auditor_is_allowed_and_as_a_viewer_refused(
    run: Run, seqs: list[int], make_user: Callable[..., User]
) -> None:
    auditor, viewer = make_user(Role.AUDITOR), make_user(Role.VIEWER)
    assert run("trail", "verify", "--as", auditor.email)[0] == 0
    code, _, err = run("trail", "verify", "--as", viewer.email)
    assert code == 1
    assert "not allowed to: view the audit trail" in err
