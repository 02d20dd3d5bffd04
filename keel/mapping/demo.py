"""The demo organisation's mapping-suggestion decisions (loaded by keel/site/demo.py after the
gap analysis's older ISMS controls): the compliance manager accepted one suggestion, with
the relation she saw, and rejected one that only shared a word."""

from __future__ import annotations

from collections.abc import Callable

from keel.controls.models import Control
from keel.platform.actor import Actor

from .suggest.services import decide

# (control title, target key, decision, relation, method, score, explanation)
DECISIONS: list[tuple[str, str, str, str, str, float, str]] = [
    (
        "Security incident response runbook",
        "iso42001:2023:A.8.4",
        "accepted",
        "intersects",
        "lexical",
        0.31,
        "shared terms: incident (title, guidance), communication (title, guidance); the runbook's "
        "communication templates serve AI incidents too, but not the AI-specific recipients",
    ),
    (
        "Production change management",
        "iso42001:2023:6.3",
        "rejected",
        "",
        "lexical",
        0.22,
        "shared terms: change (title, guidance): 6.3 is about changes to the management system, "
        "not to production software",
    ),
]


def load_demo_suggestions(actor: Actor, say: Callable[[str], None]) -> None:
    say(f"Recording {len(DECISIONS)} decisions on mapping suggestions ...")
    for title, target, decision, relation, method, score, explanation in DECISIONS:
        control = Control.objects.get(title=title)
        decide(actor, control.ref_id, target, decision, method=method, score=score, explanation=explanation,
               relation=relation)  # fmt: skip
