from django.urls import path

from . import views
from .kinds import KINDS

urlpatterns = [
    path("objectives/<str:ref>/readings/", views.objective_reading_add, name="objective-reading-add"),
    path("objectives/<str:ref>/pull/", views.objective_pull, name="objective-pull"),
    path("awareness/<str:ref>/completions/", views.completion_add, name="awareness-completion-add"),
    path("ai-systems/<slug:ref>/documents/", views.ai_system_document_link, name="ai-system-document-link"),
    path(
        "ai-system-documents/<uuid:link_id>/unlink/",
        views.ai_system_document_unlink,
        name="ai-system-document-unlink",
    ),
]
for kind in KINDS:
    v = views.VIEWS[kind.slug]
    urlpatterns += [
        path(f"{kind.path}/", v["list"], name=f"{kind.slug}-list"),
        path(f"{kind.path}/new/", v["create"], name=f"{kind.slug}-create"),
        path(f"{kind.path}/<str:ref>/", v["detail"], name=f"{kind.slug}-detail"),
        path(f"{kind.path}/<str:ref>/edit/", v["edit"], name=f"{kind.slug}-edit"),
    ]
