"""The customer register in the console: every signed-in user sees it (support must know
before connecting whether an AV-Vertrag is on file); administrators add, change and
import customers, through the same form as the command line."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from intake_server.console.views import admin_required
from intake_server.customers.forms import CustomerForm
from intake_server.customers.importing import (
    HEADER,
    MAX_FILE_BYTES,
    MAX_UPLOAD_BYTES,
    Refused,
    import_customers,
)
from intake_server.customers.models import Customer

PAGE_SIZE = 50
#: How many of a refused file's problems the page lists.
PROBLEMS_SHOWN = 200


def _found(q: str, without_av: bool) -> QuerySet[Customer]:
    found = Customer.matching(q).order_by("number")
    return found.filter(av_signed_on__isnull=True) if without_av else found


@login_required
@require_GET
def customer_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()[:100]
    without_av = request.GET.get("without_av") == "1"
    page = Paginator(_found(q, without_av), PAGE_SIZE).get_page(request.GET.get("page"))
    kept = urlencode({"q": q, **({"without_av": "1"} if without_av else {})})
    context = {
        "page": page,
        "customers_q": q,
        "without_av": without_av,
        "kept": kept,
        "total": Customer.objects.count(),
    }
    return render(request, "customers/list.html", context)


@admin_required
@require_http_methods(["GET", "POST"])
def customer_add(request: HttpRequest) -> HttpResponse:
    return _edit(request, Customer())


@admin_required
@require_http_methods(["GET", "POST"])
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, get_object_or_404(Customer, pk=pk))


def _edit(request: HttpRequest, customer: Customer) -> HttpResponse:
    """The customer's form; saved, back to the list showing that customer."""
    form = CustomerForm(request.POST or None, instance=customer)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        return redirect(f"{reverse('customers:list')}?{urlencode({'q': saved.number})}")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "customers/form.html", {"form": form, "customer": customer}, status=status
    )


@admin_required
@require_http_methods(["GET", "POST"])
def customer_import(request: HttpRequest) -> HttpResponse:
    """A CSV file uploaded and imported all or nothing: the counts, or every problem by
    line (and nothing written)."""
    context: dict[str, object] = {"header": ";".join(HEADER)}
    if request.method != "POST":
        return render(request, "customers/import.html", context)
    # A larger body was not read (intake_server.asgi): the form must not look at it.
    too_large = int(request.META.get("CONTENT_LENGTH") or 0) > MAX_UPLOAD_BYTES
    upload = None if too_large else request.FILES.get("file")
    if upload is None or upload.size is None or upload.size > MAX_FILE_BYTES:
        context["problems"] = [
            _("Choose a CSV file of at most %(mb)d MB.") % {"mb": MAX_FILE_BYTES // 2**20}
        ]
        return render(request, "customers/import.html", context, status=400)
    try:
        context["counts"] = import_customers(upload.read())
    except Refused as refused:
        context["problems"] = [str(p) for p in refused.problems[:PROBLEMS_SHOWN]]
        context["more"] = max(0, len(refused.problems) - PROBLEMS_SHOWN)
        return render(request, "customers/import.html", context, status=400)
    context["name"] = upload.name
    return render(request, "customers/import.html", context)
