"""PDF export of one version of an AI system impact assessment (issue 12 item 5), laid out by
WeasyPrint through :mod:`keel.platform.pdf` like the SoA and gap PDFs. Every page carries the
system, the version and its state; a version that is not approved (a draft) is watermarked
DRAFT, a superseded one SUPERSEDED, so a printed copy never passes for the version in force."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from keel.platform.pdf import css_string, render_pdf

from .choices import AssessmentStatus
from .models import ImpactAssessment
from .triggers import due_state

WATERMARKS = {AssessmentStatus.DRAFT: "DRAFT", AssessmentStatus.SUPERSEDED: "SUPERSEDED"}


def _level(a: ImpactAssessment, key: str) -> str:
    return str(a.methodology.level(key)["label"]) if key else ""


def version_line(a: ImpactAssessment) -> str:
    if a.status == AssessmentStatus.DRAFT:
        return f"Version {a.version} · draft, not approved"
    approver = a.approved_by.display_name if a.approved_by else "the operator"
    when = timezone.localtime(a.approved_at).date().isoformat() if a.approved_at else ""
    state = " · superseded" if a.status == AssessmentStatus.SUPERSEDED else ""
    return f"Version {a.version} · approved {when} by {approver}{state}"


def context(a: ImpactAssessment) -> dict[str, Any]:
    """What the PDF shows, from a version read by :func:`keel.impact.queries.assessment_for`
    (impacts with their raised risks, datasets, models, parties prefetched)."""
    system = a.ai_system
    title = f"AI system impact assessment — {system.name}"
    impacts = [
        {
            "i": i,
            "level": _level(a, i.level),
            "residual": _level(a, i.residual_level),
            "risks": ", ".join(r.ref_id for r in i.risks.all()),
        }
        for i in a.impacts.all()
    ]
    due = due_state(a)
    return {
        "a": a,
        "system": system,
        "title": title,
        "version_line": version_line(a),
        "watermark": WATERMARKS.get(AssessmentStatus(a.status), ""),
        "due": due,
        "impacts": impacts,
        "datasets": [d.name for d in a.datasets.all()],
        "models": [str(m) for m in a.ai_models.all()],
        "parties": [p.name for p in a.interested_parties.all()],
        "author": a.author.display_name if a.author else "",
        "generated": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        "top_left": css_string(title),
        "top_right": css_string(version_line(a)),
        "top_center": css_string(WATERMARKS[AssessmentStatus(a.status)]) if a.status in WATERMARKS else "",
    }


def to_pdf(a: ImpactAssessment) -> bytes:
    return render_pdf("impact/export.html", context(a))


def filename(a: ImpactAssessment) -> str:
    state = "" if a.status == AssessmentStatus.APPROVED else f"-{a.status}"
    return f"impact-assessment-{a.ai_system.short_name}-v{a.version}{state}.pdf"
