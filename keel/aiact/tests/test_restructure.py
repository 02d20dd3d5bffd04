"""Splitting the demo's integrated management system into an ISMS and an AIMS and merging it
back (issue 17 "done when"): every control, risk, document, AI system and link is where it was,
the split put the AI records in the AIMS and kept the shared backbone in both, and the trail
tells what moved."""

from __future__ import annotations

import json
from typing import Any

import pytest

from keel.aiact import restructure
from keel.aisystems.models import AISystem, Dataset
from keel.assets.models import Asset
from keel.controls.models import Control, ControlLink
from keel.documents.models import Document
from keel.evidence.models import Evidence, EvidenceControl, EvidenceRequirement
from keel.gap.models import CoverageDecision, ScopeConfirmation
from keel.organisation.models import ManagementSystem, ScopeStatement
from keel.platform.actor import Actor
from keel.platform.errors import Conflict, ValidationFailed
from keel.platform.models import TrailEntry
from keel.platform.tests.shared_db import LoadedDemo
from keel.risks.models import Risk
from keel.soa.models import StatementOfApplicability
from keel.support.models import (
    AwarenessCampaign,
    Commitment,
    Communication,
    CompetenceRecord,
    Concern,
    LegalRequirement,
    MsRole,
    Objective,
)

SUPPORT = (
    MsRole,
    Commitment,
    Objective,
    CompetenceRecord,
    AwarenessCampaign,
    Communication,
    Concern,
    LegalRequirement,
)

OPERATOR = Actor.system("test")


def state() -> dict[str, Any]:
    """Where every record is, and every link between records."""

    def fk(model: Any, key: str) -> dict[str, str]:
        return {str(k): str(ms) for k, ms in model.objects.values_list(key, "management_system__short_name")}

    def m2m(model: Any) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for ref, ms in model.objects.values_list("ref_id", "management_systems__short_name"):
            out.setdefault(ref, []).append(str(ms))
        return {k: sorted(v) for k, v in out.items()}

    return {
        "ai_systems": fk(AISystem, "short_name"),
        "datasets": fk(Dataset, "short_name"),
        "risks": fk(Risk, "ref_id"),
        "assets": fk(Asset, "pk"),
        "soas": fk(StatementOfApplicability, "pk"),
        "scopes": fk(ScopeStatement, "pk"),
        "decisions": fk(CoverageDecision, "pk"),
        "confirmations": fk(ScopeConfirmation, "pk"),
        "controls": m2m(Control),
        "evidence": m2m(Evidence),
        "documents": m2m(Document),
        **{m.__name__: fk(m, "pk") for m in SUPPORT},
        "control_links": sorted(
            map(str, ControlLink.objects.values_list("control_id", "requirement_id", "coverage"))
        ),
        "evidence_links": sorted(map(str, EvidenceControl.objects.values_list("evidence_id", "control_id")))
        + sorted(map(str, EvidenceRequirement.objects.values_list("evidence_id", "requirement_id"))),
        "risk_controls": sorted(map(str, Risk.controls.through.objects.values_list("risk_id", "control_id"))),
        "standards": sorted(
            ManagementSystem.objects.get(short_name="integrated").standards.values_list("key", flat=True)
        ),
    }


