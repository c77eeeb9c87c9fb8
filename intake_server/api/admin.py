"""Django's admin for the intake's tables: the notice texts, read-only (a confirmation's
evidence refers to them), and the customers' tokens, which can be looked up and revoked."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from intake_server.api.models import NoticeText, Token


class ReadOnly(admin.ModelAdmin):
    """A table that is evidence: shown, never added to, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(NoticeText)
class NoticeTextAdmin(ReadOnly):
    list_display = ("notice_id", "version", "language", "sha256", "source", "added_at")


@admin.register(Token)
class TokenAdmin(admin.ModelAdmin):
    """Tokens are created with ``intellekta-intake token create`` (shown once there);
    here they can be looked up and revoked."""

    list_display = ("pk", "customer_number", "company", "hint", "created_at", "revoked_at")
    fields = ("customer_number", "company", "hint", "created_at", "revoked_at")
    list_select_related = ("customer",)
    readonly_fields = ("customer_number", "company", "hint", "created_at")
    search_fields = ("customer_number", "customer__company")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
