from django.contrib import admin

from .models import ReaderAccess


@admin.register(ReaderAccess)
class ReaderAccessAdmin(admin.ModelAdmin):
    """The record of processing in the admin: read by county administrators, never added to, changed or removed."""

    list_display = ["at", "staff", "staff_unit", "reader", "action", "via"]
    list_filter = ["action", "via"]
    search_fields = ["reader__card", "staff__username"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return bool(getattr(request.user, "is_county_admin", False))
