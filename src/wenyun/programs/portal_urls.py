"""Public pages of cultural services, included once in portal/urls.py (namespace "culture")."""

from django.urls import path

from . import portal_views as views

app_name = "culture"
urlpatterns = [
    path("activities/", views.calendar, name="calendar"),
    path("activities/mine/", views.mine, name="mine"),
    path("activities/<int:pk>/", views.activity_page, name="activity"),
    path("activities/r/<str:code>/", views.registration_page, name="registration"),
    path("activities/r/<str:code>/cancel/", views.registration_cancel, name="registration_cancel"),
    path("visits/", views.visits, name="visits"),
    path("visits/slot/<int:slot_id>/", views.visit_book, name="visit_book"),
    path("visits/t/<str:code>/", views.ticket_page, name="ticket"),
    path("visits/t/<str:code>/cancel/", views.ticket_cancel, name="ticket_cancel"),
    path("venues/", views.venues, name="venues"),
    path("venues/<int:pk>/", views.venue_book, name="venue_book"),
    path("venues/b/<str:code>/", views.booking_page, name="booking"),
    path("venues/b/<str:code>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("news/", views.news_list, name="news"),
    path("news/unit/<str:code>/", views.news_list, name="unit_news"),
    path("news/<int:pk>/", views.news_detail, name="news_item"),
    path("news/<int:pk>/photo/", views.news_photo, name="news_photo"),
]
