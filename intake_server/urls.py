"""Every address the server answers."""

from django.urls import path

from intake_server.api import views

urlpatterns = [
    path("api/v1/remote-support/confirmations", views.confirmations, name="confirmations"),
    path("api/v1/openapi.json", views.openapi, name="openapi"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("metrics", views.metrics_view, name="metrics"),
]
