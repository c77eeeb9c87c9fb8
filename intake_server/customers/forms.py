"""The one validation of a customer: Django's admin, the console's form, the ``customer``
command and the CSV import all fill :class:`CustomerForm`, so a number, a date or a
sector is accepted or refused alike everywhere, with the same message in the user's
language (the command line's is English)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from intake_server.api import fields
from intake_server.customers.models import Customer
from intake_server.folding import number_key

#: How a date of signing may be written: ISO, or as Germans write it.
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y")
_TOO_LONG = _("At most %(limit_value)d characters (this has %(show_value)d): shorten it.")


class SectorField(forms.ChoiceField):
    """A sector by its code, however capitalised (``Health`` from a CRM is ``health``)."""

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)).strip().lower()


class CustomerForm(forms.ModelForm):
    """A customer's facts (:attr:`Customer.FACTS`), checked: the number has a letter or
    digit and is no other customer's however written (``K-1`` is ``k1``), the company is
    given, the sector is one of the register's, the AV-Vertrag was not signed in the
    future."""

    sector = SectorField(
        label=_("sector"),
        choices=list(Customer.SECTORS.items()),
        initial=Customer.OTHER,
        error_messages={
            "required": _("Give the sector: health, legal, tax, finance or other."),
            "invalid_choice": _(
                "%(value)s is no sector: give health, legal, tax, finance or other."
            ),
        },
    )
    av_signed_on = forms.DateField(
        label=_("AV-Vertrag signed on"),
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Empty if no AV-Vertrag is on file."),
        error_messages={
            "invalid": _("Write the date as YYYY-MM-DD or DD.MM.YYYY, e.g. 2025-03-31.")
        },
    )

    class Meta:
        model = Customer
        fields = Customer.FACTS
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "av_document": _("Where the signed AV-Vertrag is kept, e.g. its number in the DMS."),
        }
        error_messages = {
            "number": {
                "required": _("Give the customer number (1 to 64 characters)."),
                "max_length": _TOO_LONG,
            },
            "company": {"required": _("Give the company's name."), "max_length": _TOO_LONG},
            "av_document": {"max_length": _TOO_LONG},
            "notes": {"max_length": _TOO_LONG},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["av_signed_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_number(self) -> str:
        number = str(self.cleaned_data["number"])
        if not number_key(number):
            raise ValidationError(
                _("A customer number needs at least one letter or digit."), code="invalid"
            )
        return number

    def clean_av_signed_on(self) -> Any:
        signed = self.cleaned_data["av_signed_on"]
        if signed and signed > timezone.localdate():
            raise ValidationError(
                _("%(date)s is in the future: give the day the AV-Vertrag was signed."),
                code="future",
                params={"date": fields.day(signed)},
            )
        return signed

    def validate_unique(self) -> None:
        """No other customer has this number, however written: ``K-1`` and ``k1`` are
        one customer (the ``key``), which Django's check of ``number`` would miss."""
        key = number_key(str(self.cleaned_data.get("number", "")))
        if not key:
            return
        other = Customer.objects.filter(key=key).exclude(pk=self.instance.pk).first()
        if other is not None:
            self.add_error("number", already_registered(other))


def already_registered(other: Customer) -> ValidationError:
    """The error for a number that is ``other``'s."""
    return ValidationError(
        _("Customer %(number)s is already in the register (%(company)s)."),
        code="unique",
        params={"number": other.number, "company": other.company},
    )
