from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.change_list, name="change-list"),
    path("new/", views.change_create, name="change-create"),
    path("<str:ref>/", views.change_detail, name="change-detail"),
    path("<str:ref>/edit/", views.change_edit, name="change-edit"),
    path("<str:ref>/submit/", views.change_submit, name="change-submit"),
    path("<str:ref>/approve/", views.change_approve, name="change-approve"),
    path("<str:ref>/reject/", views.change_reject, name="change-reject"),
    path("<str:ref>/implement/", views.change_implement, name="change-implement"),
    path("<str:ref>/close/", views.change_close, name="change-close"),
]
