"""Sending: one record now (:func:`deliver`) or everything waiting (:func:`send_pending`).

Both are safe to call from a worker thread and touch no UI: they return what to tell the
customer as a message id of the i18n catalogue. A record is sent only by whoever holds
its lock, and only while it is in the outbox and has no receipt, so two helpers never send
the same record at once and a delivered record is never sent again. If a helper dies
after the server stored a record but before the receipt was written, the next attempt
sends it again under the same idempotency key, and the server answers as before.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

import filelock

from helper import i18n
from helper.config import Config
from helper.intake import files, text
from helper.intake.client import RETRYABLE_STATUS, Answer, IntakeClient, SetupError, access_of
from helper.intake.outbox import Outbox, OutboxError, OutboxRecord, RecordState, now_rfc3339
from helper.intake.receipts import Receipt, Receipts

log = logging.getLogger(__name__)

#: Temporary files older than this cannot belong to a write still in progress.
_STALE_TEMP_S = 3600.0
#: send_pending makes receipts durable every this many records (one folder fsync each).
_BATCH = 100
#: How long finishing a batch waits for a record's lock that another helper holds.
_FINISH_LOCK_S = 5.0
#: Answers that refuse this computer's access, not the record: it waits for a new token.
_NOT_AUTHORISED = (401, 403)
#: With the same access such a record is tried again after this long: the server's side
#: may have changed (a token no longer required), which this computer cannot see.
_REFUSED_ACCESS_RETRY_S = 24 * 3600.0


class DeliveryState(StrEnum):
    DELIVERED = "delivered"
    PENDING = "pending"  # saved in the outbox, sent later
    REJECTED = "rejected"  # refused by the server; kept in the outbox


class Reason(StrEnum):
    """Why a delivery ended as it did; each value names its message in ``intake.toml``."""

    DELIVERED = "delivered"
    REJECTED = "rejected"
    # Pending, because the server did not accept this computer's access (401, 403) ...
    NOT_AUTHORISED = "not_authorised"
    # ... because of this computer's setup (SetupError.reason) ...
    NO_URL = "no_url"
    TOKEN_INVALID = "token_invalid"
    CA_BUNDLE = "ca_bundle"
    # ... of this one record ...
    BUSY = "busy"  # another helper is sending it right now
    DAMAGED = "damaged"  # its outbox file cannot be read
    # ... of the network and the server (Answer.failure, or an HTTP status) ...
    CONNECTION = "connection"
    TIMEOUT = "timeout"
    TLS = "tls"
    PROXY = "proxy"
    REDIRECT_HTTP = "redirect_http"
    SERVER = "server"
    UNEXPECTED = "unexpected"
    # ... or not tried: an earlier record stopped the run, or it waits for a new access.
    NOT_TRIED = "not_tried"

    @property
    def concerns_one_record(self) -> bool:
        """Whether the next record may still go through (the network is not to blame)."""
        return self in (Reason.BUSY, Reason.DAMAGED)


@dataclass(frozen=True)
class Delivery:
    """How sending one record ended, and what to tell the customer (``message``)."""

    submission_id: str
    state: DeliveryState
    reason: Reason
    receipt_id: str = ""
    received_at: str = ""
    http_status: int | None = None
    server_message: str = ""
    attempts: int = 0
    receipt_text: Path | None = None  # the note the customer can keep

    @property
    def reference(self) -> str:
        """What the customer reads out: the server's receipt id, else the submission id."""
        return self.receipt_id or self.submission_id

    @property
    def message_id(self) -> str:
        """The message of ``reason``: intake.delivered | intake.rejected | intake.pending.*"""
        if self.state is DeliveryState.PENDING:
            return f"intake.pending.{self.reason.value}"
        return f"intake.{self.reason.value}"

    def message(self, lang: str) -> str:
        return i18n.t(
            self.message_id,
            lang,
            reference=self.reference,
            status=self.http_status or "",
            server_message=self.server_message or "-",
        )


