from django.urls import path

from . import importing_views, views

urlpatterns = [
    path("", views.soa_list, name="soa-list"),
    path("new/", views.soa_create, name="soa-create"),
    path("import/", importing_views.soa_import, name="soa-import"),
    path("import/confirm/", importing_views.soa_import_confirm, name="soa-import-confirm"),
    path("<uuid:soa_id>/", views.soa_detail, name="soa-detail"),
    path("<uuid:soa_id>/approve/", views.soa_approve, name="soa-approve"),
    path("<uuid:soa_id>/compare/", views.soa_compare, name="soa-compare"),
    path("<uuid:soa_id>/export/", views.soa_export, name="soa-export"),
    path("<uuid:soa_id>/versions/<int:number>/", views.soa_version, name="soa-version"),
    path("rows/<uuid:row_id>/", views.soa_row, name="soa-row"),
    path("rows/<uuid:row_id>/edit/", views.soa_row_edit, name="soa-row-edit"),
]
