"""The independence of auditors: an auditor never audits their own work (ISO 19011's
impartiality, and both standards' 9.2 "objectivity and impartiality"). A person may not lead
or join an audit whose scope holds a control, document, risk or AI system they own
(docs/audits.md#independence)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from keel.aisystems.models import AISystem
from keel.controls.models import Control
from keel.documents.models import Document
from keel.platform.models import User
from keel.risks.models import Risk
from keel.standards.models import Requirement


def owned_in_scope(
    person: User,
    *,
    requirements: Iterable[Requirement],
    controls: Iterable[Control],
    ai_systems: Iterable[AISystem],
) -> list[str]:
    """What ``person`` owns within the scope, each as "control KC-012 Access review": the
    controls in scope and those serving its clauses, the documents answering its clauses, the
    risks those controls treat or that concern its AI systems, and its AI systems."""
    req_ids = [r.pk for r in requirements]
    ctl_ids = [c.pk for c in controls]
    sys_ids = [s.pk for s in ai_systems]
    in_scope_controls = Control.objects.filter(Q(pk__in=ctl_ids) | Q(links__requirement_id__in=req_ids))
    out: list[str] = []
    for c in in_scope_controls.filter(owner=person).distinct().order_by("ref_id"):
        out.append(f"control {c.ref_id} {c.title}")
    for d in (
        Document.objects.filter(owner=person, requirement_links__requirement_id__in=req_ids)
        .distinct()
        .order_by("ref_id")
    ):
        out.append(f"document {d.ref_id} {d.title}")
    risk_scope = Q(controls__in=in_scope_controls.values("pk")) | Q(ai_system_id__in=sys_ids)
    for r in Risk.objects.filter(risk_scope, owner=person).distinct().order_by("ref_id"):
        out.append(f"risk {r.ref_id} {r.title}")
    for s in AISystem.objects.filter(pk__in=sys_ids, owner=person).order_by("short_name"):
        out.append(f"AI system {s.short_name} {s.name}")
    return out
