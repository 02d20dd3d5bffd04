from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.review_list, name="management-review-list"),
    path("new/", views.review_create, name="management-review-create"),
    path("actions/", views.action_list, name="review-action-list"),
    path("actions/<str:ref>/", views.action_detail, name="review-action-detail"),
    path("actions/<str:ref>/status/", views.action_status, name="review-action-status"),
    path("actions/<str:ref>/nonconformity/", views.action_nonconformity, name="review-action-nonconformity"),
    path("<str:ref>/", views.review_detail, name="management-review-detail"),
    path("<str:ref>/edit/", views.review_edit, name="management-review-edit"),
    path("<str:ref>/hold/", views.review_hold, name="management-review-hold"),
    path("<str:ref>/approve/", views.review_approve, name="management-review-approve"),
    path("<str:ref>/minutes/", views.review_minutes, name="management-review-minutes"),
    path("<str:ref>/minutes.pdf", views.review_pdf, name="management-review-pdf"),
    path("<str:ref>/items/<int:position>/notes/", views.item_notes, name="review-item-notes"),
    path("<str:ref>/decisions/", views.decision_add, name="review-decision-add"),
    path("<str:ref>/actions/", views.action_add, name="review-action-add"),
]
