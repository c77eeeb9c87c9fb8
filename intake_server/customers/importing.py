"""Customers from a CSV file as a CRM exports it, all or nothing.

The first line names the columns (:data:`HEADER`, any order, any case), separated by
semicolons or commas: whichever the header line uses is the file's separator. The file
is UTF-8, with or without a byte order mark; fields may be quoted and then hold the
separator, quotation marks written twice, and line breaks (as Python's csv module reads
them). Each row is checked by the one form every way of adding a customer uses
(:class:`~intake_server.customers.forms.CustomerForm`); every problem is reported with
the file's physical line number where its record starts (the header is line 1) and the
column, and nothing is written unless every line is right. Then, in one transaction, a
customer the register already has (by :func:`~intake_server.folding.number_key`) is
updated and any other added, in bulk: 10,000 rows take seconds, not minutes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from intake_server.customers.forms import CustomerForm
from intake_server.customers.models import Customer
from intake_server.folding import number_key

HEADER = Customer.FACTS
_BOM = "\ufeff"
#: Rows written per statement, and keys asked for per query (below every database's limit
#: of parameters).
_BATCH = 500


@dataclass(frozen=True)
class Problem:
    """What is wrong on one line of the file; ``column`` is "" for the whole line,
    ``line`` 0 for the whole file."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        if not self.line:
            return self.message
        if self.column:
            return _("line %(line)d, column %(column)s: %(message)s") % vars(self)
        return _("line %(line)d: %(message)s") % vars(self)


class Refused(Exception):
    """The file was not imported: nothing of it was written. ``problems`` by line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


@dataclass(frozen=True)
class Counts:
    added: int
    updated: int
    unchanged: int


@dataclass
class _Row:
    line: int
    form: CustomerForm
    before: dict[str, object] | None  # the register's facts, None for a new customer

    def changed(self) -> set[str]:
        """The facts the row changes of a customer the register has."""
        after = self.form.instance.facts()
        return {name for name, value in (self.before or after).items() if after[name] != value}


class _RowForm(CustomerForm):
    """A row's form, for the customer chosen by the row's number: that the number is no
    other customer's is true by that choice, and the file's own duplicates are found
    while reading it, so no query per row is needed."""

    def validate_unique(self) -> None:
        pass


#: The largest CSV file taken (10,000 customers are about 1 MB).
MAX_FILE_BYTES = 8 * 2**20
#: The largest request that carries one (the form around it, too): the server reads a
#: body this large only for an administrator's upload (:mod:`intake_server.asgi`).
MAX_UPLOAD_BYTES = MAX_FILE_BYTES + 65536


def import_customers(data: bytes, *, dry_run: bool = False) -> Counts:
    """Import the CSV file ``data``: how many customers were added, updated, unchanged
    (with ``dry_run``, would be; nothing is written). Raises :class:`Refused` with every
    problem found, and then has written nothing."""
    rows = _checked_rows(_text(data))
    new = [r.form.instance for r in rows if r.before is None]
    changes = {r.form.instance: r.changed() for r in rows if r.before is not None}
    changed = {instance: facts for instance, facts in changes.items() if facts}
    if not dry_run:
        _write(new, list(changed), set().union(*changed.values()))
    return Counts(len(new), len(changed), len(rows) - len(new) - len(changed))


def _text(data: bytes) -> str:
    """The file as text; refused unless it is UTF-8 and holds more than white space."""
    try:
        text = data.decode("utf-8").removeprefix(_BOM)
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        raise Refused(
            [
                Problem(
                    data.count(b"\n", 0, exc.start) + 1,
                    "",
                    _(
                        "this line is not UTF-8 (byte %(byte)d of the line is 0x%(value)02X): "
                        'save the file as UTF-8 (in Excel: "CSV UTF-8").'
                    )
                    % {"byte": exc.start - line_start + 1, "value": data[exc.start]},
                )
            ]
        ) from None
    if not text.strip():
        raise Refused([Problem(0, "", _("the file is empty: %(what)s") % {"what": _needed()})])
    return text


def _needed() -> str:
    return _("the first line names the columns %(header)s, then one line per customer.") % {
        "header": ";".join(HEADER)
    }


def _checked_rows(text: str) -> list[_Row]:
    """Every data row, each with its valid form; raises :class:`Refused` with every
    problem of the file."""
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    names = _header(next(reader))
    problems: list[Problem] = []
    records = list(_records(reader, len(names), problems))
    known = _registered(number_key(cells[names.index("number")]) for _l, cells in records)
    seen: dict[str, tuple[int, str]] = {}
    rows = []
    for line, cells in records:
        values = dict(zip(names, cells, strict=False))
        key = number_key(values["number"])
        if key and key in seen:
            problems.append(_twice(line, values["number"], *seen[key]))
            continue
        seen.setdefault(key, (line, values["number"]))
        row = _row(line, values, known.get(key))
        problems += _problems(row)
        rows.append(row)
    if problems:
        raise Refused(sorted(problems, key=lambda p: p.line))
    return rows


def _header(cells: list[str]) -> list[str]:
    """The column names of the header line, in their order; :class:`Refused` unless it
    names each of :data:`HEADER` once (empty names after the last are left alone)."""
    names = [cell.strip().lower() for cell in cells]
    while names and not names[-1]:
        names.pop()
    problem = _header_problem(names)
    if problem:
        raise Refused([Problem(1, "", problem)])
    return names


def _header_problem(names: list[str]) -> str:
    """What is wrong with the header's ``names``, or ""."""
    wrong = [name for name in names if name not in HEADER]
    missing = [name for name in HEADER if name not in names]
    twice = sorted({name for name in names if names.count(name) > 1})
    params = {"what": _needed()}
    if len(wrong) == len(names):
        return _("this is not the header row: %(what)s") % params
    for found, message in (
        (wrong, _("unknown column %(name)s: %(what)s")),
        (twice, _("the column %(name)s is named twice: name each column once.")),
        (missing, _("the column %(name)s is missing: %(what)s")),
    ):
        if found:
            return message % {**params, "name": found[0]}
    return ""


