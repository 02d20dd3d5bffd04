"""The pages' description of each kind of support record: URL, titles, the list's columns and
the detail page's properties. One set of generic views (:mod:`keel.support.views`) serves them
all, the way NetBox registers one view per model."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from keel.platform.actor import Actor
from keel.platform.models import User
from keel.platform.permissions import Perm

from . import concerns, legal, objectives, queries, services
from .forms import (
    CampaignForm,
    CommitmentForm,
    CommunicationForm,
    CompetenceForm,
    CompetenceRecordForm,
    ConcernForm,
    LegalRequirementForm,
    ObjectiveForm,
    ResponseForm,
    RoleForm,
    SupportForm,
)

Cell = Callable[[Any], Any]


def _person(user: User | None) -> str:
    return user.display_name if user is not None else "—"


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else "—"


def _standards(obj: Any) -> str:
    return (
        ", ".join(s.key.split(":")[0].upper().replace("ISO", "ISO/IEC ") for s in obj.standards.all()) or "—"
    )


def _expiry(rec: Any) -> Any:
    if rec.expires_on is None:
        return "Does not expire"
    if rec.expires_on < timezone.localdate():
        return format_html('<span class="badge badge-bad">Expired {}</span>', rec.expires_on.isoformat())
    return rec.expires_on.isoformat()


def _review(r: Any) -> Any:
    if r.review_on is None:
        return "—"
    if r.review_on < timezone.localdate():
        return format_html('<span class="badge badge-bad">Overdue {}</span>', r.review_on.isoformat())
    return r.review_on.isoformat()


def _controls(r: Any) -> Any:
    links = [
        format_html('<a href="{}">{}</a> {}', reverse("control-detail", args=[c.ref_id]), c.ref_id, c.title)
        for c in r.controls.all()
    ]
    return format_html_join(", ", "{}", ((x,) for x in links)) if links else "—"


def _requirements(r: Any) -> str:
    return ", ".join(q.key for q in r.requirements.all()) or "—"


def _latest(o: Any) -> Any:
    if o.latest_value is None:
        return "No readings"
    badge = "badge-ok" if o.on_target(o.latest_value) else "badge-bad"
    return format_html(
        '<span class="badge {}">{}</span> on {}', badge, o.latest_value.normalize(), o.latest_on.isoformat()
    )


@dataclass(frozen=True)
class Kind:
    slug: str  # URL names: "<slug>-list", "<slug>-create", "<slug>-detail", "<slug>-edit"
    path: str
    title: str
    singular: str
    lede: str
    listing: Callable[[User | None, queries.Filters], QuerySet[Any]]
    columns: list[tuple[str, Cell]]
    props: list[tuple[str, Cell]]
    form: type[Any]
    create: Callable[..., Any]
    update: Callable[..., Any]
    name_of: Cell = str
    create_perm: str = Perm.EDIT_SUPPORT
    edit_perm: str = Perm.EDIT_SUPPORT
    edit_label: str = "Edit"
    system_of: Cell = lambda obj: obj.management_system

    def ref_of(self, obj: Any) -> str:
        return str(getattr(obj, "ref_id", "") or obj.pk)


def _spec_create(spec: services.Spec) -> Callable[..., Any]:
    return lambda actor, **data: services.create(actor, spec, **data)


def _spec_update(spec: services.Spec) -> Callable[..., Any]:
    return lambda actor, ref, expected_version=None, **data: services.update(
        actor, spec, ref, expected_version=expected_version, **data
    )


def _report(actor: Actor, **data: Any) -> Any:
    return concerns.report(actor, **data)


KINDS: list[Kind] = [
    Kind(
        "ms-role",
        "roles",
        "Roles and responsibilities",
        "role",
        "The roles of each management system, what they are responsible for, what they may decide, and "
        "who holds them (ISO/IEC 27001 and 42001 clause 5.3; ISO/IEC 42001 A.3.2). These are not login roles.",
        queries.roles,
        [
            ("Held by", lambda r: _person(r.holder)),
            ("Since", lambda r: _date(r.held_from)),
            ("Standards", _standards),
            ("Competences", lambda r: r.competence_count),
        ],
        [
            ("Responsibilities", lambda r: r.responsibilities),
            ("Authorities", lambda r: r.authorities or "—"),
            ("Held by", lambda r: _person(r.holder)),
            ("Held from", lambda r: _date(r.held_from)),
            ("Held until", lambda r: _date(r.held_until) if r.held_until else "Still held"),
            ("Standards", _standards),
        ],
        RoleForm,
        _spec_create(services.ROLE),
        _spec_update(services.ROLE),
        name_of=lambda r: r.name,
    ),
    Kind(
        "commitment",
        "commitments",
        "Leadership commitments",
        "commitment",
        "Decisions of top management that show leadership and commitment to the management systems "
        "(clause 5.1 of both standards), with who decided and when.",
        queries.commitments,
        [
            ("Decided on", lambda c: _date(c.decided_on)),
            ("Decided by", lambda c: _person(c.decided_by)),
            ("Standards", _standards),
        ],
        [
            ("Detail", lambda c: c.detail or "—"),
            ("Decided on", lambda c: _date(c.decided_on)),
            ("Decided by", lambda c: _person(c.decided_by)),
            ("Minuted in", lambda c: c.minutes or "—"),
            ("Standards", _standards),
        ],
        CommitmentForm,
        _spec_create(services.COMMITMENT),
        _spec_update(services.COMMITMENT),
        name_of=lambda c: c.decision,
    ),
    Kind(
        "objective",
        "objectives",
        "Objectives",
        "objective",
        "Objectives per management system and standard (clause 6.2), each with a measure, target, owner "
        "and how often it is read, and its readings over time (clause 9.1). An AI operating metric can feed one.",
        queries.objectives,
        [
            ("Measure", lambda o: o.measure),
            ("Target", lambda o: f"{o.target.normalize()} {o.unit}".strip()),
            ("Latest", _latest),
            ("Owner", lambda o: _person(o.owner)),
            ("Standards", _standards),
        ],
        [
            ("Description", lambda o: o.description or "—"),
            ("Measure", lambda o: o.measure),
            (
                "Target",
                lambda o: f"{o.target.normalize()} {o.unit} ({o.get_direction_display().lower()})".strip(),
            ),
            ("Owner", lambda o: _person(o.owner)),
            ("Read", lambda o: o.get_frequency_display()),
            ("Target date", lambda o: _date(o.due_on)),
            ("Annex C theme", lambda o: o.get_theme_display() if o.theme else "—"),
            (
                "Fed by",
                lambda o: (
                    f"{o.metric.ai_system.name}: {o.metric.name}"
                    if o.metric_id
                    else "Readings recorded by hand"
                ),
            ),
            ("Standards", _standards),
        ],
        ObjectiveForm,
        objectives.create_objective,
        objectives.update_objective,
        name_of=lambda o: o.title,
    ),
    Kind(
        "competence",
        "competences",
        "Required competences",
        "competence",
        "The competences each management-system role requires (clause 7.2), and what shows someone has them.",
        queries.competences,
        [
            ("Role", lambda c: c.role.name),
            ("Evidence expected", lambda c: c.evidence_expected or "—"),
            ("Records", lambda c: c.record_count),
        ],
        [
            ("Role", lambda c: c.role.name),
            ("Description", lambda c: c.description or "—"),
            ("Evidence expected", lambda c: c.evidence_expected or "—"),
        ],
        CompetenceForm,
        _spec_create(services.COMPETENCE),
        _spec_update(services.COMPETENCE),
        name_of=lambda c: c.name,
        system_of=lambda c: c.role.management_system,
    ),
    Kind(
        "competence-record",
        "competence-records",
        "Competence records",
        "competence record",
        "People's training, qualifications and experience with their evidence and expiry (clause 7.2). "
        "An expired record that nothing renews is flagged by the consistency check.",
        queries.competence_records,
        [
            ("Person", lambda r: _person(r.person)),
            ("Kind", lambda r: r.get_kind_display()),
            ("Achieved", lambda r: _date(r.achieved_on)),
            ("Expires", _expiry),
        ],
        [
            ("Person", lambda r: _person(r.person)),
            ("Kind", lambda r: r.get_kind_display()),
            ("Meets", lambda r: r.competence.name if r.competence_id else "No named competence"),
            ("Provider", lambda r: r.provider or "—"),
            ("Achieved on", lambda r: _date(r.achieved_on)),
            ("Expires", _expiry),
            ("Evidence", lambda r: r.evidence or "—"),
        ],
        CompetenceRecordForm,
        _spec_create(services.COMPETENCE_RECORD),
        _spec_update(services.COMPETENCE_RECORD),
        name_of=lambda r: r.title,
    ),
    Kind(
        "awareness-campaign",
        "awareness",
        "Awareness campaigns",
        "awareness campaign",
        "What people must be aware of — the policies, their contribution, what happens when they do not "
        "follow them (clause 7.3) — and who completed each campaign.",
        queries.campaigns,
        [
            ("Audience", lambda c: c.audience),
            ("Starts", lambda c: _date(c.starts_on)),
            ("Completed by", lambda c: c.completion_count),
            ("Standards", _standards),
        ],
        [
            ("Message", lambda c: c.message),
            ("Audience", lambda c: c.audience),
            ("Owner", lambda c: _person(c.owner)),
            (
                "Runs",
                lambda c: (
                    f"{_date(c.starts_on)} to {_date(c.ends_on)}"
                    if c.ends_on
                    else f"From {_date(c.starts_on)}"
                ),
            ),
            ("Standards", _standards),
        ],
        CampaignForm,
        _spec_create(services.CAMPAIGN),
        _spec_update(services.CAMPAIGN),
        name_of=lambda c: c.title,
    ),
    Kind(
        "communication",
        "communications",
        "Communication plan",
        "communication",
        "What is communicated, when, with whom, by whom and how (clause 7.4), inside the organisation and out.",
        queries.communications,
        [
            ("When", lambda c: c.when),
            ("With whom", lambda c: c.audience),
            ("Who", lambda c: _person(c.communicator)),
            ("How", lambda c: c.get_method_display()),
            ("Standards", _standards),
        ],
        [
            ("When", lambda c: c.when),
            ("With whom", lambda c: c.audience + (" (outside the organisation)" if c.external else "")),
            ("Who communicates", lambda c: _person(c.communicator)),
            ("How", lambda c: c.get_method_display()),
            ("Standards", _standards),
        ],
        CommunicationForm,
        _spec_create(services.COMMUNICATION),
        _spec_update(services.COMMUNICATION),
        name_of=lambda c: c.subject,
    ),
    Kind(
        "concern",
        "concerns",
        "Concerns about AI systems",
        "concern",
        "Anyone can report a concern about an AI system (ISO/IEC 42001 A.3.3), anonymously if they wish. "
        "Only administrators see who reported a concern; the audit trail does not name reporters.",
        queries.concerns,
        [
            ("AI system", lambda c: c.ai_system.name if c.ai_system_id else "—"),
            ("Reported", lambda c: _date(c.reported_on)),
            ("Status", lambda c: c.get_status_display()),
        ],
        [
            ("What was reported", lambda c: c.description),
            ("AI system", lambda c: c.ai_system.name if c.ai_system_id else "—"),
            ("Reported on", lambda c: _date(c.reported_on)),
            ("Status", lambda c: c.get_status_display()),
            ("Response", lambda c: c.response or "Not answered yet"),
            ("Answered on", lambda c: _date(c.responded_on)),
            ("Handled by", lambda c: _person(c.handler)),
        ],
        ConcernForm,
        _report,
        concerns.respond,
        name_of=lambda c: c.summary,
        create_perm=Perm.REPORT_CONCERNS,
        edit_perm=Perm.HANDLE_CONCERNS,
        edit_label="Respond",
    ),
    Kind(
        "legal-requirement",
        "legal-requirements",
        "Legal, regulatory and contractual requirements",
        "legal requirement",
        "The laws, regulations and contracts the organisation must meet (ISO/IEC 27001 A.5.31; ISO/IEC 42001 "
        "4.1), what each asks in our own words, who owns it, and the controls and clauses it drives. An SoA "
        "row's reason for inclusion can name one.",
        queries.legal_requirements,
        [
            ("Kind", lambda r: r.get_kind_display()),
            ("Source", lambda r: r.source),
            ("Jurisdiction", lambda r: r.jurisdiction or "—"),
            ("Owner", lambda r: _person(r.owner)),
            ("Review", _review),
            ("Status", lambda r: r.get_status_display()),
        ],
        [
            ("Kind", lambda r: r.get_kind_display()),
            ("Source", lambda r: r.source),
            ("Jurisdiction", lambda r: r.jurisdiction or "—"),
            ("What it asks", lambda r: r.summary),
            ("Owner", lambda r: _person(r.owner)),
            ("Status", lambda r: r.get_status_display()),
            ("Next review", _review),
            ("Standards", _standards),
            ("Controls it drives", _controls),
            ("Clauses and controls of the standards", _requirements),
        ],
        LegalRequirementForm,
        legal.create_legal_requirement,
        legal.update_legal_requirement,
        name_of=lambda r: r.title,
    ),
]

BY_SLUG = {k.slug: k for k in KINDS}


def edit_form(kind: Kind) -> type[SupportForm]:
    return ResponseForm if kind.slug == "concern" else kind.form
