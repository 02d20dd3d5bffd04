from django.urls import path

from . import importing_views, views

urlpatterns = [
    path("", views.crosswalk_list, name="crosswalk-list"),
    path("import/", importing_views.crosswalk_import, name="crosswalk-import"),
    path("import/confirm/", importing_views.crosswalk_import_confirm, name="crosswalk-import-confirm"),
    path("relations/<uuid:relation_id>/", views.relation_row, name="crosswalk-relation-row"),
    path("relations/<uuid:relation_id>/edit/", views.relation_edit, name="crosswalk-relation-edit"),
    path(
        "relations/<uuid:relation_id>/withdraw/", views.relation_withdraw, name="crosswalk-relation-withdraw"
    ),
    path("<slug:key>/", views.crosswalk_detail, name="crosswalk-detail"),
    path("<slug:key>/export.csv", views.crosswalk_export, name="crosswalk-export"),
    path("<slug:key>/relations/new/", views.relation_add, name="crosswalk-relation-add"),
]