def _records(
    reader: Iterator[list[str]], width: int, problems: list[Problem]
) -> Iterator[tuple[int, list[str]]]:
    """``(line, cells)`` of each record after the header, ``line`` being the physical
    line where the record starts; empty lines are skipped. A record with fewer cells than
    the header, or more that are not empty, is a problem; quoting the csv module cannot
    read ends the reading with a problem."""
    line_num = 1
    while True:
        start = line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:
            problems.append(Problem(start, "", _unreadable()))
            return
        line_num = reader.line_num  # type: ignore[attr-defined]
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) < width or any(cell.strip() for cell in cells[width:]):
            problems.append(Problem(start, "", _width(len(cells), width)))
            continue
        yield start, cells


def _unreadable() -> str:
    return _(
        "a quoted field is not closed as it should be: a field in quotation marks ends "
        'with one, and a quotation mark inside it is written twice ("").'
    )


def _width(found: int, width: int) -> str:
    return _(
        "%(found)d fields where the header has %(width)d: put a field that holds the "
        "separator in quotation marks, and give every column (an empty one as nothing "
        "between two separators)."
    ) % {"found": found, "width": width}


def _twice(line: int, number: str, first_line: int, first_number: str) -> Problem:
    values = {"number": number, "first": first_line, "first_number": first_number}
    if number == first_number:
        message = _(
            "customer number %(number)s is also on line %(first)d: give each customer one line."
        )
    else:
        message = _(
            "customer number %(number)s is also on line %(first)d (as %(first_number)s): "
            "give each customer one line."
        )
    return Problem(line, "number", message % values)


def _registered(keys: Iterator[str]) -> dict[str, Customer]:
    """The register's customers with these keys, a batch of keys per query."""
    wanted = list(dict.fromkeys(keys))
    known: dict[str, Customer] = {}
    for start in range(0, len(wanted), _BATCH):
        known.update(Customer.by_key(wanted[start : start + _BATCH]))
    return known


def _row(line: int, values: dict[str, str], customer: Customer | None) -> _Row:
    """The row checked, for ``customer`` (the register's by this number) or a new one."""
    before = customer.facts() if customer else None
    return _Row(line, _RowForm(values, instance=customer or Customer()), before)


def _problems(row: _Row) -> list[Problem]:
    if row.form.is_valid():
        return []
    return [
        Problem(row.line, "" if column == "__all__" else column, " ".join(errors))
        for column, errors in row.form.errors.items()
    ]


def _write(new: list[Customer], changed: list[Customer], facts: set[str]) -> None:
    """Add ``new`` and update ``changed`` in one transaction, in bulk: of these only the
    ``facts`` that changed in any of them (and what follows from them), as an update of
    every column of 10,000 rows takes Django's bulk update many times as long."""
    for customer in (*new, *changed):
        customer.derive()
    derived = {"number": "key", "company": "search_name"}
    columns = [*sorted(facts), *(derived[f] for f in sorted(facts) if f in derived), "updated_at"]
    try:
        with transaction.atomic():
            Customer.objects.bulk_create(new, batch_size=_BATCH)
            Customer.objects.bulk_update(changed, columns, batch_size=_BATCH)
    except IntegrityError:
        message = _(
            "the register changed while the file was imported (by someone else at the same "
            "time?): nothing was written; import the file again."
        )
        raise Refused([Problem(0, "", message)]) from None
