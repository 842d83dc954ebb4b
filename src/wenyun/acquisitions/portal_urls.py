"""The reader's purchase suggestions on the portal, included once in portal/urls.py (namespace "suggest")."""

from django.urls import path

from . import portal_views as views

app_name = "suggest"
urlpatterns = [path("", views.suggest, name="suggest")]
