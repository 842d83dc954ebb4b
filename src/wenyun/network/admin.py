from django.contrib import admin

from wenyun.core import versions
from wenyun.core.admin import BumpsVersionAdmin

from .models import Closure, NetworkEvent, OpeningHours, Unit


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0


@admin.register(Unit)
class UnitAdmin(BumpsVersionAdmin):
    bumps = versions.CIRCULATION_RULES  # the circulation rules cache holds every unit and its hours
    list_display = ["code", "name", "kind", "parent", "population", "grade", "active"]
    list_filter = ["kind", "grade", "active"]
    search_fields = ["code", "name", "name_en"]
    readonly_fields = ["path", "depth"]
    inlines = [OpeningHoursInline]


@admin.register(Closure)
class ClosureAdmin(BumpsVersionAdmin):
    bumps = versions.CIRCULATION_RULES
    list_display = ["unit", "first_day", "last_day", "reason"]


@admin.register(NetworkEvent)
class NetworkEventAdmin(admin.ModelAdmin):
    list_display = ["at", "type", "unit", "actor"]
    list_filter = ["type"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
