"""The demo's changes: the approved credit-model retraining passes ``keel change gate``; the
support assistant's prompt change is refused, naming its missing gates; the implemented upgrade's
review is overdue (a finding and a reminder); the planned ISMS/AIMS separation is submitted."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from keel.changes import gates, queries
from keel.changes.hooks import reminders_due, reviews_overdue
from keel.changes.models import Change
from keel.platform.tests.shared_db import LoadedDemo


def test_demo_changes(demo: LoadedDemo) -> None:
    rows = {c.title.split()[0]: c for c in Change.objects.all()}
    assert {k: (c.family, c.kind, c.status) for k, c in rows.items()} == {
        "Retrain": ("model_lifecycle", "retraining", "approved"),
        "Tighten": ("model_lifecycle", "threshold_prompt", "submitted"),
        "Upgrade": ("information_system", "normal", "implemented"),
        "Run": ("management_system", "structure", "submitted"),
    }
    assert gates.answer(rows["Retrain"]).approved and all(g.ok for g in gates.gates_of(rows["Retrain"]))
    support = gates.answer(rows["Tighten"])
    assert not support.approved and {g.name for g in support.gates if not g.ok} == {
        "impact assessment",
        "AI risks",
    }
    assert all(g.ok for g in gates.gates_of(rows["Run"]))
    assert [f.record_label.split()[0] for f in reviews_overdue(None)] == [rows["Upgrade"].ref_id]
    due = list(reminders_due(None, timezone.localdate(), dt.timedelta(days=14)))
    assert {d.kind for d in due} == {"Planned change", "Post-implementation review"}
    assert queries.model_changes(None, rows["Retrain"].ai_system) == [rows["Retrain"]]
