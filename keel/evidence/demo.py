"""The demo's evidence: what Tessellate Labs collects to show its controls operate — an access
review export, a penetration-test summary, a supplier DPA, a model evaluation report, backup
restore test results, links to the status page and a change ticket — some expired and some
expiring soon, so the dashboard has something to say. Small text and CSV files are generated
here and stored through the same services as an upload (SHA-256, versions, trail).

Called once from :func:`keel.site.demo.load_demo`, inside its transaction, after the controls
are adopted and before the Statements of Applicability are built."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.utils import timezone

from keel.controls.models import Control
from keel.organisation.models import ManagementSystem
from keel.platform.actor import Actor
from keel.platform.models import User


@dataclass
class DemoVersion:
    days_ago: int  # collected this many days ago
    valid_days: int | None  # valid this many days after collection (None: no expiry)
    content: str = ""  # file content (files)
    url: str = ""  # address (links)
    note: str = ""
    collector: str = ""  # a demo person's email local part, or a free-text name


@dataclass
class DemoEvidence:
    title: str
    description: str
    filename: str  # "" for a link
    templates: list[str]  # keys of the templates whose adopted controls it supports
    requirements: list[str] = field(default_factory=list)
    owner: str = ""
    versions: list[DemoVersion] = field(default_factory=list)
    system: str = "integrated"


ACCESS_REVIEW = """system,account,role,owner_confirmed,action
github,ines.duarte,org-admin,yes,keep
github,ex-contractor-17,write,no,removed 2026-{m}-03
aws-prod,tomasz.nowak,PowerUser,yes,keep
aws-prod,ci-deployer,DeployRole,yes,keep
aws-prod,svc-legacy-etl,ReadOnly,no,removed 2026-{m}-04
snowflake,priya.raman,ANALYST,yes,keep
snowflake,model-training-bot,TRAINER,yes,keep (least privilege confirmed)
"""

EVIDENCE: list[DemoEvidence] = [
    DemoEvidence(
        "Quarterly access review export (production and code)",
        "Export of every account with access to GitHub, the production AWS accounts and the data "
        "warehouse, with the owner's confirmation and the removals made.",
        "access-review.csv",
        ["access-control-and-reviews", "privileged-access-management"],
        ["iso27001:2022:A.5.18"],
        owner="tomasz.nowak",
        versions=[
            DemoVersion(190, 100, ACCESS_REVIEW.format(m="05"), note="Q2 review.", collector="tomasz.nowak"),
            DemoVersion(
                80,
                100,
                ACCESS_REVIEW.format(m="08"),
                note="Q3 review: two stale accounts removed.",
                collector="tomasz.nowak",
            ),
        ],
    ),
    DemoEvidence(
        "External penetration test — summary report",
        "Summary of the annual external penetration test of the lending API and the customer portal "
        "by an accredited testing firm, with the remediation status of each finding.",
        "pentest-summary-2025.txt",
        ["security-testing-red-teaming", "vulnerability-management"],
        ["iso27001:2022:A.8.8"],
        owner="admin",
        versions=[
            DemoVersion(
                380,
                365,
                "PENETRATION TEST SUMMARY — Tessellate lending platform\n"
                "Scope: public API (api.tessellate.example), customer portal, CI/CD edge.\n"
                "Findings: 0 critical, 1 high (fixed in 6 days), 3 medium (fixed), 4 low (accepted).\n"
                "Retest: all high and medium findings verified closed.\n",
                note="Annual test; the next one is booked but not yet done.",
                collector="Northgate Security Ltd (testing firm)",
            )
        ],
    ),
    DemoEvidence(
        "Data processing agreement — cloud hosting provider",
        "Signed data processing agreement and the security annex with the cloud hosting provider, "
        "including sub-processor list and breach-notification terms.",
        "dpa-cloud-provider.txt",
        ["supplier-agreement-terms", "cloud-service-governance"],
        ["iso27001:2022:A.5.20"],
        owner="mara.lindqvist",
        versions=[
            DemoVersion(
                345,
                365,
                "DATA PROCESSING AGREEMENT (summary of signed copy)\n"
                "Parties: Tessellate Labs Ltd (controller) and the cloud hosting provider (processor).\n"
                "Term: 12 months, renewed on review. Breach notice: within 24 hours.\n"
                "Sub-processors: listed in annex 3; changes notified 30 days ahead.\n",
                note="Renewal review scheduled with procurement.",
                collector="mara.lindqvist",
            )
        ],
    ),
    DemoEvidence(
        "Helix credit model — evaluation report (release 4.2)",
        "Evaluation of the credit-scoring model release: accuracy against the hold-out set, "
        "stability, and the approval-rate gaps between applicant groups.",
        "helix-4.2-evaluation.csv",
        ["ai-verification-validation", "test-and-evaluation-data"],
        ["iso42001:2023:A.6.2.4"],
        owner="priya.raman",
        versions=[
            DemoVersion(
                40,
                180,
                "metric,group,value,threshold,result\n"
                "auc,all,0.861,>=0.84,pass\n"
                "approval_rate_gap,age_band,0.021,<=0.03,pass\n"
                "approval_rate_gap,sex,0.012,<=0.03,pass\n"
                "psi,all,0.07,<=0.10,pass\n",
                note="Release 4.2 approved by the Model Risk Committee.",
                collector="priya.raman",
            )
        ],
    ),
    DemoEvidence(
        "Backup restore test results",
        "Quarterly restore of the production database and model registry from backup into an "
        "isolated account, with the time taken against the recovery objectives.",
        "restore-test.csv",
        ["backup-and-redundancy", "business-continuity-and-ict-readiness"],
        ["iso27001:2022:A.8.13"],
        owner="tomasz.nowak",
        versions=[
            DemoVersion(
                75,
                90,
                "component,backup_taken,restored_in_minutes,rto_minutes,result\n"
                "postgres-prod,daily,38,240,pass\nmodel-registry,daily,12,240,pass\n",
                collector="tomasz.nowak",
            )
        ],
    ),
    DemoEvidence(
        "Public status page and incident history",
        "The public status page showing availability of the lending API and the history of incidents "
        "communicated to customers.",
        "",
        ["incident-response", "capacity-compute-planning"],
        ["iso27001:2022:A.5.24"],
        owner="admin",
        versions=[DemoVersion(3, None, url="https://status.tessellate.example/history", collector="admin")],
    ),
    DemoEvidence(
        "Change ticket — production model rollout CHG-2291",
        "The approved change for rolling out Helix 4.2, with risk assessment, approvals and the "
        "rollback plan.",
        "",
        ["change-management", "model-release-deployment"],
        [],
        owner="tomasz.nowak",
        versions=[
            DemoVersion(
                38, None, url="https://tickets.tessellate.example/browse/CHG-2291", collector="tomasz.nowak"
            )
        ],
    ),
    DemoEvidence(
        "Security awareness training completion",
        "Completion report of the annual security and responsible-AI awareness course for all staff.",
        "training-completion.csv",
        ["competence-training-awareness"],
        ["iso27001:2022:A.6.3"],
        owner="mara.lindqvist",
        versions=[
            DemoVersion(
                200,
                365,
                "team,headcount,completed,rate\nengineering,41,41,100%\ndata-science,12,11,92%\n"
                "operations,9,9,100%\ncommercial,14,13,93%\n",
                collector="HR system export",
            )
        ],
    ),
    DemoEvidence(
        "Research cluster data-access log review",
        "Monthly review of who read the research datasets on the training cluster.",
        "research-access-log.csv",
        ["data-code-model-access-restriction"],
        [],
        owner="priya.raman",
        system="research-aims",
        versions=[
            DemoVersion(
                26,
                31,
                "dataset,reader,reads,approved\nloans-2019-2024,priya.raman,12,yes\nloans-2019-2024,intern-04,3,no (revoked)\n",
                collector="priya.raman",
            )
        ],
    ),
]


def load_demo_evidence(
    actor: Actor,
    say: Callable[[str], None],
    systems: dict[str, ManagementSystem],
    people: dict[str, User],
) -> None:

    from . import services

    say(f"Collecting {len(EVIDENCE)} pieces of evidence ...")
    today = timezone.localdate()
    by_template = dict(Control.objects.filter(template__isnull=False).values_list("template__key", "ref_id"))
    for item in EVIDENCE:
        kind = "file" if item.filename else "link"
        ms = systems.get(item.system)
        versions = []
        for v in item.versions:
            collected = today - dt.timedelta(days=v.days_ago)
            person = people.get(v.collector)
            versions.append(
                services.NewVersion(
                    file=ContentFile(v.content.encode("utf-8"), name=item.filename)
                    if item.filename
                    else None,
                    filename=item.filename,
                    url=v.url,
                    collected_on=collected,
                    valid_until=collected + dt.timedelta(days=v.valid_days)
                    if v.valid_days is not None
                    else None,
                    collected_by=person,
                    collected_by_name="" if person else v.collector,
                    note=v.note,
                )
            )
        evidence = services.create_evidence(
            actor,
            title=item.title,
            description=item.description,
            kind=kind,
            version=versions[0],
            owner=people.get(item.owner),
            management_systems=[ms.pk] if ms else [],
            controls=[by_template[k] for k in item.templates if k in by_template],
            requirements=item.requirements,
        )
        for later in versions[1:]:
            services.add_version(actor, evidence.pk, later)
