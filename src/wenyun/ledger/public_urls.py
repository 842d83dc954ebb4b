"""Public pages of the ledger: the satisfaction survey a phone opens from a QR code."""

from django.urls import path

from . import views

app_name = "ledger_public"
urlpatterns = [path("<str:token>/", views.survey_answer, name="survey_answer")]
