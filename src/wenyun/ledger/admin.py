"""Read-only admin views: standards are loaded and edited through the ledger's own pages and
services, which check the file and who asks."""

from django.contrib import admin

from .models import Evidence, Indicator, LedgerEvent, RectificationTask, Standard


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class IndicatorInline(admin.TabularInline):
    model = Indicator
    fields = ("code", "name", "part", "scope", "comparison", "threshold", "measure", "weight", "retired")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Standard)
class StandardAdmin(ReadOnly):
    list_display = ["code", "name", "loaded_at"]
    inlines = [IndicatorInline]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnly):
    list_display = ["original_name", "unit", "indicator", "task", "size", "uploaded_by", "uploaded_at"]


@admin.register(RectificationTask)
class TaskAdmin(ReadOnly):
    list_display = ["unit", "owner", "deadline", "state"]
    list_filter = ["state"]


@admin.register(LedgerEvent)
class LedgerEventAdmin(ReadOnly):
    list_display = ["type", "at", "unit", "actor"]
    list_filter = ["type"]
