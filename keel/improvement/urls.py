from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("nonconformities/", views.nonconformity_list, name="nonconformity-list"),
    path("nonconformities/new/", views.nonconformity_create, name="nonconformity-create"),
    path("nonconformities/<str:ref>/", views.nonconformity_detail, name="nonconformity-detail"),
    path("nonconformities/<str:ref>/edit/", views.nonconformity_edit, name="nonconformity-edit"),
    path(
        "nonconformities/<str:ref>/correction/",
        views.nonconformity_correction,
        name="nonconformity-correction",
    ),
    path(
        "nonconformities/<str:ref>/root-cause/",
        views.nonconformity_root_cause,
        name="nonconformity-root-cause",
    ),
    path(
        "nonconformities/<str:ref>/actions/", views.nonconformity_action_add, name="nonconformity-action-add"
    ),
    path(
        "nonconformities/<str:ref>/effectiveness/",
        views.nonconformity_effectiveness,
        name="nonconformity-effectiveness",
    ),
    path("nonconformities/<str:ref>/close/", views.nonconformity_close, name="nonconformity-close"),
    path("corrective-actions/", views.corrective_action_list, name="corrective-action-list"),
    path("corrective-actions/<str:ref>/done/", views.corrective_action_done, name="corrective-action-done"),
]
