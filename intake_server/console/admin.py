"""Django's admin for administrators: the users (from django.contrib.auth) with names
stored as sign-in reads them, and the console's own table, the access log, read-only.
The intake's tables are registered by their app (``intake_server/api/admin.py``)."""

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from intake_server.api.admin import ReadOnly
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


@admin.register(AccessEntry)
class AccessEntryAdmin(ReadOnly):
    list_display = ("at", "username", "action", "receipt_id", "detail")
    list_filter = ("action",)
    search_fields = ("username", "receipt_id")
