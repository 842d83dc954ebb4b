from django.urls import path

from . import views

app_name = "sip2"

urlpatterns = [
    path("", views.accounts, name="accounts"),
    path("<str:name>/active/", views.account_active, name="active"),
    path("<str:name>/password/", views.account_password, name="password"),
]
