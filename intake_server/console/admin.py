"""Django's admin for administrators: users come from django.contrib.auth; these are the
console's own tables, read-only where they are evidence."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from intake_server.api.models import NoticeText, Token
from intake_server.console import names
from intake_server.console.models import AccessEntry


class _NormalisedName:
    """A user name stored as sign-in reads it (``names.normalise``): an administrator who
    types ``Carl`` creates ``carl``, who can then sign in as ``Carl`` or ``carl``."""

    cleaned_data: dict[str, Any]
    instance: User

    def clean_username(self) -> str:
        name = names.normalise(self.cleaned_data["username"])
        if User.objects.filter(username=name).exclude(pk=self.instance.pk).exists():
            raise ValidationError(User._meta.get_field("username").error_messages["unique"])
        return name


class _Creation(_NormalisedName, AdminUserCreationForm):
    pass


class _Change(_NormalisedName, UserChangeForm):
    pass


admin.site.unregister(User)


@admin.register(User)
class ConsoleUserAdmin(UserAdmin):
    add_form = _Creation
    form = _Change


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AccessEntry)
class AccessEntryAdmin(ReadOnly):
    list_display = ("at", "username", "action", "receipt_id", "detail")
    list_filter = ("action",)
    search_fields = ("username", "receipt_id")


@admin.register(NoticeText)
class NoticeTextAdmin(ReadOnly):
    list_display = ("notice_id", "version", "language", "sha256", "source", "added_at")


@admin.register(Token)
class TokenAdmin(admin.ModelAdmin):
    """Tokens are created with ``intellekta-intake token create`` (shown once there);
    here they can be looked up and revoked."""

    list_display = ("pk", "customer_number", "company", "hint", "created_at", "revoked_at")
    fields = ("customer_number", "company", "hint", "created_at", "revoked_at")
    readonly_fields = ("customer_number", "hint", "created_at")
    search_fields = ("customer_number", "company")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
