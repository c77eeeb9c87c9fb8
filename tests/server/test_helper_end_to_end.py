"""The real helper against the real server: ``intellekta-helper confirm`` with piped
answers, over HTTPS, to ``intellekta-intake serve`` on SQLite and on PostgreSQL.

The customer reads out the server's receipt id; support finds the confirmation with the
Session ID as the customer reads it out, text verified, under the same receipt id.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from helper.consent.session_id import format_session_id
from tests.conftest import run_cli
from tests.server.conftest import ServerProcess, run_intake

RECEIPT = re.compile(r"\bR-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}\b")
_PROXY_VARIABLES = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")

pytestmark = pytest.mark.skipif("sys.platform != 'linux'")


@pytest.fixture(autouse=True)
def _no_proxy_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy set on the test machine must not carry loopback traffic."""
    for name in _PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.mark.parametrize(
    ("session_id", "lang", "lines"),
    [
        ("1234567890", "en", ["1 234 567 890", "yes", "1"]),
        ("987654321", "de", ["987 654 321", "ja", "1"]),
    ],
)
def test_the_customer_reads_out_the_servers_receipt_and_support_finds_it(
    serve: ServerProcess, tmp_path: Path, session_id: str, lang: str, lines: list[str]
) -> None:
    data_dir = tmp_path / "helper-data"
    result = run_cli(
        *serve.helper_settings(),
        "-c",
        f"paths.data_dir={data_dir}",
        "-c",
        "intake.send_window_s=10",
        "-c",
        "customer.number=10472",
        "-c",
        "customer.company=Steuerkanzlei Beispiel GmbH",
        "--lang",
        lang,
        "confirm",
        input="".join(line + "\n" for line in lines),
    )
    out = result.stdout + result.stderr
    assert "Traceback" not in out
    assert result.returncode == 0, f"{out}\n--- server log ---\n{serve.log_text()}"
    shown = RECEIPT.findall(out)
    assert shown, f"no receipt id in the helper's output:\n{out}"
    assert len(set(shown)) == 1, shown
    receipt_id = shown[0]

    found = run_intake("find", format_session_id(session_id), "--json", env=serve.env)
    assert found.returncode == 0, found.stdout + found.stderr + serve.log_text()
    (item,) = json.loads(found.stdout)
    assert item["receipt_id"] == receipt_id
    assert item["session_id"] == session_id
    assert item["notice"]["status"] == "verified"
    assert item["customer"]["number"] == "10472"
    assert item["customer_verified"] is False  # no token: as the customer stated it
    assert item["client"]["name"] == "intellekta-helper"

    # The helper kept the server's answer as its receipt, and its outbox is empty.
    (receipt_file,) = (data_dir / "receipts").glob("*.json")
    receipt = json.loads(receipt_file.read_text("utf-8"))
    assert receipt["receipt_id"] == receipt_id
    assert receipt["submission_id"] == item["submission_id"]
    assert receipt["received_at"] == item["received_at"]
    assert receipt["http_status"] == 201
    assert not list((data_dir / "outbox").glob("*.json"))

    by_receipt = run_intake("find", receipt_id.lower().replace("-", " "), "--json", env=serve.env)
    assert by_receipt.returncode == 0, by_receipt.stderr
    assert [r["receipt_id"] for r in json.loads(by_receipt.stdout)] == [receipt_id]
    verified = run_intake("verify", env=serve.env)
    assert verified.returncode == 0, verified.stderr
    assert "Ledger intact: 1 entries" in verified.stdout
