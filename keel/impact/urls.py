from django.urls import path

from . import views

urlpatterns = [
    path(
        "ai-systems/<slug:ref>/impact-assessments/new/",
        views.assessment_start,
        name="impact-assessment-start",
    ),
    path(
        "impact-assessments/<uuid:assessment_id>/", views.assessment_detail, name="impact-assessment-detail"
    ),
    path("impact-assessments/<uuid:assessment_id>/pdf/", views.assessment_pdf, name="impact-assessment-pdf"),
    path(
        "impact-assessments/<uuid:assessment_id>/edit/", views.assessment_edit, name="impact-assessment-edit"
    ),
    path(
        "impact-assessments/<uuid:assessment_id>/approve/",
        views.assessment_approve,
        name="impact-assessment-approve",
    ),
    path("impact-assessments/<uuid:assessment_id>/impacts/new/", views.impact_create, name="impact-create"),
    path(
        "impact-assessments/<uuid:assessment_id>/impacts/<uuid:impact_id>/edit/",
        views.impact_edit,
        name="impact-edit",
    ),
    path(
        "impact-assessments/<uuid:assessment_id>/impacts/<uuid:impact_id>/raise-risk/",
        views.impact_raise,
        name="impact-raise-risk",
    ),
]
