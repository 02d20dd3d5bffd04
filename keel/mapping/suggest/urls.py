from django.urls import path

from . import views

urlpatterns = [
    path("", views.suggestions, name="mapping-suggestions"),
    path("decide", views.suggestion_decide, name="mapping-suggestion-decide"),
]
