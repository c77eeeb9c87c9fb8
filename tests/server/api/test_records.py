"""``records.search``: what support types finds the confirmation, whichever kind it is, on
SQLite and PostgreSQL (``INTELLEKTA_TEST_DATABASE=postgres``), and nothing typed breaks it."""

from __future__ import annotations

import pytest
from django.test import Client

from intake_server.api import records
from intake_server.api.models import Confirmation
from tests.server.records import real_record
from tests.server.register import make_token, register_customer
from tests.server.test_api import post

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("builtin_notices")]


def store(client: Client, token: str = "", **fields: str) -> str:
    """A confirmation from the helper's own code (``real_record``), by its receipt id."""
    fields.setdefault("contact_name", "Erika Mustermann")
    built = real_record(**fields)  # type: ignore[arg-type]
    assert post(client, built, token).status_code == 201
    return Confirmation.objects.get(submission_id=built.submission_id).receipt_id


def found(text: str) -> list[str]:
    return list(records.search(text).values_list("receipt_id", flat=True))


def test_a_company_of_eight_letters_is_a_company(client: Client) -> None:
    companies = ("Apotheke am Markt", "Zahnarzt Dr. Weiß", "Testfirma GmbH")
    receipts = [store(client, company=name) for name in companies]
    for name, receipt in zip(("Apotheke", "Zahnarzt", "Testfirm"), receipts, strict=True):
        assert found(name) == [receipt], name
        assert found(name.upper()) == [receipt], name


def test_names_fold_case_accents_and_umlauts(client: Client) -> None:
    umlaut = store(client, company="Müller Bau GmbH")
    written = store(client, company="Mueller Elektro")
    size = store(client, company="Größe & Partner")
    for text in ("Müller", "Muller", "Mueller", "MÜLLER", "mueller", "MUELLER"):
        assert found(text) == [written, umlaut], text
    for text in ("Größe", "Groesse", "Grosse", "GROSSE", "größe & partner"):
        assert found(text) == [size], text
    assert found("Müller Bau") == [umlaut]


def test_the_contact_name_is_searched(client: Client) -> None:
    receipt = store(client, contact_name="Jürgen Weiß", company="Kanzlei Sonnenschein")
    store(client, contact_name="Anna Schmidt")
    for text in ("Jürgen", "Juergen", "weiss", "JÜRGEN WEISS", "rgen Wei"):
        assert found(text) == [receipt], text


def test_a_part_of_a_name_has_three_characters_at_least(client: Client) -> None:
    receipt = store(client, company="Müller GmbH")
    assert found("mü") == [] and found("Mue") == []  # "mu", folded
    assert found("mül") == [receipt] and found("Muel") == [receipt]


def test_no_search_matches_across_two_names(client: Client) -> None:
    store(client, company="Müller GmbH", contact_name="Erika Mustermann")
    assert found("gmbh erika") == [] and found("GmbHErika") == []


def test_a_customer_number_ignores_case_and_separators(client: Client) -> None:
    receipt = store(client, number="K-1", company="Kanzlei Eins")
    store(client, number="K-10", company="Kanzlei Zehn")
    for text in ("k-1", "K-1", "K1", "k 1", "k.1"):
        assert found(text) == [receipt], text


def test_the_verified_company_and_the_registers_are_searched(client: Client) -> None:
    vouched = store(client, make_token("20000", "Praxis Dr. Übel"), number="20000", company="PDÜ")
    register_customer("30000", "Zahnarztpraxis Sonnenschein")
    stated = store(client, number="30 000", company="")  # no company: the register has one
    assert found("dr. ubel") == [vouched] and found("pdu") == [vouched]
    assert found("Sonnenschein") == [stated]
    register_customer("---", "Zahnarztpraxis Mond")  # a number without letters or digits
    store(client, number="", company="Keine Nummer")
    assert found("zahnarztpraxis") == [stated]


@pytest.mark.parametrize(
    "typed",
    [
        "{r}",
        "{r_lower}",
        "{compact}",
        "{compact_lower}",
        "{without_r}",
        "r {spaced}",
        "{zero_as_o}",
    ],
)
def test_a_receipt_id_as_typed(client: Client, typed: str) -> None:
    receipt = store(client)
    compact = receipt.replace("-", "")
    forms = {
        "r": receipt,
        "r_lower": receipt.lower(),
        "compact": compact,
        "compact_lower": compact.lower(),
        "without_r": receipt[2:],
        "spaced": f"{compact[1:5]} {compact[5:]}",
        "zero_as_o": receipt.replace("0", "O").replace("1", "l"),
    }
    assert found(typed.format(**forms)) == [receipt]


def test_the_receipts_shape() -> None:
    assert records.receipt_id_of("r-7k3m-q9xd") == "R-7K3M-Q9XD"
    assert records.receipt_id_of("7K3M Q9XD") == "R-7K3M-Q9XD"
    assert records.receipt_id_of("R 7K3M.QOXL") == "R-7K3M-Q0X1"
    assert records.receipt_id_of("Apotheke") == "R-AP0T-HEKE"  # also tried: one lookup
    for text in ("Laufhaus", "R-7K3M-Q9", "R-7K3M-Q9XDD", "RR7K3MQ9XD", "", "1234567890"):
        assert records.receipt_id_of(text) is None, text


def test_a_session_id_as_read_out(client: Client) -> None:
    receipt = store(client, session_id="1234567890")
    store(client, session_id="123456789", company="Bau 1234567890 GmbH")
    for text in ("1 234 567 890", "1234-567-890", " 1234567890 ", "１２３４５６７８９０"):
        assert found(text) == [receipt], text


def test_a_search_that_matches_nothing(client: Client) -> None:
    store(client, company="Müller GmbH")
    assert found("Xylophonbau Quast") == [] and records.search("Xylophonbau").count() == 0
    assert found("") == [] and found("   ") == []


@pytest.mark.parametrize(
    "text",
    [
        "\ud800",
        "Mül\udfffler",
        "\x00",
        "Mül\x00ler",
        "a" * 10_000,
        "Müller" * 2000,
        "%",
        "_",
        "M_ller",
        "M%",
        "%ller",
        "\\",
        "Müller GmbH'; DROP TABLE api_confirmation; --",
    ],
)
def test_hostile_text_finds_nothing_and_breaks_nothing(client: Client, text: str) -> None:
    store(client, company="Müller GmbH")
    assert found(text) == []
    assert Confirmation.objects.count() == 1


def test_percent_and_underscore_are_what_they_are(client: Client) -> None:
    percent = store(client, company="50% Rabatt AG")
    underscore = store(client, company="Bau_Werk KG")
    store(client, company="500 Rabatt AG")
    assert found("50%") == [percent] and found("u_W") == [underscore]


def test_a_search_is_a_list_to_filter_count_and_page(client: Client) -> None:
    first = store(client, company="Müller GmbH", kept_open=())
    second = store(client, company="Mueller KG")
    third = store(client, company="Muller AG", kept_open=())
    result = records.search("müller")
    assert list(result.values_list("receipt_id", flat=True)) == [third, second, first]
    assert result.filter(confidential_apps="kept_open").count() == 1
    assert result.count() == 3


def test_a_word_in_every_name_finds_the_newest(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(records, "NAME_MATCHES", 2)
    receipts = [store(client, company=f"Kanzlei {n} GmbH") for n in range(4)]
    assert found("gmbh") == receipts[:1:-1]
