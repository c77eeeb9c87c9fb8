"""The product's addresses plus ``POST /floor``: the same stack, without our own work.

The floor view reads the body and answers 201 with a fixed receipt, touching neither the
database nor the schema, so the benchmark can show what the real endpoint adds to it.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from intake_server.urls import urlpatterns as product_urlpatterns


@csrf_exempt
def floor_view(request: HttpRequest) -> HttpResponse:
    request.read(65537)
    return JsonResponse(
        {"receipt_id": "R-0000-0000", "received_at": "2026-01-01T00:00:00.000Z"}, status=201
    )


urlpatterns = [*product_urlpatterns, path("floor", floor_view, name="floor")]
