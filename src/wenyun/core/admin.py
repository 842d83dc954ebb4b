from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction

from . import versions
from .models import ApiToken, JobRun, User


class BumpsVersionAdmin(admin.ModelAdmin):
    """An admin whose saves and deletes (its inlines' too) bump `bumps`, a name in core.versions:
    for models a cache holds, which the admin writes without going through the services."""

    bumps: str

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        versions.bump(self.bumps)

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        versions.bump(self.bumps)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        versions.bump(self.bumps)

    def delete_queryset(self, request, queryset):
        # The changelist's "delete selected" runs outside the change form's transaction.
        with transaction.atomic():
            super().delete_queryset(request, queryset)
            versions.bump(self.bumps)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "display_name", "role", "unit", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Wenyun", {"fields": ("display_name", "role", "unit", "phone")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "digest"]


@admin.register(JobRun)
class JobRunAdmin(admin.ModelAdmin):
    """The periodic jobs' runs, for county administrators to read: written by core.jobs alone."""

    list_display = ["job", "started_at", "finished_at", "outcome", "counts", "runner"]
    list_filter = ["job", "outcome"]
    ordering = ["-started_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return bool(getattr(request.user, "is_county_admin", False))

    def has_module_permission(self, request):
        return self.has_view_permission(request)
