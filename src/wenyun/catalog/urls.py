from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.search, name="search"),
    path("records/new/", views.record_create, name="record_create"),
    path("records/<int:record_id>/", views.record_detail, name="record"),
    path("records/<int:record_id>/edit/", views.record_edit, name="record_edit"),
    path("records/<int:record_id>/delete/", views.record_delete, name="record_delete"),
    path("records/<int:record_id>/copies/new/", views.item_create, name="item_create"),
    path("copies/<str:barcode>/", views.item_edit, name="item"),
    path("copies/<str:barcode>/withdraw/", views.item_withdraw, name="item_withdraw"),
    path("item-types/", views.item_types, name="item_types"),
    path("item-types/<str:code>/", views.item_type_edit, name="item_type"),
    path("import/", views.import_marc, name="import"),
    path("import/items/", views.import_items, name="import_items"),
]
