"""The main navigation: every domain Keel has or will have, so the layout does not change as
capabilities arrive. Domains that are not built yet are shown as such, not hidden."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from keel.platform.permissions import Perm, has_perm, system_ids_with


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str | None
    perm: str = Perm.VIEW
    section: str = ""
    anywhere: bool = False  # as @page(anywhere=True): a list filtered to the user's perimeters


NAV: list[NavItem] = [
    NavItem("Dashboard", "dashboard", section="Overview"),
    NavItem("My work", "my-work", section="Overview"),
    NavItem("Consistency check", "check-list", section="Overview"),
    NavItem("Organisation", "organisation", section="Management system"),
    NavItem("Scope", "scope-list", section="Management system"),
    NavItem("Context", "context", section="Management system"),
    NavItem("People", "people", section="Management system"),
    NavItem("Roles and commitments", "ms-role-list", section="Management system"),
    NavItem("Objectives", "objective-list", section="Management system"),
    NavItem("Competence and awareness", "competence-record-list", section="Management system"),
    NavItem("Standards", "standards-list", section="Library"),
    NavItem("Crosswalks", "crosswalk-list", section="Library"),
    NavItem("Controls", "control-list", section="Operate"),
    NavItem("Statement of Applicability", "soa-list", section="Operate"),
    NavItem("Evidence", "evidence-list", section="Operate"),
    NavItem("Documents", "document-list", section="Operate"),
    NavItem("Documented information", "document-coverage", section="Operate"),
    NavItem("Acknowledgements", "acknowledgement-list", section="Operate"),
    NavItem("Gap analysis", "gap-analysis", section="Operate", anywhere=True),
    NavItem("Mapping suggestions", "mapping-suggestions", section="Operate"),
    NavItem("Risks", "risk-list", section="Operate"),
    NavItem("Assets", "asset-list", section="Operate"),
    NavItem("AI systems", "ai-system-list", section="Operate"),
    NavItem("AI concerns", "concern-list", section="Operate"),
    NavItem("EU AI Act", "aiact-overview", section="Operate"),
    NavItem("Suppliers", "supplier-list", section="Operate"),
    NavItem("Incidents", "incident-list", section="Operate"),
    NavItem("Changes", "change-list", section="Operate"),
    NavItem("Audits", "audit-programme-list", section="Improve"),
    NavItem("Nonconformities", "nonconformity-list", section="Improve"),
    NavItem("Management review", "management-review-list", section="Improve"),
    NavItem("Certification", "certification-cycle", section="Improve"),
    NavItem("Audit trail", "trail", perm=Perm.VIEW_TRAIL, section="Administration", anywhere=True),
    NavItem("API", "api-v1:openapi-view", section="Administration"),
]


def navigation(request: HttpRequest) -> list[dict[str, object]]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    sections: dict[str, list[dict[str, object]]] = {}
    for item in NAV:
        url = None
        if item.url_name:
            allowed = (
                system_ids_with(user, item.perm) != set() if item.anywhere else has_perm(user, item.perm)
            )
            if not allowed:
                continue
            try:
                url = reverse(item.url_name)
            except NoReverseMatch:
                url = None
        active = bool(url) and (request.path == url or (url != "/" and request.path.startswith(str(url))))
        sections.setdefault(item.section, []).append({"label": item.label, "url": url, "active": active})
    return [{"section": name, "items": items} for name, items in sections.items()]
