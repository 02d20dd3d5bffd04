from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.overview, name="certification-cycle"),
    path("integration/", views.integration_answer, name="certification-integration-answer"),
    path("cycles/new/", views.cycle_new, name="certification-cycle-new"),
    path("cycles/<str:ref>/audits/new/", views.audit_new, name="certification-audit-new"),
    path("audits/<str:ref>/", views.audit_detail, name="certification-audit"),
    path("audits/<str:ref>/record/", views.audit_record, name="certification-audit-record"),
    path("audits/<str:ref>/findings/", views.finding_add, name="certification-finding-add"),
    path("cycles/<str:ref>/requests/", views.request_add, name="auditor-request-add"),
    path("requests/<str:ref>/links/", views.request_link, name="auditor-request-link"),
    path("requests/<str:ref>/status/", views.request_status, name="auditor-request-status"),
]
