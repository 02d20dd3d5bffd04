from django.urls import path

from . import views

urlpatterns = [
    path("", views.risk_list, name="risk-list"),
    path("heat-map/", views.risk_heatmap, name="risk-heatmap"),
    path("export.xlsx", views.risk_export, name="risk-export"),
    path("new/", views.risk_create, name="risk-create"),
    path("methodology/", views.methodology_page, name="risk-methodology"),
    path("methodology/new/", views.methodology_new, name="risk-methodology-new"),
    path("snapshots/", views.snapshot_list, name="risk-snapshots"),
    path("snapshots/take/", views.snapshot_take, name="risk-snapshot-take"),
    path("snapshots/<uuid:snapshot_id>/", views.snapshot_detail, name="risk-snapshot"),
    path("actions/<uuid:action_id>/status/", views.action_status, name="risk-action-status"),
    path("<str:ref>/", views.risk_detail, name="risk-detail"),
    path("<str:ref>/edit/", views.risk_edit, name="risk-edit"),
    path("<str:ref>/approve/", views.risk_approve, name="risk-approve"),
    path("<str:ref>/exception/", views.risk_exception, name="risk-exception"),
    path("<str:ref>/exception/approve/", views.risk_exception_approve, name="risk-exception-approve"),
    path("<str:ref>/status/", views.risk_status, name="risk-status"),
    path("<str:ref>/actions/", views.action_add, name="risk-action-add"),
]
