from django.urls import path

from . import views

app_name = "circulation"
urlpatterns = [
    path("", views.desk, name="desk"),
    path("scan/", views.desk_scan, name="scan"),
    path("checkin/", views.checkin, name="checkin"),
    path("checkin/scan/", views.checkin_scan, name="checkin_scan"),
    path("slip/<int:event_id>/", views.routing_slip, name="slip"),
    path("receipt/<str:card>/", views.receipt, name="receipt"),
    path("receipt/<str:card>/done/", views.receipt_done, name="receipt_done"),
    path("loans/<int:loan_id>/renew/", views.renew, name="renew"),
    path("loans/<int:loan_id>/lost/", views.mark_lost, name="lost"),
    path("loans/<int:loan_id>/claim-returned/", views.claim_returned, name="claim_returned"),
    path("readers/", views.reader_search, name="reader_search"),
    path("readers/new/", views.reader_new, name="reader_new"),
    path("access-log/", views.access_log, name="access_log"),
    path("readers/<str:card>/renew-all/", views.renew_all, name="renew_all"),
    path("readers/<str:card>/block/", views.block, name="block"),
    path("fees/<int:fee_id>/", views.fee_settle, name="fee"),
    path("fees/payments/<int:event_id>/receipt/", views.fee_receipt, name="fee_receipt"),
    path("holds/<int:hold_id>/cancel/", views.hold_cancel, name="hold_cancel"),
    path("m/", views.phone, name="phone"),
    path("lists/", views.lists, name="lists"),
    path("lists/fill/", views.holds_fill, name="holds_fill"),
    path("lists/send/", views.transit_send, name="transit_send"),
    path("van/", views.van, name="van"),
    path("van/<int:route_id>/send/", views.van_send, name="van_send"),
    path("van/<int:route_id>/manifest/", views.van_manifest, name="van_manifest"),
    path("van/runs/<int:run_id>/receive/", views.van_receive, name="van_receive"),
    path("rules/", views.matrix, name="matrix"),
    path("rules/explain/", views.explain, name="explain"),
    path("items/<str:barcode>/", views.item_history, name="item_history"),
]