def test_split_the_integrated_system_and_merge_it_back_leaves_every_record_and_link_in_place(
    demo: LoadedDemo,
) -> None:
    before = state()
    counts = {m: m.objects.count() for m in (Control, Evidence, Risk, AISystem, StatementOfApplicability)}
    seq = TrailEntry.objects.order_by("-seq").values_list("seq", flat=True).first()

    aims = restructure.split(OPERATOR, "integrated", name="Tessellate AIMS", short_name="tessellate-aims")

    split = state()
    assert set(split["ai_systems"].values()) <= {"tessellate-aims"} | {
        v for k, v in before["ai_systems"].items() if v != "integrated"
    }
    assert split["ai_systems"]["credit-scoring"] == "tessellate-aims"
    ai_risks = Risk.objects.filter(register="ai", management_system=aims)
    assert (
        ai_risks.exists()
        and not Risk.objects.filter(register="ai", management_system__short_name="integrated").exists()
    )
    assert StatementOfApplicability.objects.get(management_system=aims).standard.key == "iso42001:2023"
    assert split["standards"] == ["iso27001:2022"]
    shared = [
        ref for ref, systems in split["controls"].items() if systems == ["integrated", "tessellate-aims"]
    ]
    assert shared, "the shared backbone (controls serving both standards) stays in both"
    # documents answering 42001 only moved, those answering both are in both, 27001-only stayed
    doc = dict(Document.objects.values_list("title", "ref_id"))
    assert split["documents"][doc["AI policy"]] == ["research-aims", "tessellate-aims"]
    assert split["documents"][doc["Management system policy"]] == [
        "integrated",
        "research-aims",
        "tessellate-aims",
    ]
    assert split["documents"][doc["Information security policy"]] == ["integrated"]
    # concerns followed their AI system; 42001-only support records moved, shared ones stayed
    for c in Concern.objects.filter(ai_system__isnull=False).select_related("ai_system"):
        assert c.management_system_id == c.ai_system.management_system_id
    assert Concern.objects.filter(management_system=aims).exists()
    for model in (MsRole, Commitment, Objective, AwarenessCampaign, Communication, LegalRequirement):
        moved_keys = {
            tuple(sorted(r.standards.values_list("key", flat=True)))
            for r in model.objects.filter(management_system=aims).prefetch_related("standards")
        }
        stayed_keys = {
            tuple(sorted(r.standards.values_list("key", flat=True)))
            for r in model.objects.filter(management_system__short_name="integrated")
        }
        assert ("iso42001:2023",) not in stayed_keys, model
        assert moved_keys <= {("iso42001:2023",)} or model is Objective, (model, moved_keys)
    assert MsRole.objects.filter(management_system=aims).exists()
    assert before != split
    # the trail names each record that moved, with the system before and after
    moved = TrailEntry.objects.filter(seq__gt=seq, object_type="aisystems.aisystem")
    assert {json.loads(e.payload)["changes"]["management_system"][1] for e in moved} == {"tessellate-aims"}

    restructure.merge(OPERATOR, "integrated", aims.pk)

    assert state() == before
    assert {m: m.objects.count() for m in counts} == counts
    aims.refresh_from_db()
    assert aims.status == "retired" and not AISystem.objects.filter(management_system=aims).exists()


def test_a_system_covering_one_standard_is_not_split_and_an_overlapping_merge_is_refused(
    demo: LoadedDemo,
) -> None:
    # the research AIMS covers ISO/IEC 42001 only: nothing to split
    with pytest.raises(ValidationFailed, match="does not cover both"):
        restructure.split(OPERATOR, "research-aims", name="X", short_name="x-aims")
    # both systems hold a 42001 scope statement: the merge is refused and nothing moves
    before = state()
    with pytest.raises(Conflict, match="scope statements"):
        restructure.merge(OPERATOR, "integrated", "research-aims")
    assert state() == before
    assert not ManagementSystem.objects.filter(short_name="x-aims").exists()


def test_a_merge_with_a_clashing_role_name_is_refused_with_nothing_changed(demo: LoadedDemo) -> None:
    aims = restructure.split(OPERATOR, "integrated", name="Tessellate AIMS", short_name="tessellate-aims")
    stayed = MsRole.objects.filter(management_system__short_name="integrated").first()
    moved = MsRole.objects.filter(management_system=aims).first()
    assert stayed is not None and moved is not None
    MsRole.objects.filter(pk=moved.pk).update(name=stayed.name)
    before = state()
    seq = TrailEntry.objects.order_by("-seq").values_list("seq", flat=True).first()
    with pytest.raises(Conflict, match="management-system roles"):
        restructure.merge(OPERATOR, "integrated", aims.pk)
    assert state() == before
    assert TrailEntry.objects.order_by("-seq").values_list("seq", flat=True).first() == seq
    aims.refresh_from_db()
    assert aims.status == "active"
