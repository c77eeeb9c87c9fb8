"""The flow's three slow jobs, the same for the terminal and the window.

Each takes the services and plain values, blocks, and returns a typed result; none
touches the wizard, so the window can run them in its worker thread and hand the result
to the wizard on the Tk thread (``Wizard.apply_scan``, ``apply_closed``, ``finish``). The
terminal calls them in its only thread. :func:`exit_code` is the one mapping from how the
flow ended to the process exit code.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

from helper.apps.model import CloseResult, DetectedApp, ScanResult
from helper.exitcodes import ExitCode

if TYPE_CHECKING:
    from helper.consent import ConsentRecord
    from helper.flow.wizard import Progress, Services
    from helper.intake import Delivery


class Closed(NamedTuple):
    """What closing did, and the scan taken right after it."""

    results: tuple[CloseResult, ...]
    scan: ScanResult


def scan(services: Services) -> ScanResult:
    """Which flagged applications run now, and whether remote support does."""
    return services.scan()


def close_then_rescan(
    services: Services, apps: Sequence[DetectedApp], progress: Progress | None = None
) -> Closed:
    """Ask ``apps`` to close (each outcome through ``progress``), then scan again."""
    results = tuple(services.close(apps, progress))
    return Closed(results, services.scan())


def store_and_send(services: Services, record: ConsentRecord) -> Delivery:
    """Store the record durably, then try to deliver it (OutboxError: not stored)."""
    return services.submit(record)


def exit_code(delivery: Delivery | None) -> ExitCode:
    """The exit code for how the flow ended; None means nothing was sent."""
    if delivery is None:
        return ExitCode.DECLINED
    from helper.intake import DeliveryState  # filelock and more: only once it was sent

    return {DeliveryState.DELIVERED: ExitCode.OK, DeliveryState.PENDING: ExitCode.PENDING}.get(
        delivery.state, ExitCode.REJECTED
    )
