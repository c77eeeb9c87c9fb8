"""Delivering confirmations to intellekta's intake endpoint, each exactly once.

Usage (from a worker thread; nothing here touches a UI)::

    outbox = Outbox(config.data_dir)
    outbox.add(record_bytes, submission_id, session_id)  # on disk: say "saved"
    delivery = deliver(config, outbox, submission_id)     # now, within intake.send_window_s
    delivery.state, delivery.reference, delivery.message(lang)

    summary = send_pending(config, outbox)                # at start-up and `outbox send`

A record stays in ``<data_dir>/outbox`` until the server acknowledged it; then it moves to
``<data_dir>/receipts`` with the server's answer (JSON, and a text for the customer).
"""

from helper.intake.delivery import (
    Delivery,
    DeliveryState,
    Reason,
    Summary,
    deliver,
    send_pending,
    undelivered,
)
from helper.intake.outbox import Outbox, OutboxError, OutboxRecord, RecordState
from helper.intake.receipts import Receipt, Receipts

__all__ = [
    "Delivery",
    "DeliveryState",
    "Outbox",
    "OutboxError",
    "OutboxRecord",
    "Reason",
    "Receipt",
    "Receipts",
    "RecordState",
    "Summary",
    "deliver",
    "send_pending",
    "undelivered",
]
