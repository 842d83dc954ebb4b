from django.urls import path

from . import views

app_name = "volunteers"
urlpatterns = [
    path("", views.index, name="index"),
    path("projects/", views.projects, name="projects"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("<int:pk>/certificate/", views.certificate, name="certificate"),
]
