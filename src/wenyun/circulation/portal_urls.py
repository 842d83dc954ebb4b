"""The reader's own account on the portal, included once in portal/urls.py (namespace "account")."""

from django.urls import path

from . import portal_views as views

app_name = "account"
urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("renew/<int:loan_id>/", views.renew, name="renew"),
    path("renew-all/", views.renew_all, name="renew_all"),
    path("holds/new/<int:record_id>/", views.hold_new, name="hold_new"),
    path("holds/<int:hold_id>/cancel/", views.hold_cancel, name="hold_cancel"),
    path("history/", views.history_toggle, name="history"),
]
