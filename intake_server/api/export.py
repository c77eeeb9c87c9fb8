"""Confirmations of a date range as CSV or JSON Lines: for ``export`` and the console.

Rows are streamed (``iterator``), so 100,000 records are never held in memory.
"""

from __future__ import annotations

import csv
import json
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, Protocol

from intake_server.api import records
from intake_server.api.models import Confirmation

CSV_FIELDS = (
    "receipt_id", "submission_id", "session_id", "received_at", "confirmed_at",
    "customer_number", "company", "contact_name", "customer_verified", "authority",
    "confidential_apps", "open_applications", "notice_id", "notice_version", "notice_sha256",
    "notice_verified", "client_platform", "client_version",
)  # fmt: skip
#: What makes a spreadsheet read a cell as a formula (OWASP's list): such a cell gets a
#: leading apostrophe, because company and contact names are typed by customers.
_FORMULA_START = frozenset("=+-@")
_CONTROL_START = ("\t", "\r")
_CHUNK = 2000


def csv_row(item: dict[str, Any]) -> list[str]:
    """One :func:`records.summary` as the cells of :data:`CSV_FIELDS`, safe to open in a
    spreadsheet."""
    customer, notice, client = item["customer"], item["notice"], item["client"]
    apps = "; ".join(f"{a['name']} ({a['category']})" for a in item["open_applications"])
    cells = [
        item["receipt_id"], item["submission_id"], item["session_id"], item["received_at"],
        item["confirmed_at"], customer.get("number", ""), customer.get("company", ""),
        customer.get("contact_name", ""), item["customer_verified"], item["authority"],
        item["confidential_apps"], apps, notice["id"], notice["version"], notice["sha256"],
        notice["verified"], client.get("platform", ""), client.get("version", ""),
    ]  # fmt: skip
    return [_cell(value) for value in cells]


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if _formula_like(text) else text


def _formula_like(text: str) -> bool:
    """Whether the first character that is not blank starts a formula: spreadsheets skip
    leading spaces of any kind (and invisible format characters) before they look."""
    if text.startswith(_CONTROL_START):
        return True
    first = next((c for c in text if not (c.isspace() or unicodedata.category(c) == "Cf")), "")
    return first in _FORMULA_START


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def between(since: datetime, until: datetime) -> Iterator[Confirmation]:
    """Received in ``[since, until)``, oldest first, without the bodies."""
    found = Confirmation.objects.filter(received_at__gte=since, received_at__lt=until)
    return found.defer("body").order_by("received_at", "seq").iterator(_CHUNK)


def csv_lines(rows: Iterable[Confirmation], out: _Writable) -> None:
    writer = csv.writer(out)
    writer.writerow(CSV_FIELDS)
    for row in rows:
        writer.writerow(csv_row(records.summary(row)))


def jsonl_lines(rows: Iterable[Confirmation], out: _Writable) -> None:
    for row in rows:
        out.write(json.dumps(records.summary(row), ensure_ascii=False) + "\n")
