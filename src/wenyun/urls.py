"""Root URLs. Each app with a urls.py is mounted under its own prefix; the portal is the front page."""

import importlib.util

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from wenyun.core import views as core_views
from wenyun.core.api import api

# (URL prefix, app). Staff pages live under /staff/<area>/, the public portal at the root.
APP_URLS = [
    ("staff/network/", "network"),
    ("staff/catalog/", "catalog"),
    ("staff/circulation/", "circulation"),
    ("staff/acquisitions/", "acquisitions"),
    ("staff/programs/", "programs"),
    ("staff/volunteers/", "volunteers"),
    ("staff/workforce/", "workforce"),
    ("staff/stats/", "stats"),
    ("staff/ledger/", "ledger"),
    ("staff/sip2/", "sip2"),
]

urlpatterns = [
    path("login/", core_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("staff/", include("wenyun.core.urls")),
]
for prefix, app in APP_URLS:
    if importlib.util.find_spec(f"wenyun.{app}.urls") is not None:
        urlpatterns.append(path(prefix, include(f"wenyun.{app}.urls")))
urlpatterns.append(path("", include("wenyun.portal.urls")))
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
