from django.urls import path

from . import views

app_name = "stats"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("screen/", views.screen, name="screen"),
    path("panels/<str:key>.csv", views.panel_download, name="panel_csv"),
    path("annual/", views.annual, name="annual"),
    path("annual.xlsx", views.annual_xlsx, name="annual_xlsx"),
    path("metrics/", views.metric_list, name="metrics"),
    path("figures/", views.figures, name="figures"),
    path("door-counts/", views.door_counts, name="door_counts"),
]
