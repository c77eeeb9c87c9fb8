"""The flow's slow work, and the one order in which sending does it, for both UIs.

A slow call blocks and touches neither the wizard nor a user interface, so the window can
run it in its worker thread; the terminal runs it in its only thread. The send sequence
(:func:`send`) is written once, as a generator: it yields each slow call, is sent the
call's result, and changes the wizard in between, on the thread that drives it (the
terminal with :func:`run_here`, the window with ``Worker.drive``). :func:`exit_code` is
the one mapping from how the flow ended to the process exit code.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from helper.apps.model import CloseResult, DetectedApp, ScanResult
from helper.exitcodes import ExitCode

if TYPE_CHECKING:
    from helper.flow.wizard import Progress, Services, Wizard
    from helper.intake import Delivery

#: A slow call: it blocks, and touches neither the wizard nor a user interface.
SlowCall = Callable[[], Any]
#: A sequence yields its slow calls and is sent each one's result.
JobSequence = Generator[SlowCall, Any, None]


class Closed(NamedTuple):
    """What closing did, and the scan taken right after it."""

    results: tuple[CloseResult, ...]
    scan: ScanResult


def close_then_rescan(
    services: Services, apps: Sequence[DetectedApp], progress: Progress | None = None
) -> Closed:
    """Ask ``apps`` to close (each outcome through ``progress``), then scan again."""
    results = tuple(services.close(apps, progress))
    return Closed(results, services.scan())


def send(wizard: Wizard) -> JobSequence:
    """Send the confirmation: scan afresh, build the record, store and send it, finish.

    The scan comes first because the customer confirmed keeping open only the
    applications they saw. Raises :class:`~helper.flow.wizard.StepIncomplete` when one
    was opened since (the wizard is back at the notice step, nothing was stored), and
    ``OutboxError`` when the record could not be stored (so it was not sent).
    """
    services = wizard.services
    wizard.apply_scan((yield services.scan))
    record = wizard.prepare_submission()
    wizard.finish((yield lambda: services.submit(record)))


def run_here(sequence: JobSequence) -> None:
    """Drive ``sequence`` on this thread: each slow call blocks it (the terminal's way)."""
    try:
        call = next(sequence)
        while True:
            call = sequence.send(call())
    except StopIteration:
        return


def exit_code(delivery: Delivery | None) -> ExitCode:
    """The exit code for how the flow ended; None means nothing was sent."""
    if delivery is None:
        return ExitCode.DECLINED
    from helper.intake import DeliveryState  # filelock and more: only once it was sent

    return {DeliveryState.DELIVERED: ExitCode.OK, DeliveryState.PENDING: ExitCode.PENDING}.get(
        delivery.state, ExitCode.REJECTED
    )
