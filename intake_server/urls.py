"""Every address the server answers: the API for the helper, the console for staff."""

from django.contrib import admin
from django.urls import include, path

from intake_server.api import views

urlpatterns = [
    path("api/v1/remote-support/confirmations", views.confirmations, name="confirmations"),
    path("api/v1/openapi.json", views.openapi, name="openapi"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("customers/", include("intake_server.customers.urls")),
    path("", include("intake_server.console.urls")),
]

#: Error pages in the console's style and language; the API's addresses keep Django's
#: plain answers. A fault of the database (disk full, server down) is a 503 in plain
#: words, never a 500 page (intake_server.faults).
handler400 = "intake_server.faults.bad_request"
handler403 = "intake_server.faults.permission_denied"
handler404 = "intake_server.faults.page_not_found"
handler500 = "intake_server.faults.server_error"
