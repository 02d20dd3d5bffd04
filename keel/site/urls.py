from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from keel.documents.urls import public_urlpatterns as acknowledge_links
from keel.site import pickers, views
from keel.site.api import api
from keel.suppliers.urls import public_urlpatterns as supplier_answer_links


def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness probe for load balancers: no database access, no login."""
    return HttpResponse("ok", content_type="text/plain")


healthz.keel_permission = "public"  # type: ignore[attr-defined]


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says; point them at ours."""
    return HttpResponsePermanentRedirect(static("keel/favicon.svg"))


favicon.keel_permission = "public"  # type: ignore[attr-defined]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("api/v1/", api.urls),
    path("standards/", include("keel.standards.urls")),
    path("controls/import/", include("keel.controls.importing.urls")),
    path("controls/", include("keel.controls.urls")),
    path("soa/", include("keel.soa.urls")),
    path("gap/", include("keel.gap.urls")),
    path("crosswalks/", include("keel.mapping.urls")),
    path("evidence/", include("keel.evidence.urls")),
    path("documents/", include("keel.documents.urls")),
    path("acknowledge/", include(acknowledge_links)),  # public: the emailed, signed link
    path("", include("keel.aisystems.urls")),  # AI systems and datasets
    path("", include("keel.impact.urls")),  # AI system impact assessments
    path("", include("keel.aiact.urls")),  # EU AI Act beside ISO/IEC 42001
    path("assets/", include("keel.assets.urls")),
    path("risks/", include("keel.risks.urls")),
    path("support/", include("keel.support.urls")),  # roles, objectives, competence, awareness, concerns
    path("suppliers/", include("keel.suppliers.urls")),
    path("supplier-answer/", include(supplier_answer_links)),  # public: the signed link sent to a supplier
    path("incidents/", include("keel.incidents.urls")),
    path("changes/", include("keel.changes.urls")),
    path("audits/", include("keel.audits.urls")),
    path("improvement/", include("keel.improvement.urls")),  # nonconformities, corrective actions
    path("reviews/", include("keel.review.urls")),  # management review
    path("certification/", include("keel.certification.urls")),  # certification cycle
    path("", include("keel.work.urls")),  # my work, reminders
    path("mapping/suggestions/", include("keel.mapping.suggest.urls")),
    path("checks/", views.check_list, name="check-list"),
    path("pick/<slug:kind>/", pickers.pick, name="pick"),
    path("", views.dashboard, name="dashboard"),
    path("", include("keel.platform.urls")),  # login, logout, my account
    path("", include("keel.organisation.urls")),  # organisation, scope, context, people, trail
]

handler403 = "keel.platform.views.errors.permission_denied"
handler404 = "keel.platform.views.errors.page_not_found"
handler500 = "keel.platform.views.errors.server_error"
