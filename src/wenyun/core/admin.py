from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import ApiToken, User


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
