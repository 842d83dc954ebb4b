from django.urls import path

from . import views

app_name = "ledger"
urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("standards/", views.standards, name="standards"),
    path("snapshot/", views.snapshot, name="snapshot"),
    path("workbook.xlsx", views.workbook, name="workbook"),
    path("report.docx", views.report, name="report"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence"),
    path("inspections/", views.inspections, name="inspections"),
    path("inspections/<int:pk>/", views.inspection, name="inspection"),
    path("inspections/<int:pk>/items/<int:item_id>/", views.checklist_mark, name="checklist_mark"),
    path("tasks/<int:pk>/", views.task, name="task"),
    path("performance/", views.performance, name="performance"),
    path("surveys/", views.surveys, name="surveys"),
    path("surveys/<int:pk>/", views.survey, name="survey"),
    path("<slug:standard>/<str:code>/", views.indicator, name="indicator"),
    path("<slug:standard>/<str:code>/edit/", views.indicator_edit, name="indicator_edit"),
    path("<slug:standard>/<str:code>/evidence/", views.evidence_upload, name="evidence_upload"),
]
