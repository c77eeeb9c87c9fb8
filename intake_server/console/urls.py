from django.contrib.auth import views as auth_views
from django.urls import path, register_converter

from intake_server.console import access, exporting, marks, sign_in, views


class EvidenceKind:
    """The evidence exists as ``.pdf`` and ``.json`` only; any other ending is a 404."""

    regex = "pdf|json"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(EvidenceKind, "evidence_kind")
app_name = "console"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("queue/rows", views.queue_rows, name="queue_rows"),
    path("search", views.search, name="search"),
    path("r/<str:receipt_id>", views.detail, name="detail"),
    path("r/<str:receipt_id>/mark", marks.mark, name="mark"),
    path(
        "r/<str:receipt_id>/evidence.<evidence_kind:kind>", views.evidence_download, name="evidence"
    ),
    path("access-log", access.access_log, name="access_log"),
    path("export", exporting.export, name="export"),
    path("sign-in", sign_in.SignInView.as_view(), name="sign_in"),
    path("session", sign_in.session_state, name="session"),
    path("sign-out", auth_views.LogoutView.as_view(next_page="console:sign_in"), name="sign_out"),
]
