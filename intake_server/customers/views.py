"""The customer register in the console (a first version; to be completed)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from intake_server.customers.models import Customer


@login_required
@require_GET
def customer_list(request: HttpRequest) -> HttpResponse:
    return render(request, "customers/list.html", {"customers": Customer.objects.all()[:100]})
