"""Public volunteer pages, included once in portal/urls.py (namespace "volunteer")."""

from django.urls import path

from . import portal_views as views

app_name = "volunteer"
urlpatterns = [
    path("", views.projects, name="projects"),
    path("join/", views.join, name="join"),
    path("projects/<int:pk>/sign-up/", views.sign_up, name="sign_up"),
]
