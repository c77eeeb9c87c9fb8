"""The customer register in Django's admin, checked by the same form as everywhere."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from intake_server.customers.forms import CustomerForm
from intake_server.customers.models import Customer


class AvFilter(admin.SimpleListFilter):
    title = _("AV-Vertrag")
    parameter_name = "av"

    def lookups(self, request, model_admin):  # type: ignore[no-untyped-def]
        return [("yes", _("on file")), ("no", _("No AV-Vertrag on file"))]

    def queryset(self, request, queryset):  # type: ignore[no-untyped-def]
        if self.value() in ("yes", "no"):
            return queryset.filter(av_signed_on__isnull=self.value() == "no")
        return queryset


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    form = CustomerForm
    list_display = ("number", "company", "sector", "av_signed_on", "av_document")
    list_filter = ("sector", AvFilter)
    search_fields = ("number", "company")
    ordering = ("number",)

    def get_search_results(self, request, queryset, search_term):  # type: ignore[no-untyped-def]
        """Django's search, and the register's own: ``k-1`` finds ``K1``, ``Mueller``
        finds ``Müller``."""
        found, duplicates = super().get_search_results(request, queryset, search_term)
        return found | queryset.filter(pk__in=Customer.matching(search_term)), duplicates
