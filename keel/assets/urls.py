from django.urls import path

from . import importing_views, views

urlpatterns = [
    path("", views.asset_list, name="asset-list"),
    path("new/", views.asset_create, name="asset-create"),
    path("import/", importing_views.asset_import, name="asset-import"),
    path("import/confirm/", importing_views.asset_import_confirm, name="asset-import-confirm"),
    path("classification/", views.classification, name="classification"),
    path("classification/new/", views.level_create, name="classification-create"),
    path("classification/<slug:key>/edit/", views.level_edit, name="classification-edit"),
    path("<str:ref>/", views.asset_detail, name="asset-detail"),
    path("<str:ref>/edit/", views.asset_edit, name="asset-edit"),
    path("<str:ref>/retire/", views.asset_retire, name="asset-retire"),
]
