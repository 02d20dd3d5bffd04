from django.urls import path

from . import views

urlpatterns = [
    path("", views.evidence_list, name="evidence-list"),
    path("new/", views.evidence_create, name="evidence-create"),
    path("<str:ref>/", views.evidence_detail, name="evidence-detail"),
    path("<str:ref>/edit/", views.evidence_edit, name="evidence-edit"),
    path("<str:ref>/withdraw/", views.evidence_withdraw, name="evidence-withdraw"),
    path("<str:ref>/versions/", views.version_add, name="evidence-version-add"),
    path("<str:ref>/versions/<int:number>/download/", views.download, name="evidence-download"),
    path("<str:ref>/controls/", views.control_link, name="evidence-control-link"),
    path("<str:ref>/controls/<str:control>/remove/", views.control_unlink, name="evidence-control-unlink"),
    path("<str:ref>/requirements/", views.requirement_link, name="evidence-requirement-link"),
    path(
        "<str:ref>/requirements/<str:key>/remove/",
        views.requirement_unlink,
        name="evidence-requirement-unlink",
    ),
]
