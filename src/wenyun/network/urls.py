from django.urls import path

from . import views

app_name = "network"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("units/<str:code>/", views.unit_detail, name="unit"),
    path("units/<str:code>/edit/", views.unit_edit, name="unit_edit"),
    path("units/<str:code>/hours/", views.unit_hours, name="unit_hours"),
    path("units/<str:code>/closures/", views.closure_add, name="closure_add"),
    path("units/<str:code>/closures/<int:closure_id>/remove/", views.closure_remove, name="closure_remove"),
    path("units/<str:code>/add/", views.unit_add_child, name="unit_add_child"),
]
