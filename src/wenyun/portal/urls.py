from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("units/", views.units, name="units"),
    path("units/<str:code>/", views.unit, name="unit"),
]
