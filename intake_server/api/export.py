"""Confirmations of a date range as CSV or JSON Lines: for ``export`` and the console.

Rows are streamed (``iterator``), so 100,000 records are never held in memory. Every
value comes from the reading of the entry (:mod:`reading`); the CSV's columns are the
fields every other view shows (:mod:`fields`), and a last column says whether the ledger
proves the row.
"""

from __future__ import annotations

import csv
import itertools
import json
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any, Protocol

from intake_server.api import fields, reading
from intake_server.api.models import Confirmation
from intake_server.api.reading import Reading

#: What makes a spreadsheet read a cell as a formula (OWASP's list): such a cell gets a
#: leading apostrophe, because company and contact names are typed by customers.
_FORMULA_START = frozenset("=+-@")
_CONTROL_START = ("\t", "\r")
_CHUNK = 2000


def csv_row(found: Reading) -> list[str]:
    """One confirmation as the cells of :data:`fields.CSV_HEADER`, safe to open in a
    spreadsheet."""
    return [_cell(value) for value in fields.csv_cells(found)]


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


def between(since: datetime, until: datetime) -> Iterator[Reading]:
    """Received in ``[since, until)`` (by the column, as an index can find them), oldest
    first, each read as the ledger proves it, a chunk at a time."""
    found = Confirmation.objects.filter(received_at__gte=since, received_at__lt=until)
    rows = found.select_related("token__customer").order_by("received_at", "seq").iterator(_CHUNK)
    for chunk in iter(lambda: list(itertools.islice(rows, _CHUNK)), []):
        yield from reading.read_all(chunk)


class ExcelGerman(csv.excel):
    """What Excel opens as columns in a German locale, where the comma is the decimal
    separator and the list separator is the semicolon."""

    delimiter = ";"


#: The CSV dialects, by name: each a :mod:`csv` dialect and what the file starts with.
#: Excel reads a CSV without a byte order mark in the system's legacy code page (and
#: shows "MÃ¼ller"); with one, it reads UTF-8. Both end lines with CRLF and quote as
#: RFC 4180 does.
DIALECTS: dict[str, tuple[type[csv.Dialect], str]] = {
    "excel-de": (ExcelGerman, "\ufeff"),
    "rfc4180": (csv.excel, ""),
}


class _Echo:
    """A file that hands back what is written: one line of csv.writer at a time."""

    def write(self, text: str) -> str:
        return text


def csv_text(found: Iterable[Reading], dialect: str = "rfc4180") -> Iterator[str]:
    """The header and then one line per confirmation, in the CSV ``dialect`` of
    :data:`DIALECTS`, each line as it is read (for a streamed answer)."""
    kind, start = DIALECTS[dialect]
    writer = csv.writer(_Echo(), kind)
    yield start + writer.writerow(fields.CSV_HEADER)
    for item in found:
        yield writer.writerow(csv_row(item))


def csv_lines(found: Iterable[Reading], out: _Writable, dialect: str = "rfc4180") -> None:
    for line in csv_text(found, dialect):
        out.write(line)


def jsonl_lines(found: Iterable[Reading], out: _Writable) -> None:
    for item in found:
        out.write(json.dumps(reading.summary(item), ensure_ascii=False) + "\n")
