from django.urls import path

from . import views, views_fria, views_restructure

urlpatterns = [
    path("ai-act/", views.overview, name="aiact-overview"),
    path("ai-act/export.xlsx", views.export_xlsx, name="aiact-export-xlsx"),
    path("ai-act/export.pdf", views.export_pdf, name="aiact-export-pdf"),
    path("ai-act/operating-model/", views.operating_model, name="aiact-operating-model"),
    path("ai-act/operating-model/advise/", views.operating_model_advise, name="aiact-operating-model-advise"),
    path("ai-act/operating-model/split/", views_restructure.split, name="aiact-restructure-split"),
    path("ai-act/operating-model/merge/", views_restructure.merge, name="aiact-restructure-merge"),
    path("ai-act/operating-model/result/", views_restructure.result, name="aiact-restructure-result"),
    path("ai-act/systems/<slug:ref>/", views.system_detail, name="aiact-system"),
    path("ai-act/systems/<slug:ref>/pdf/", views.system_pdf, name="aiact-system-pdf"),
    path("ai-act/systems/<slug:ref>/classify/", views.classify, name="aiact-classify"),
    path("ai-act/systems/<slug:ref>/fria/", views_fria.edit, name="aiact-fria"),
    path("ai-act/systems/<slug:ref>/fria/start/", views_fria.start, name="aiact-fria-start"),
    path(
        "ai-act/systems/<slug:ref>/obligations/<slug:key>/",
        views.obligation_status,
        name="aiact-obligation-status",
    ),
]
