from django.urls import path

from . import views, views_records

urlpatterns = [
    path("ai-systems/", views.system_list, name="ai-system-list"),
    path("ai-systems/new/", views.system_create, name="ai-system-create"),
    path("ai-systems/flags/<uuid:flag_id>/close/", views.flag_close, name="ai-flag-close"),
    path("ai-systems/<slug:ref>/", views.system_detail, name="ai-system-detail"),
    path("ai-systems/<slug:ref>/edit/", views.system_edit, name="ai-system-edit"),
    path("ai-systems/<slug:ref>/stage/", views.system_stage, name="ai-system-stage"),
    path("ai-systems/<slug:ref>/models/new/", views.model_create, name="ai-model-create"),
    path("ai-systems/<slug:ref>/versions/new/", views.model_version_create, name="ai-model-version-create"),
    path(
        "ai-systems/<slug:ref>/versions/<uuid:version_id>/edit/",
        views.model_version_edit,
        name="ai-model-version-edit",
    ),
    path("ai-systems/<slug:ref>/deploy/", views.model_version_deploy, name="ai-model-version-deploy"),
    path("ai-systems/<slug:ref>/records/new/", views_records.record_create, name="ai-record-create"),
    path(
        "ai-systems/<slug:ref>/records/<uuid:record_id>/",
        views_records.record_detail,
        name="ai-record-detail",
    ),
    path(
        "ai-systems/<slug:ref>/records/<uuid:record_id>/edit/",
        views_records.record_edit,
        name="ai-record-edit",
    ),
    path(
        "ai-systems/<slug:ref>/records/<uuid:record_id>/approve/",
        views_records.record_approve,
        name="ai-record-approve",
    ),
    path(
        "ai-systems/<slug:ref>/records/<uuid:record_id>/withdraw/",
        views_records.record_withdraw,
        name="ai-record-withdraw",
    ),
    path("ai-systems/<slug:ref>/evaluations/new/", views.evaluation_create, name="ai-evaluation-create"),
    path("ai-systems/<slug:ref>/metrics/new/", views.metric_create, name="ai-metric-create"),
    path("ai-systems/<slug:ref>/readings/new/", views.reading_create, name="ai-reading-create"),
    path("datasets/", views.dataset_list, name="dataset-list"),
    path("datasets/new/", views.dataset_create, name="dataset-create"),
    path("datasets/<slug:ref>/", views.dataset_detail, name="dataset-detail"),
    path("datasets/<slug:ref>/edit/", views.dataset_edit, name="dataset-edit"),
    path("datasets/<slug:ref>/checks/new/", views.quality_check_create, name="dataset-check-create"),
]
