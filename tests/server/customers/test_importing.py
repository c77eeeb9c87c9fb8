"""A CRM's CSV file imported all or nothing: every problem named by the file's line
number (the header is line 1) and column, nothing written unless every line is right,
then added and updated in one transaction."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError
from django.db.models import QuerySet
from django.utils import translation

from intake_server.customers.importing import Counts, Refused, import_customers
from intake_server.customers.models import Customer
from tests.server.register import register_customer

pytestmark = pytest.mark.django_db
HEADER = "number;company;sector;av_signed_on;av_document;notes"
SECTORS = ("health", "legal", "tax", "finance", "other")


def csv_of(lines: list[str], header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def problems(data: bytes) -> list[str]:
    """The problems the file is refused for, in English."""
    with translation.override("en"):
        with pytest.raises(Refused) as refused:
            import_customers(data)
        return [str(p) for p in refused.value.problems]


def thousand() -> list[str]:
    """1,000 good rows for customers K-0000 to K-0999."""
    return [
        f"K-{i:04d};Praxis {i} GmbH;{SECTORS[i % 5]};{'31.03.2025' if i % 2 else ''};DMS-{i};"
        for i in range(1000)
    ]


def test_a_thousand_customers_with_five_broken_lines_import_nothing_until_fixed() -> None:
    """The acceptance test: the broken lines are named, nothing is imported; the file
    corrected imports in one transaction."""
    register_customer("K-0007", "Alte Firma", "other")
    rows = thousand()
    broken = {
        12: "K-0010;;health;;;",  # no company
        101: "K-0099;Praxis 99;dental;;;",
        502: "K-0500;Praxis 500;tax;2025-02-30;;",
        803: "K-0801;Praxis 801;other;;;;extra;fields",
        1000: "k0002;Praxis 2 again;other;;;",
    }
    lines = list(rows)
    for line, text in broken.items():
        lines[line - 2] = text  # line 1 is the header
    found = problems(csv_of(lines))
    assert [p.split(":")[0].split(",")[0] for p in found] == [f"line {n}" for n in broken]
    assert found[0] == "line 12, column company: Give the company's name."
    assert found[4].startswith("line 1000, column number: customer number k0002 is also on line 4")
    assert Customer.objects.count() == 1 and Customer.find("K-0007").company == "Alte Firma"

    assert import_customers(csv_of(rows)) == Counts(added=999, updated=1, unchanged=0)
    assert Customer.objects.count() == 1000
    assert Customer.find("k 0007").company == "Praxis 7 GmbH"
    assert import_customers(csv_of(rows)) == Counts(0, 0, 1000)


def test_a_failure_while_writing_leaves_the_register_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The added customers are written first; an update failing after them takes them
    back with it: one transaction."""
    register_customer("1", "Old", "other")

    def fails(*args: object, **kwargs: object) -> None:
        raise IntegrityError("as if another administrator added the same number")

    monkeypatch.setattr(QuerySet, "bulk_update", fails)
    with translation.override("en"), pytest.raises(Refused) as refused:
        import_customers(csv_of(["1;New;other;;;", "2;Two;other;;;"]))
    assert "nothing was written; import the file again" in str(refused.value)
    assert list(Customer.objects.values_list("number", "company")) == [("1", "Old")]


def test_commas_a_bom_german_dates_and_a_quoted_line_break() -> None:
    data = (
        "\ufeffNumber,Company,SECTOR,av_signed_on,av_document,notes\r\n".encode()
        + (
            '10472,"Kanzlei Weiß, Partner",LEGAL,31.03.2025,,"Zweite Zeile:\r\nhier"\r\n'
            "10473,Apotheke,health,,,\r\n"
        ).encode()
    )
    assert import_customers(data) == Counts(2, 0, 0)
    customer = Customer.find("10472")
    assert customer.company == "Kanzlei Weiß, Partner" and customer.sector == "legal"
    assert customer.av_signed_on == date(2025, 3, 31) and customer.notes == "Zweite Zeile:\r\nhier"
    assert Customer.find("10473").av_signed_on is None


def test_line_numbers_count_the_line_breaks_inside_quotes() -> None:
    lines = ['1;"A\n\nB";other;;;', "2;B;other;;;", "", '3;"C\nD";other;;;', "4;D;nothing;;;"]
    assert problems(csv_of(lines)) == [
        "line 9, column sector: nothing is no sector: give health, legal, tax, finance or other."
    ]


def test_a_number_twice_names_both_lines() -> None:
    found = problems(csv_of(["K-1;A;other;;;", "K-2;B;other;;;", "k1;C;other;;;"]))
    assert found == [
        "line 4, column number: customer number k1 is also on line 2 (as K-1): give each "
        "customer one line."
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "the file is empty"),
        (b"\xef\xbb\xbf \n", "the file is empty"),
        (b"10472;A;other;;;\n", "line 1: this is not the header row"),
        (
            b"number;company;sector;av_signed_on;notes\n",
            "line 1: the column av_document is missing",
        ),
        (HEADER.encode() + b";color\n", "line 1: unknown column color"),
        (HEADER.encode() + b";notes\n", "line 1: the column notes is named twice"),
        (
            HEADER.encode() + b"\n1;M\xfcller;other;;;\n",
            "line 2: this line is not UTF-8 (byte 4 of the line is 0xFC)",
        ),
        (csv_of(['1;"open;other;;;', "2;B;other;;;"]), "line 2: a quoted field is not closed"),
        (csv_of(["1;A;other;;"]), "line 2: 5 fields where the header has 6"),
    ],
)
def test_a_wrong_file_is_refused_with_what_to_do(data: bytes, expected: str) -> None:
    [found] = problems(data)
    assert found.startswith(expected), found


def test_empty_cells_after_the_last_column_are_no_problem() -> None:
    data = csv_of(["1;A;other;;;;;"], header=HEADER + ";;")
    assert import_customers(data) == Counts(1, 0, 0)


def test_a_dry_run_counts_and_writes_nothing() -> None:
    register_customer("1", "A", "other")
    counts = import_customers(csv_of(["1;A;other;;;", "2;B;tax;;;"]), dry_run=True)
    assert counts == Counts(1, 0, 1) and Customer.objects.count() == 1


def test_the_messages_are_german_in_the_german_console() -> None:
    with translation.override("de"), pytest.raises(Refused) as refused:
        import_customers(csv_of(["1;;other;;;"]))
    assert str(refused.value.problems[0]).startswith("Zeile 2, Spalte company: ")
