from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.workbench, name="workbench"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/", views.accounts, name="accounts"),
    path("accounts/<str:username>/", views.account_edit, name="account_edit"),
]
