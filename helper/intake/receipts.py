"""Receipts: a delivered record with the server's answer, as JSON and as a text to keep.

``receipts/<submission id>.json`` is written (durably) before the record leaves the
outbox, so it marks a record as delivered: a sender that finds it never sends the record
again. The ``.txt`` beside it is a short note in the record's language for the customer.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from helper import i18n
from helper.intake import files, text
from helper.intake.outbox import OutboxRecord, check_submission_id, now_rfc3339

log = logging.getLogger(__name__)

FORMAT = 1


@dataclass(frozen=True)
class Receipt:
    submission_id: str
    session_id: str
    language: str
    receipt_id: str  # the server's reference, else the submission id
    received_at: str  # the server's time if it gave one, else when the answer arrived
    http_status: int
    json_path: Path
    text_path: Path


class Receipts:
    """The receipts folder below ``data_dir``."""

    def __init__(self, data_dir: Path) -> None:
        self.folder = Path(data_dir) / "receipts"

    def _paths(self, submission_id: str) -> tuple[Path, Path]:
        check_submission_id(submission_id)
        return self.folder / f"{submission_id}.json", self.folder / f"{submission_id}.txt"

    def get(self, submission_id: str) -> Receipt | None:
        """The receipt of a delivered record, or None (also for an unreadable file)."""
        json_path, text_path = self._paths(submission_id)
        try:
            data = json.loads(json_path.read_bytes().decode("utf-8"))
            return Receipt(
                submission_id=str(data["submission_id"]),
                session_id=str(data["session_id"]),
                language=str(data["language"]),
                receipt_id=str(data["receipt_id"]),
                received_at=str(data["received_at"]),
                http_status=int(data["http_status"]),
                json_path=json_path,
                text_path=text_path,
            )
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("Unreadable receipt %s: %s", json_path.name, exc)
            return None

    def write(
        self,
        record: OutboxRecord,
        payload: bytes,
        status: int,
        answer: bytes,
        vendor: str,
        sync_folder: bool = True,
    ) -> Receipt:
        """Store the receipt of a record the server acknowledged, under the record's lock.

        ``sync_folder=False`` leaves the folder's fsync to the caller, who must do it
        (:meth:`sync`) before removing the record from the outbox. Raises OSError.
        """
        json_path, text_path = self._paths(record.submission_id)
        server = _parse(answer)
        fields = server if isinstance(server, dict) else {}
        delivered_at = now_rfc3339()
        receipt = Receipt(
            submission_id=record.submission_id,
            session_id=record.session_id,
            language=record.language,
            receipt_id=_receipt_id(fields.get("receipt_id")) or record.submission_id,
            received_at=_timestamp(fields.get("received_at")) or delivered_at,
            http_status=status,
            json_path=json_path,
            text_path=text_path,
        )
        data = {
            "receipt_format": FORMAT,
            "submission_id": receipt.submission_id,
            "session_id": receipt.session_id,
            "language": receipt.language,
            "receipt_id": receipt.receipt_id,
            "received_at": receipt.received_at,
            "delivered_at": delivered_at,
            "http_status": status,
            "record_sha256": record.payload_sha256,
            "server_answer": server,
            "record": json.loads(payload.decode("utf-8")),
        }
        files.ensure_folder(self.folder)
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
        text_body = render_text(receipt, vendor).encode("utf-8")
        # The text is rebuilt from the JSON (ensure_text) if a crash loses it: no fsync.
        files.write_atomic(text_path, text_body, sync_folder=False, locked=True, durable=False)
        # Now the record counts as delivered.
        files.write_atomic(json_path, body, locked=True, sync_folder=sync_folder)
        return receipt

    def sync(self) -> None:
        """Make receipts written with ``sync_folder=False`` durable; raises OSError."""
        files.fsync_folder(self.folder)

    def ensure_text(self, receipt: Receipt, vendor: str) -> None:
        """Write the text again if a crash interrupted it; raises OSError."""
        if not receipt.text_path.exists() or receipt.text_path.stat().st_size == 0:
            text_body = render_text(receipt, vendor).encode("utf-8")
            files.write_atomic(receipt.text_path, text_body, locked=True)


def render_text(receipt: Receipt, vendor: str) -> str:
    lang = receipt.language
    body = i18n.t(
        "intake.receipt.text",
        lang,
        vendor=vendor,
        reference=receipt.receipt_id,
        session_id=receipt.session_id,
        received_at=local_time(receipt.received_at, lang),
        submission_id=receipt.submission_id,
    )
    return body.rstrip("\n") + "\n"


def local_time(timestamp: str, lang: str) -> str:
    """An RFC 3339 time as the customer reads it: local time, the language's format."""
    try:
        moment = datetime.fromisoformat(timestamp)
    except ValueError:
        return timestamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime(i18n.t("intake.receipt.time_format", lang))


def _parse(answer: bytes) -> Any:
    """The server's answer: its JSON, else its text (bounded and cleaned), else None."""
    if not answer.strip():
        return None
    try:
        return json.loads(answer.decode("utf-8"))
    except ValueError:
        return text.clean(answer[:2048].decode("utf-8", errors="replace"), limit=500)


def _receipt_id(value: Any) -> str:
    if isinstance(value, int | str) and not isinstance(value, bool):
        return text.clean(str(value), limit=64)
    return ""


def _timestamp(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return ""
    return text.clean(value, limit=64)
