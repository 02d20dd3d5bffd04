from django.urls import path

from . import views

urlpatterns = [
    path("", views.control_list, name="control-list"),
    path("bulk/", views.control_bulk, name="control-bulk"),
    path("export.xlsx", views.control_export, name="control-export"),
    path("new/", views.control_create, name="control-create"),
    path("templates/", views.template_library, name="control-templates"),
    path("templates/adopt/", views.template_adopt, name="control-adopt"),
    path("matrix/", views.coverage_matrix, name="control-matrix"),
    path("links/<uuid:link_id>/", views.link_row, name="control-link-row"),
    path("links/<uuid:link_id>/edit/", views.link_edit, name="control-link-edit"),
    path("links/<uuid:link_id>/delete/", views.link_delete, name="control-link-delete"),
    path("<str:ref>/", views.control_detail, name="control-detail"),
    path("<str:ref>/edit/", views.control_edit, name="control-edit"),
    path("<str:ref>/delete/", views.control_delete, name="control-delete"),
    path("<str:ref>/links/", views.link_add, name="control-link-add"),
]
