from django.urls import path

from . import views, views_ack

urlpatterns = [
    path("", views.document_list, name="document-list"),
    path("new/", views.document_create, name="document-create"),
    path("coverage/", views_ack.coverage_page, name="document-coverage"),
    path("acknowledgements/", views_ack.acknowledgement_list, name="acknowledgement-list"),
    path("acknowledgements/<str:ack>/acknowledge/", views_ack.acknowledge, name="document-acknowledge"),
    path("acknowledgements/<str:ack>/resend/", views_ack.resend, name="acknowledgement-resend"),
    path("<str:ref>/", views.document_detail, name="document-detail"),
    path("<str:ref>/edit/", views.document_edit, name="document-edit"),
    path("<str:ref>/retire/", views.document_retire, name="document-retire"),
    path("<str:ref>/versions/", views.version_add, name="document-version-add"),
    path("<str:ref>/versions/<int:number>/", views.version_detail, name="document-version"),
    path("<str:ref>/versions/<int:number>/download/", views.version_download, name="document-download"),
    path("<str:ref>/versions/<int:number>/pdf/", views.version_pdf, name="document-pdf"),
    path("<str:ref>/review/", views.submit, name="document-submit"),
    path("<str:ref>/send-back/", views.send_back, name="document-send-back"),
    path("<str:ref>/approve/", views.approve, name="document-approve"),
    path("<str:ref>/publish/", views_ack.publish, name="document-publish"),
    path("<str:ref>/requirements/", views.requirement_link, name="document-requirement-link"),
    path(
        "<str:ref>/requirements/<str:key>/remove/",
        views.requirement_unlink,
        name="document-requirement-unlink",
    ),
]

# Mounted at /acknowledge/ (keel/site/urls.py), outside the login wall: the signed, expiring
# link emailed to people without a login is the only credential (docs/documents.md).
public_urlpatterns = [
    path("<str:token>/", views_ack.acknowledge_link, name="document-acknowledge-link"),
]
