from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.audit_list, name="audit-programme-list"),
    path("new/", views.audit_create, name="audit-create"),
    path("programmes/new/", views.programme_create, name="audit-programme-create"),
    path("programmes/<str:ref>/", views.programme_detail, name="audit-programme-detail"),
    path("programmes/<str:ref>/edit/", views.programme_edit, name="audit-programme-edit"),
    path("programmes/<str:ref>/coverage/", views.programme_coverage, name="audit-programme-coverage"),
    path("<str:ref>/", views.audit_detail, name="audit-detail"),
    path("<str:ref>/edit/", views.audit_edit, name="audit-edit"),
    path("<str:ref>/move/", views.audit_move, name="audit-move"),
    path("<str:ref>/report.pdf", views.audit_report, name="audit-report"),
    path("<str:ref>/findings/new/", views.finding_create, name="audit-finding-create"),
    path("<str:ref>/findings/<int:number>/raise/", views.finding_raise, name="audit-finding-raise"),
    path("<str:ref>/items/<uuid:item_id>/", views.item_detail, name="audit-item"),
    path("<str:ref>/items/<uuid:item_id>/result/", views.item_result, name="audit-item-result"),
    path("<str:ref>/items/<uuid:item_id>/sample/", views.sample_draw, name="audit-sample-draw"),
    path(
        "<str:ref>/items/<uuid:item_id>/samples/<uuid:sample_id>/",
        views.sample_record,
        name="audit-sample-record",
    ),
]
