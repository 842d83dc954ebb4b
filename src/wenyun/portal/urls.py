from django.urls import include, path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("units/", views.units, name="units"),
    path("units/<str:code>/", views.unit, name="unit"),
    path("", include("wenyun.programs.portal_urls")),
    path("volunteer/", include("wenyun.volunteers.portal_urls")),
    path("survey/", include("wenyun.ledger.public_urls")),
    path("catalog/", include("wenyun.catalog.portal_urls")),
    path("account/", include("wenyun.circulation.portal_urls")),
    path("suggest/", include("wenyun.acquisitions.portal_urls")),
]