@dataclass(frozen=True)
class Summary:
    """The outcome of :func:`send_pending`."""

    results: tuple[Delivery, ...]  # one per record tried, oldest first
    waiting: tuple[OutboxRecord, ...]  # every record still waiting afterwards, oldest first
    rejected: int  # records marked rejected in the outbox afterwards

    @property
    def pending(self) -> int:
        return len(self.waiting)

    @property
    def delivered(self) -> tuple[Delivery, ...]:
        return tuple(r for r in self.results if r.state is DeliveryState.DELIVERED)

    @property
    def stopped_by(self) -> Delivery | None:
        """The delivery that ended the run early, when the network, the server or the
        setup kept a record from going out (so the ones after it were not tried)."""
        last = self.results[-1] if self.results else None
        if last and last.state is DeliveryState.PENDING and not last.reason.concerns_one_record:
            return last
        return None

    def not_tried(self) -> list[OutboxRecord]:
        """The waiting records this run did not try."""
        tried = {r.submission_id for r in self.results}
        return [r for r in self.waiting if r.submission_id not in tried]


def deliver(
    config: Config, outbox: Outbox, submission_id: str, budget_s: float | None = None
) -> Delivery:
    """Send one record from the outbox now, retrying for ``budget_s`` seconds at most.

    The budget defaults to ``intake.send_window_s``; it also bounds the wait while
    another helper is sending this very record. KeyError if the record was never added.
    """
    budget = float(config["intake.send_window_s"] if budget_s is None else budget_s)
    deadline = time.monotonic() + budget
    lock = outbox.lock(submission_id)
    try:
        lock.acquire(timeout=budget)
    except filelock.Timeout:
        return _pending(submission_id, Reason.BUSY)
    sender = _Sender(config, outbox)
    try:
        return sender.send(submission_id, deadline)
    finally:
        lock.release()
        sender.close()


def send_pending(
    config: Config, outbox: Outbox, include_rejected: bool = False, every_waiting: bool = False
) -> Summary:
    """Send the waiting records, oldest first, each with ``intake.send_window_s`` to retry.

    Stops at the first record that stays pending (the network or the server is unwell;
    the rest waits too). Records another helper is sending right now, and damaged ones,
    are skipped and reported. A record the server did not authorise is tried again once
    the access in the configuration changed, a day later, or always with ``every_waiting``
    (a person asked to send now).
    """
    budget = float(config["intake.send_window_s"])
    sender = _Sender(config, outbox, batch=True)
    results: list[Delivery] = []
    try:
        _tidy(outbox, sender.receipts)
        for number, record in enumerate(outbox.list(), start=1):
            if number % _BATCH == 0:
                sender.finish_batch()
            if not _to_try(record, sender.access, include_rejected, every_waiting):
                continue
            delivery = sender.send_unless_busy(record.submission_id, time.monotonic() + budget)
            if delivery is None:
                continue  # another helper delivered it meanwhile
            results.append(delivery)
            if delivery.state is DeliveryState.PENDING and not delivery.reason.concerns_one_record:
                break
    finally:
        sender.finish_batch()
        sender.close()
    left = undelivered(outbox, sender.receipts)
    return Summary(
        results=tuple(results),
        waiting=tuple(r for r in left if r.state.waiting),
        rejected=sum(r.state is RecordState.REJECTED for r in left),
    )


def undelivered(outbox: Outbox, receipts: Receipts) -> list[OutboxRecord]:
    """The outbox's records, oldest first, without those that have a receipt: a sender
    killed before tidying up leaves delivered records behind, which are never waiting."""
    return [r for r in outbox.list() if receipts.get(r.submission_id) is None]


def _to_try(record: OutboxRecord, access: str, include_rejected: bool, every_waiting: bool) -> bool:
    """Whether this run sends the record: a refused one only when asked to, and one whose
    access was not authorised only once that access changed (or when asked to)."""
    if record.state is RecordState.REJECTED:
        return include_rejected
    if record.state is RecordState.NOT_AUTHORISED and record.access == access:
        return every_waiting or _age_s(record.refused_at) > _REFUSED_ACCESS_RETRY_S
    return True


