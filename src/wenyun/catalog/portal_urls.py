"""Public catalogue pages, included once in portal/urls.py (namespace "opac")."""

from django.urls import path

from . import portal_views as views

app_name = "opac"
urlpatterns = [
    path("", views.search, name="search"),
    path("records/<int:record_id>/", views.record, name="record"),
]
