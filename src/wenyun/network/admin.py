from django.contrib import admin

from .models import Closure, NetworkEvent, OpeningHours, Unit


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "population", "grade", "active"]
    list_filter = ["kind", "grade", "active"]
    search_fields = ["code", "name", "name_en"]
    readonly_fields = ["path", "depth"]
    inlines = [OpeningHoursInline]


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ["unit", "first_day", "last_day", "reason"]


@admin.register(NetworkEvent)
class NetworkEventAdmin(admin.ModelAdmin):
    list_display = ["at", "type", "unit", "actor"]
    list_filter = ["type"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
