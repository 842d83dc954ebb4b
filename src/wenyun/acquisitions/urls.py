from django.urls import path

from . import views

app_name = "acquisitions"
urlpatterns = [
    path("", views.index, name="index"),
    path("funds/", views.funds, name="funds"),
    path("vendors/", views.vendors, name="vendors"),
    path("orders/new/", views.order_new, name="order_new"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/order.xlsx", views.order_xlsx, name="order_xlsx"),
    path("orders/<int:pk>/labels.pdf", views.order_labels, name="order_labels"),
    path("orders/<int:pk>/packing.<str:fmt>", views.order_packing, name="order_packing"),
    path("orders/<int:pk>/<str:action>/", views.order_action, name="order_action"),
    path("late.xlsx", views.late_xlsx, name="late_xlsx"),
    path("receive/", views.receive, name="receive"),
    path("offers/", views.offers, name="offers"),
    path("offers/<int:pk>/", views.offer_detail, name="offer"),
    path("suggestions/", views.suggestions, name="suggestions"),
    path("rotation/", views.rotation, name="rotation"),
    path("rotation/<str:code>/move/", views.rotation_move, name="rotation_move"),
    path("rotation/moves/<int:pk>/arrive/", views.rotation_arrive, name="rotation_arrive"),
    path("choice/", views.choice, name="choice"),
    path("stocktake/", views.stocktakes, name="stocktakes"),
    path("stocktake/<int:pk>/", views.stocktake, name="stocktake"),
    path("stocktake/<int:pk>/resolve/", views.stocktake_resolve, name="stocktake_resolve"),
    path("stocktake/<int:pk>/finish/", views.stocktake_finish, name="stocktake_finish"),
    path("weeding/", views.weeding, name="weeding"),
    path("weeding/batches/<int:pk>.xlsx", views.weeding_xlsx, name="weeding_xlsx"),
]
