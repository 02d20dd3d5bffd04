from django.urls import path

from . import views

urlpatterns = [
    path("", views.gap_analysis, name="gap-analysis"),
    path("<uuid:ms_id>/export/", views.gap_export, name="gap-export"),
    path("<uuid:ms_id>/draft-soa/", views.gap_draft_soa, name="gap-draft-soa"),
    path("<uuid:ms_id>/requirements/<str:key>/", views.gap_requirement, name="gap-requirement"),
    path("<uuid:ms_id>/requirements/<str:key>/decide/", views.gap_decide, name="gap-decide"),
    path("<uuid:ms_id>/requirements/<str:key>/scope/", views.gap_scope, name="gap-scope"),
]
