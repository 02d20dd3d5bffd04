"""The checklist of an audit, generated from its scope: one item per clause and per control,
each with questions written in Keel's own words from the entry's kind and title (never the
standard's text) and the records Keel holds that answer it — the documents answering the
clause, the evidence linked to the clause or control, the controls serving the clause, the
risks a control treats (docs/audits.md#the-checklist)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.urls import reverse

from keel.controls.choices import Frequency
from keel.controls.models import Control, ControlLink
from keel.documents.models import DocumentRequirement
from keel.evidence.models import EvidenceControl, EvidenceRequirement
from keel.risks.models import Risk
from keel.standards.choices import EntryKind
from keel.standards.models import Requirement

# at most this many records of each kind are listed to sample on one item
MAX_RECORDS = 5


def requirement_questions(req: Requirement) -> list[str]:
    """What the auditor asks about a clause or an Annex control, in our words."""
    name = f"{req.ref_id} {req.title}"
    if req.kind == EntryKind.CLAUSE:
        out = [
            f"Who is responsible for {req.title.lower()} ({req.ref_id}), and how do they know it is done as planned?",
            f"Walk through how the organisation meets {name}: show the last time it was done and what came of it.",
        ]
        if req.documented_information:
            out.append(
                f"Show the approved documented information for {req.ref_id} and the record of its last review."
            )
        else:
            out.append(f"Show the records that show {req.ref_id} is carried out, and who keeps them.")
        out.append("What changed since the last audit, and were earlier findings here acted on?")
        return out + _ask_to_see(req)
    return [
        f"Is {name} applicable in the Statement of Applicability, and which of our controls serve it?",
        f"Show the approved policy or procedure behind {req.ref_id} and the record of its last review.",
        f"Show recent records of {req.ref_id} operating, and how the owner checks it works.",
        *_ask_to_see(req),
    ]


def _ask_to_see(req: Requirement) -> list[str]:
    """The first records Keel's own guidance lists as typical evidence of the entry."""
    typical = [str(t) for t in (req.typical_evidence or []) if str(t).strip()][:2]
    return [f"Ask to see: {t[0].lower() + t[1:]}." for t in typical]


def control_questions(control: Control) -> list[str]:
    """What the auditor asks about one of the organisation's controls, in our words."""
    name = f"{control.ref_id} {control.title}"
    out = [f"Who owns {name}, and how is it designed to work?"]
    if control.frequency in (Frequency.CONTINUOUS, Frequency.PER_EVENT):
        out.append(
            "It runs continuously or on each event: show how its operation is logged, then draw a sample of days "
            "in the period and show the record of each."
        )
    else:
        label = control.get_frequency_display().lower()
        out.append(
            f"It operates {label}: draw a sample of its occurrences in the period and show the record of each."
        )
    out.append("Show how exceptions are detected and followed up, and the last time one was.")
    out.append("Is the evidence current, and does it cover every management system the control serves?")
    return out


def _rec(kind: str, ref: str, title: str, url: str) -> dict[str, str]:
    return {"kind": kind, "ref": ref, "title": title, "url": url}


def records_for(
    requirements: list[Requirement], controls: list[Control]
) -> dict[tuple[str, Any], list[dict[str, str]]]:
    """The records Keel holds that answer each clause (``("requirement", pk)``) and control
    (``("control", pk)``), in a fixed number of queries."""
    out: dict[tuple[str, Any], list[dict[str, str]]] = defaultdict(list)
    req_ids = [r.pk for r in requirements]
    ctl_ids = [c.pk for c in controls]
    for link in (
        DocumentRequirement.objects.filter(requirement_id__in=req_ids)
        .select_related("document")
        .order_by("document__ref_id")
    ):
        d = link.document
        out[("requirement", link.requirement_id)].append(
            _rec("Document", d.ref_id, d.title, reverse("document-detail", args=[d.ref_id]))
        )
    for clink in (
        ControlLink.objects.filter(requirement_id__in=req_ids)
        .select_related("control")
        .order_by("control__ref_id")
    ):
        c = clink.control
        out[("requirement", clink.requirement_id)].append(
            _rec("Control", c.ref_id, c.title, reverse("control-detail", args=[c.ref_id]))
        )
    for elink in (
        EvidenceRequirement.objects.filter(requirement_id__in=req_ids)
        .select_related("evidence")
        .order_by("evidence__ref_id")
    ):
        e = elink.evidence
        out[("requirement", elink.requirement_id)].append(
            _rec("Evidence", e.ref_id, e.title, reverse("evidence-detail", args=[e.ref_id]))
        )
    for eclink in (
        EvidenceControl.objects.filter(control_id__in=ctl_ids)
        .select_related("evidence")
        .order_by("evidence__ref_id")
    ):
        e = eclink.evidence
        out[("control", eclink.control_id)].append(
            _rec("Evidence", e.ref_id, e.title, reverse("evidence-detail", args=[e.ref_id]))
        )
    through = Risk.controls.through
    for rid, cid in (
        through.objects.filter(control_id__in=ctl_ids)
        .order_by("risk__ref_id")
        .values_list("risk_id", "control_id")
    ):
        out[("control_risk", cid)].append({"risk_id": str(rid)})
    risks = {
        str(r.pk): r
        for r in Risk.objects.filter(
            pk__in={x["risk_id"] for k, v in out.items() if k[0] == "control_risk" for x in v}
        )
    }
    for key in [k for k in out if k[0] == "control_risk"]:
        for x in out.pop(key):
            r = risks[x["risk_id"]]
            out[("control", key[1])].append(
                _rec("Risk", r.ref_id, r.title, reverse("risk-detail", args=[r.ref_id]))
            )
    # keep a few of each kind per item
    for key, recs in out.items():
        kept: list[dict[str, str]] = []
        per_kind: dict[str, int] = defaultdict(int)
        for rec in recs:
            per_kind[rec["kind"]] += 1
            if per_kind[rec["kind"]] <= MAX_RECORDS:
                kept.append(rec)
        out[key] = kept
    return out
