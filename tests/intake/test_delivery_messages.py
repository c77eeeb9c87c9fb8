"""The intake package's texts: what a pending message tells the customer. (Both languages'
completeness and the absence of Tk are checked for every package in
tests/test_architecture.py.)"""

from __future__ import annotations

from helper.i18n import LANGUAGES, catalogue
from helper.intake import Delivery, DeliveryState, Reason


def test_every_pending_message_says_what_to_tell_support() -> None:
    for lang, phrase in (("de", "Support-Mitarbeiter"), ("en", "support employee")):
        messages = {k: v for k, v in catalogue(lang).items() if k.startswith("intake.pending.")}
        assert messages and all(phrase in m and "{reference}" in m for m in messages.values())


def test_every_reason_has_its_message() -> None:
    """A delivery's reason names its message; a reason without one would show a key."""
    for reason in Reason:
        states = {
            Reason.DELIVERED: DeliveryState.DELIVERED,
            Reason.REJECTED: DeliveryState.REJECTED,
        }
        delivery = Delivery("id", states.get(reason, DeliveryState.PENDING), reason)
        for lang in LANGUAGES:
            assert delivery.message_id in catalogue(lang), (lang, delivery.message_id)
            assert delivery.message(lang) != delivery.message_id
