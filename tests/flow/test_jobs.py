"""The flow's send sequence, driven one slow call at a time as the window drives it, and
the exit code for each way the flow ends."""

from __future__ import annotations

import pytest

from helper.exitcodes import ExitCode
from helper.flow import Step, jobs
from helper.intake import Delivery, DeliveryState, Reason
from tests.flow.recording import app, make


def test_sending_changes_the_wizard_only_between_its_slow_calls() -> None:
    wizard, services = make(running=[app("outlook")])
    wizard.set_session_id("123456789")
    wizard.next()
    wizard.apply_scan(services.scan())
    wizard.next()
    wizard.accept_notice(True)
    wizard.set_authority("owner")
    wizard.set_open_confirmed(True)
    wizard.next()
    sequence = jobs.send(wizard)
    scan = next(sequence)
    services.running = []  # closed meanwhile: the record says what the fresh scan found
    store_and_send = sequence.send(scan())
    assert wizard.record is not None and services.sent == [], "built, not yet stored"
    assert wizard.record.to_dict()["open_applications"] == []
    delivery = store_and_send()
    assert services.sent == [wizard.record] and wizard.step is Step.SENDING
    with pytest.raises(StopIteration):
        sequence.send(delivery)
    assert wizard.step is Step.RESULT and wizard.result is delivery


@pytest.mark.parametrize(
    ("state", "code"),
    [
        (DeliveryState.DELIVERED, ExitCode.OK),
        (DeliveryState.PENDING, ExitCode.PENDING),
        (DeliveryState.REJECTED, ExitCode.REJECTED),
    ],
)
def test_one_exit_code_per_delivery_state(state: DeliveryState, code: ExitCode) -> None:
    assert jobs.exit_code(Delivery("x", state, Reason.SERVER)) is code


def test_nothing_sent_exits_as_declined() -> None:
    assert jobs.exit_code(None) is ExitCode.DECLINED
