from django.urls import URLPattern, URLResolver, path

from . import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.incident_list, name="incident-list"),
    path("new/", views.incident_create, name="incident-create"),
    path("types/", views.type_list, name="incident-type-list"),
    path("types/new/", views.type_create, name="incident-type-create"),
    path("types/<slug:slug>/", views.type_detail, name="incident-type-detail"),
    path("types/<slug:slug>/edit/", views.type_edit, name="incident-type-edit"),
    path("types/<slug:slug>/steps/", views.type_step_add, name="incident-type-step-add"),
    path("clocks/", views.clock_list, name="incident-clock-list"),
    path("clocks/new/", views.clock_create, name="incident-clock-create"),
    path("clocks/<slug:slug>/", views.clock_detail, name="incident-clock-detail"),
    path("clocks/<slug:slug>/edit/", views.clock_edit, name="incident-clock-edit"),
    path("clocks/<slug:slug>/variants/", views.clock_variant_add, name="incident-clock-variant-add"),
    path("<str:ref>/", views.incident_detail, name="incident-detail"),
    path("<str:ref>/edit/", views.incident_edit, name="incident-edit"),
    path("<str:ref>/advance/", views.incident_advance, name="incident-advance"),
    path("<str:ref>/timeline/", views.incident_timeline, name="incident-timeline"),
    path("<str:ref>/review/", views.incident_review, name="incident-review"),
    path("<str:ref>/nonconformity/", views.incident_nonconformity, name="incident-nonconformity"),
    path("<str:ref>/steps/<str:step>/", views.incident_step, name="incident-step"),
    path("<str:ref>/clocks/<str:clock>/met/", views.incident_clock_met, name="incident-clock-met"),
]
