from django.urls import path

from . import views

urlpatterns = [
    path("", views.standards_list, name="standards-list"),
    path("requirements/<str:key>/", views.requirement_detail, name="requirement-detail"),
    path("<str:key>/", views.standard_detail, name="standard-detail"),
]
