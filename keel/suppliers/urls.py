from django.urls import URLPattern, URLResolver, path

from . import views, views_link, views_questionnaires

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.supplier_list, name="supplier-list"),
    path("new/", views.supplier_create, name="supplier-create"),
    path("questionnaires/", views_questionnaires.questionnaire_list, name="questionnaire-list"),
    path("questionnaires/new/", views_questionnaires.questionnaire_create, name="questionnaire-create"),
    path("questionnaires/seed/", views_questionnaires.questionnaire_seed, name="questionnaire-seed"),
    path("questionnaires/<str:ref>/", views_questionnaires.questionnaire_detail, name="questionnaire-detail"),
    path(
        "questionnaires/<str:ref>/publish/",
        views_questionnaires.questionnaire_publish,
        name="questionnaire-publish",
    ),
    path("questionnaires/<str:ref>/questions/", views_questionnaires.question_add, name="question-add"),
    path(
        "questionnaires/<str:ref>/questions/<str:question>/",
        views_questionnaires.question_edit,
        name="question-edit",
    ),
    path(
        "questionnaires/<str:ref>/questions/<str:question>/move/",
        views_questionnaires.question_move,
        name="question-move",
    ),
    path(
        "questionnaires/<str:ref>/questions/<str:question>/remove/",
        views_questionnaires.question_remove,
        name="question-remove",
    ),
    path("assessments/<str:ref>/", views.assessment_detail, name="supplier-assessment-detail"),
    path("assessments/<str:ref>/review/", views.assessment_review, name="supplier-assessment-review"),
    path("assessments/<str:ref>/withdraw/", views.assessment_withdraw, name="supplier-assessment-withdraw"),
    path("assessments/<str:ref>/extend/", views.assessment_extend, name="supplier-assessment-extend"),
    path("assessments/<str:ref>/resend/", views.assessment_resend, name="supplier-assessment-resend"),
    path("<str:ref>/", views.supplier_detail, name="supplier-detail"),
    path("<str:ref>/edit/", views.supplier_edit, name="supplier-edit"),
    path("<str:ref>/move/", views.supplier_move, name="supplier-move"),
    path("<str:ref>/contacts/", views.contact_add, name="supplier-contact-add"),
    path("<str:ref>/contacts/<str:contact>/remove/", views.contact_remove, name="supplier-contact-remove"),
    path("<str:ref>/contracts/", views.contract_add, name="supplier-contract-add"),
    path("<str:ref>/reviews/", views.review_add, name="supplier-review-add"),
    path("<str:ref>/assessments/", views.assessment_send, name="supplier-assessment-send"),
]

# Mounted at /supplier-answer/ (keel/site/urls.py), outside the login wall: the signed, expiring
# link sent to the supplier is the only credential (docs/suppliers.md).
public_urlpatterns: list[URLPattern | URLResolver] = [
    path("<str:token>/", views_link.answer_link, name="supplier-answer-link"),
]
