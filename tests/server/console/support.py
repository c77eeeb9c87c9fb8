"""What the console's browser tests and screenshots share: an account, sample records."""

from __future__ import annotations

import json
import urllib.request

from playwright.sync_api import Page

from tests.server.conftest import ServerProcess
from tests.server.records import real_record

PASSWORD = "correct-horse-battery-staple"
SAMPLES = (
    (
        "1234567890",
        ("Microsoft Outlook", "Mozilla Firefox"),
        "Steuerkanzlei Beispiel GmbH",
        "10472",
    ),
    ("987654321", (), "Praxis Dr. Müller", "20931"),
    ("555666777", ("KeePassXC",), "Ingenieurbüro Nord", "31877"),
)


def post(server: ServerProcess, payload: bytes, submission_id: str) -> dict[str, str]:
    """POST one confirmation as the helper does; the server's answer."""
    request = urllib.request.Request(
        server.url,
        data=payload,
        method="POST",
        headers={"Content-Type": "application/json", "Idempotency-Key": f'"{submission_id}"'},
    )
    context = server.tls.client_context() if server.tls else None
    with urllib.request.urlopen(request, context=context, timeout=10) as answer:
        return dict(json.loads(answer.read()))


def post_samples(server: ServerProcess) -> str:
    """Three real confirmations; the receipt id of the first (programs kept open)."""
    receipts = []
    for session_id, kept_open, company, number in SAMPLES:
        built = real_record(
            session_id=session_id, kept_open=kept_open, company=company, number=number
        )
        receipts.append(post(server, built.payload, built.submission_id)["receipt_id"])
    return receipts[0]


def sign_in(page: Page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(base + "/sign-in")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].primary")
    page.wait_for_url(base + "/")
