from django.urls import path

from . import views

app_name = "workforce"
urlpatterns = [
    path("", views.staff_index, name="staff"),
    path("staff/new/", views.staff_add, name="staff_add"),
    path("staff/<int:pk>/", views.person_detail, name="person"),
    path("staff/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("staff/<int:pk>/posts/", views.appointment_add, name="appointment_add"),
    path("staff/<int:pk>/posts/<int:appointment_id>/end/", views.appointment_end, name="appointment_end"),
    path("staff/<int:pk>/qualifications/", views.qualification_add, name="qualification_add"),
    path("staffing/", views.staffing, name="staffing"),
    path("units/<str:code>/", views.unit_staff, name="unit"),
    path("standards/", views.standards, name="standards"),
    path("rolls/", views.rolls, name="rolls"),
    path("rolls/<str:month>/", views.roll_detail, name="roll"),
    path("rolls/<str:month>/approve/", views.roll_approve, name="roll_approve"),
    path("rolls/<str:month>/recompute/", views.roll_recompute, name="roll_recompute"),
    path("rolls/<str:month>/adjust/", views.roll_adjust, name="roll_adjust"),
    path("rolls/<str:month>/xlsx/", views.roll_xlsx, name="roll_xlsx"),
    path("training/", views.training, name="training"),
    path("training/<int:pk>/", views.session_detail, name="session"),
]