def _age_s(rfc3339: str) -> float:
    """Seconds since that moment; infinite for none or a broken one (then: try it)."""
    try:
        moment = datetime.fromisoformat(rfc3339)
    except ValueError:
        return float("inf")
    return (datetime.now(UTC) - moment).total_seconds()


def _tidy(outbox: Outbox, receipts: Receipts) -> None:
    """Remove temporary files that helpers killed in mid-write left behind long ago."""
    for folder in (outbox.folder, receipts.folder):
        if folder.is_dir():
            files.remove_stale_temp_files(folder, _STALE_TEMP_S)


class _Sender:
    """One sending run: the client (made on first use) and where results go.

    With ``batch``, receipts are made durable with one folder fsync per batch instead of
    one per record, and delivered records leave the outbox only after that fsync
    (:meth:`finish_batch`). A crash in between is harmless: the next run finds the
    receipt, sends nothing and tidies up.
    """

    def __init__(self, config: Config, outbox: Outbox, batch: bool = False) -> None:
        self.config = config
        self.outbox = outbox
        self.receipts = Receipts(outbox.data_dir)
        self.vendor = str(config["vendor.name"]) or "intellekta"
        self.batch = batch
        self.access = access_of(config)
        self._unfinished: list[Receipt] = []
        self._client: IntakeClient | None = None

    def finish_batch(self) -> None:
        """Make this batch's receipts durable, then remove their records from the outbox."""
        if not self._unfinished:
            return
        done, self._unfinished = self._unfinished, []
        try:
            self.receipts.sync()
        except OSError as exc:
            log.error("Cannot make receipts durable; the records stay in the outbox: %s", exc)
            return
        for receipt in done:
            lock = self.outbox.lock(receipt.submission_id)
            try:
                with lock.acquire(timeout=_FINISH_LOCK_S):
                    self._finish(receipt)
            except filelock.Timeout:
                continue  # whoever holds it finds the receipt and tidies up

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    def send_unless_busy(self, submission_id: str, deadline: float) -> Delivery | None:
        """:meth:`send` under the record's lock if it is free (else BUSY); None when
        another helper delivered and tidied it since it was listed."""
        lock = self.outbox.lock(submission_id)
        try:
            lock.acquire(timeout=0)
        except filelock.Timeout:
            return _pending(submission_id, Reason.BUSY)
        try:
            if not self.outbox.path_of(submission_id).exists():
                return None
            return self.send(submission_id, deadline)
        finally:
            lock.release()

    def send(self, submission_id: str, deadline: float) -> Delivery:
        """Send one record, or report its earlier delivery; the caller holds its lock.

        KeyError when the record has neither a receipt nor a file in the outbox.
        """
        receipt = self.receipts.get(submission_id)
        if receipt is not None:  # delivered before: by another helper, or one that died
            self._finish(receipt)
            return _delivered(receipt, attempts=0)
        try:
            found = self.outbox.read(submission_id)
        except OutboxError as exc:
            log.error("Outbox record %s is damaged and cannot be sent", exc.path.name)
            return _pending(submission_id, Reason.DAMAGED)
        if found is None:
            raise KeyError(submission_id)
        record, payload = found
        try:
            if self._client is None:
                self._client = IntakeClient(self.config)
        except SetupError as exc:
            log.error("Cannot send %s: %s", submission_id, exc.reason)
            self._update(record, state=RecordState.PENDING, last_error=exc.reason)
            return _pending(submission_id, Reason(exc.reason))
        answer = self._client.post(payload, submission_id, deadline - time.monotonic())
        return self._apply(record, payload, answer)

    def _apply(self, record: OutboxRecord, payload: bytes, answer: Answer) -> Delivery:
        status = answer.status
        attempts = record.attempts + answer.attempts
        sid = record.submission_id
        if status is not None and 200 <= status < 300:
            log.info("Delivered %s (HTTP %d, %d attempt(s))", sid, status, answer.attempts)
            try:
                receipt = self.receipts.write(
                    record, payload, status, answer.body, self.vendor, sync_folder=not self.batch
                )
            except OSError as exc:
                # The server has it; the next run sends it again and gets the same answer.
                log.error("Delivered %s but cannot write its receipt: %s", sid, exc)
                return Delivery(
                    sid,
                    DeliveryState.DELIVERED,
                    Reason.DELIVERED,
                    receipt_id=sid,
                    http_status=status,
                    attempts=answer.attempts,
                )
            if self.batch:
                self._unfinished.append(receipt)
            else:
                self._finish(receipt)
            return _delivered(receipt, answer.attempts)
        if status in _NOT_AUTHORISED:
            message = self._server_message(answer)
            log.warning("The server did not authorise %s: HTTP %d %s", sid, status, message)
            self._update(
                record,
                state=RecordState.NOT_AUTHORISED,
                attempts=attempts,
                http_status=status,
                server_message=message,
                access=self.access,
                refused_at=now_rfc3339(),
                last_error=f"HTTP {status}: {message}",
            )
            return Delivery(
                sid,
                DeliveryState.PENDING,
                Reason.NOT_AUTHORISED,
                http_status=status,
                server_message=message,
                attempts=answer.attempts,
            )
        if status is not None and _is_permanent(status):
            message = self._server_message(answer)
            log.warning("The server refused %s: HTTP %d %s", sid, status, message)
            self._update(
                record,
                state=RecordState.REJECTED,
                attempts=attempts,
                http_status=status,
                server_message=message,
                last_error=f"HTTP {status}: {message}",
            )
            return Delivery(
                sid,
                DeliveryState.REJECTED,
                Reason.REJECTED,
                http_status=status,
                server_message=message,
                attempts=answer.attempts,
            )
        reason = answer.failure or "server"
        last_error = f"HTTP {status}" if status is not None else f"{reason}: {answer.detail}"
        log.warning("%s stays in the outbox: %s", sid, last_error)
        self._update(
            record,
            state=RecordState.PENDING,
            attempts=attempts,
            http_status=status,
            server_message="",
            last_error=last_error,
        )
        return Delivery(
            sid, DeliveryState.PENDING, Reason(reason), http_status=status, attempts=answer.attempts
        )

    def _server_message(self, answer: Answer) -> str:
        return text.server_message(answer.body, self._client.secrets if self._client else [])

    def _update(self, record: OutboxRecord, **changes: object) -> None:
        try:
            self.outbox.update(record, **changes)
        except (OSError, ValueError, KeyError) as exc:
            log.error("Cannot record the state of %s: %s", record.submission_id, exc)

    def _finish(self, receipt: Receipt) -> None:
        """Complete the move to the receipts: text present, outbox file gone."""
        try:
            self.receipts.ensure_text(receipt, self.vendor)
            self.outbox.remove(receipt.submission_id)
        except OSError as exc:
            log.error("Cannot tidy up delivered %s: %s", receipt.submission_id, exc)


def _is_permanent(status: int) -> bool:
    """Other 4xx, and redirects that cannot carry a POST (301/302/303)."""
    return 300 <= status < 500 and status not in RETRYABLE_STATUS


def _delivered(receipt: Receipt, attempts: int) -> Delivery:
    return Delivery(
        receipt.submission_id,
        DeliveryState.DELIVERED,
        Reason.DELIVERED,
        receipt_id=receipt.receipt_id,
        received_at=receipt.received_at,
        http_status=receipt.http_status,
        attempts=attempts,
        receipt_text=receipt.text_path,
    )


def _pending(submission_id: str, reason: Reason) -> Delivery:
    return Delivery(submission_id, DeliveryState.PENDING, reason)
