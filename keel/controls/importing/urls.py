from django.urls import path

from . import views

urlpatterns = [
    path("", views.import_upload, name="control-import"),
    path("confirm/", views.import_confirm, name="control-import-confirm"),
]
