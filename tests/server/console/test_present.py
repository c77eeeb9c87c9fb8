"""A confirmation in the words support reads (:mod:`present`): the AV-Vertrag as the
register has it for the customer, and one Session ID sent by several customers."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.utils import translation

from intake_server.api import reading
from intake_server.api.models import Confirmation
from intake_server.console import present
from intake_server.console.present import AvStatus
from tests.server.records import real_record
from tests.server.register import make_token, register_customer
from tests.server.test_api import post

pytestmark = pytest.mark.django_db(transaction=True)


def _readings() -> list[reading.Reading]:
    return reading.read_all(list(Confirmation.objects.select_related("token").order_by("seq")))


def test_the_av_vertrag_of_the_tokens_number_or_else_the_stated_one(client: Client) -> None:
    token = make_token("K-1", "Mit Vertrag GmbH")
    register_customer("K-1", "Mit Vertrag GmbH", av_signed_on=date(2024, 3, 1))
    register_customer("K-2", "Ohne Vertrag GmbH")
    post(client, real_record(number="K-1"), token=token)
    for number in ("k2", "K-9", ""):
        post(client, real_record(number=number))
    readings = _readings()
    customers = present.customers_of(readings)
    statuses = [present.av_status(r.facts, customers) for r in readings if r.facts]
    assert [(s.state, s.number, s.verified) for s in statuses] == [
        (AvStatus.SIGNED, "K-1", True),
        (AvStatus.MISSING, "k2", False),
        (AvStatus.UNKNOWN, "K-9", False),
        (AvStatus.NO_NUMBER, "", False),
    ]
    with translation.override("de"):
        assert [s.text for s in statuses] == [
            "AV-Vertrag vom 01.03.2024",
            "Kein AV-Vertrag hinterlegt",
            "Kunde nicht im Register",
            "Keine Kundennummer: AV-Vertrag unbekannt",
        ]
    with translation.override("en"):
        assert statuses[0].text == "AV-Vertrag signed on 2024-03-01"
    assert [s.ok for s in statuses] == [True, False, False, False]


def test_a_session_id_is_shared_when_customers_differ_by_number_or_company(
    client: Client,
) -> None:
    sent = [
        ("111111111", "K-1", "A GmbH"),
        ("111111111", "k1", "A GmbH (anders geschrieben)"),  # one customer: the same number
        ("222222222", "", "Müller KG"),
        ("222222222", "", "Mueller KG"),  # one customer: the same name, folded
        ("333333333", "K-1", "A GmbH"),
        ("333333333", "K-2", "A GmbH"),  # two: the numbers differ
        ("333333333", "", "C AG"),  # and a third without a number
    ]
    for session_id, number, company in sent:
        post(client, real_record(session_id=session_id, number=number, company=company))
    listed = present.rows(_readings())
    assert present.shared_sessions(_readings()) == {"333333333": 3}
    assert [r.shared for r in listed] == [0, 0, 0, 0, 3, 3, 3]
    assert present.shared_of(listed) == [present.Shared("333 333 333", 3)]


def test_other_customers_are_those_whose_entry_gives_the_same_session_id(client: Client) -> None:
    for number in ("1", "1", "2", "3"):
        post(client, real_record(session_id="123456789", number=number))
    post(client, real_record(session_id="987654321", number="4"))
    first, *rest = _readings()
    others = present.other_customers(first, rest)
    assert [o.number.value for o in others if o.number] == ["2", "3"]
