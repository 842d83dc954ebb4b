from django.urls import path

from . import views

app_name = "programs"
urlpatterns = [
    path("", views.index, name="index"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/<str:action>/", views.activity_action, name="activity_action"),
    path(
        "activities/<int:pk>/checkin/<int:registration_id>/",
        views.check_in_from_list,
        name="check_in_from_list",
    ),
    path("checkin/<str:code>/", views.checkin, name="checkin"),
    path("venues/", views.venues, name="venues"),
    path("bookings/", views.bookings, name="bookings"),
    path("bookings/<int:pk>/<str:action>/", views.booking_decide, name="booking_decide"),
    path("visits/", views.visits, name="visits"),
    path("menu/", views.menu, name="menu"),
    path("menu/orders/<int:pk>/<str:action>/", views.menu_order_action, name="menu_order_action"),
    path("troupes/", views.troupes, name="troupes"),
    path("troupes/<int:pk>/", views.troupe_detail, name="troupe"),
    path("digital/", views.digital, name="digital"),
    path("news/", views.news, name="news"),
    path("news/new/", views.news_edit, name="news_new"),
    path("news/<int:pk>/", views.news_edit, name="news_edit"),
]
