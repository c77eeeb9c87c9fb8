"""The outbox: one file per confirmation that has not reached the intake server yet.

A record is written here (durably, see ``files``) before the first attempt to send it and
leaves only after the server acknowledged it (see ``receipts``). Each file is a small JSON
envelope: the state of delivery, and the record itself as text, with its SHA-256, so the
body sent is provably the exact bytes handed to :meth:`Outbox.add`.

Reading is safe from any thread or process at any time. Changing a record's state is for
the sender, which holds that record's lock (:meth:`Outbox.lock`), so two helpers never send
or update the same record at once. Adding needs no lock: it only creates new files.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import logging
import re
import zlib
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import filelock

from helper import i18n
from helper.intake import files

log = logging.getLogger(__name__)

FORMAT = 1
#: Submission ids become file names: nothing that could leave the folder.
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,127}")
#: Records share this many lock files (chosen by a hash of the id), so no lock file is
#: created or deleted per record; two records rarely share one, which only serialises them.
LOCK_BUCKETS = 64


class RecordState(StrEnum):
    PENDING = "pending"
    #: The server refused this computer's access (401/403): not the record's fault, so it
    #: waits, and is sent again once the access in the configuration changes.
    NOT_AUTHORISED = "not_authorised"
    REJECTED = "rejected"

    @property
    def waiting(self) -> bool:
        """Still to be delivered (a rejected record waits for a person instead)."""
        return self is not RecordState.REJECTED


class OutboxError(Exception):
    """The outbox cannot be written or a record in it is damaged; ``message_id`` says which."""

    def __init__(self, message_id: str, path: Path) -> None:
        super().__init__(f"{message_id}: {path}")
        self.message_id = message_id
        self.path = path

    def message(self, lang: str) -> str:
        return i18n.t(self.message_id, lang, path=self.path)


@dataclass(frozen=True)
class OutboxRecord:
    """What the outbox knows about one confirmation (without the record's text)."""

    submission_id: str
    session_id: str
    language: str
    state: RecordState
    created_at: str  # RFC 3339, UTC
    payload_sha256: str
    attempts: int = 0
    last_error: str = ""
    http_status: int | None = None
    server_message: str = ""
    #: For NOT_AUTHORISED: which access was refused (``client.access_of``, never the token)
    #: and when (RFC 3339, UTC).
    access: str = ""
    refused_at: str = ""

    def as_json(self) -> dict[str, Any]:
        """The fields ``outbox list --json`` prints."""
        return {
            "submission_id": self.submission_id,
            "session_id": self.session_id,
            "state": self.state.value,
            "created_at": self.created_at,
            "attempts": self.attempts,
            "last_error": self.last_error,
        }


def now_rfc3339() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def check_submission_id(submission_id: str) -> None:
    if not _ID.fullmatch(submission_id):
        raise ValueError(f"not a usable submission id: {submission_id!r}")


class Outbox:
    """The outbox folder below ``data_dir``. Cheap to create; holds no open files."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.folder = self.data_dir / "outbox"

    def path_of(self, submission_id: str) -> Path:
        check_submission_id(submission_id)
        return self.folder / f"{submission_id}.json"

    def add(self, payload: bytes, submission_id: str, session_id: str) -> Path:
        """Store a new record durably and return its file; returns only once it is on disk.

        Adding the same record again is harmless; a different record under a submission id
        already in the outbox is a programming error (ValueError), as is a payload that is
        not the UTF-8 JSON record with these ids. Raises OutboxError when the folder cannot
        be written (message id ``intake.outbox_unwritable``).
        """
        text, language = _record_text(payload, submission_id, session_id)
        digest = hashlib.sha256(payload).hexdigest()
        path = self.path_of(submission_id)
        existing = self.get(submission_id)
        if existing is not None:
            if existing.payload_sha256 != digest:
                raise ValueError(f"another record is already stored as {submission_id}")
            return path
        record = OutboxRecord(
            submission_id=submission_id,
            session_id=session_id,
            language=language,
            state=RecordState.PENDING,
            created_at=now_rfc3339(),
            payload_sha256=digest,
        )
        try:
            files.ensure_folder(self.folder)
            files.write_atomic(path, _envelope(record, text))
        except OSError as exc:
            log.error("Cannot write the outbox %s: %s", self.folder, exc)
            raise OutboxError("intake.outbox_unwritable", self.folder) from exc
        log.info("Saved confirmation %s in the outbox", submission_id)
        return path

    def list(self) -> builtins.list[OutboxRecord]:
        """Every record waiting here (pending and rejected), oldest first.

        A file that cannot be read is logged and left alone, never deleted.
        """
        records = []
        for path in self.folder.glob("*.json"):
            try:
                records.append(self._read(path)[0])
            except (OSError, ValueError, KeyError, TypeError) as exc:
                if path.exists():
                    log.warning("Skipping unreadable outbox file %s: %s", path.name, exc)
        return sorted(records, key=lambda r: (r.created_at, r.submission_id))

    def pending(self) -> builtins.list[OutboxRecord]:
        """The records still to be sent, oldest first (rejected ones excluded)."""
        return [r for r in self.list() if r.state.waiting]

    def get(self, submission_id: str) -> OutboxRecord | None:
        """The record, or None when it is not (or no longer) in the outbox."""
        try:
            return self._read(self.path_of(submission_id))[0]
        except (FileNotFoundError, NotADirectoryError):
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise OutboxError("intake.outbox_damaged", self.path_of(submission_id)) from exc

    def payload(self, submission_id: str) -> bytes:
        """The exact bytes given to :meth:`add`; KeyError if the record is not here."""
        found = self.read(submission_id)
        if found is None:
            raise KeyError(submission_id)
        return found[1]

    def read(self, submission_id: str) -> tuple[OutboxRecord, bytes] | None:
        """The record and its exact bytes (checked against their SHA-256), or None.

        Raises OutboxError (``intake.outbox_damaged``) if the file no longer matches.
        """
        path = self.path_of(submission_id)
        try:
            record, text = self._read(path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise OutboxError("intake.outbox_damaged", path) from exc
        payload = text.encode("utf-8")
        if hashlib.sha256(payload).hexdigest() != record.payload_sha256:
            raise OutboxError("intake.outbox_damaged", path)
        return record, payload

    def lock(self, submission_id: str) -> filelock.BaseFileLock:
        """The lock a sender holds while it sends or updates this record."""
        check_submission_id(submission_id)
        bucket = zlib.crc32(submission_id.encode()) % LOCK_BUCKETS
        folder = self.folder / ".locks"
        files.ensure_folder(folder)
        return filelock.FileLock(folder / f"{bucket:02x}.lock")

    def update(self, record: OutboxRecord, **changes: Any) -> OutboxRecord:
        """Write a changed state of ``record`` durably. Only under the record's lock."""
        path = self.path_of(record.submission_id)
        changed = replace(record, **changes)
        text = self._read(path)[1]
        files.write_atomic(path, _envelope(changed, text), locked=True)
        return changed

    def remove(self, submission_id: str) -> None:
        """Delete a delivered record and leftovers. Only under the record's lock.

        Call it only once the receipt is durable. The deletion itself needs no fsync: if
        a crash undoes it, the next sender finds the receipt and tidies up without sending.
        """
        path = self.path_of(submission_id)
        path.unlink(missing_ok=True)
        files.locked_temp_path(path).unlink(missing_ok=True)

    def _read(self, path: Path) -> tuple[OutboxRecord, str]:
        data = json.loads(path.read_bytes().decode("utf-8"))
        if not isinstance(data, dict) or data.get("outbox_format") != FORMAT:
            raise ValueError("not an outbox file of this version")
        fields = {k: data[k] for k in OutboxRecord.__dataclass_fields__ if k in data}
        fields["state"] = RecordState(fields["state"])
        return OutboxRecord(**fields), str(data["payload"])


def _record_text(payload: bytes, submission_id: str, session_id: str) -> tuple[str, str]:
    """The record as text, and its language; ValueError if it is not this record."""
    check_submission_id(submission_id)
    try:
        text = payload.decode("utf-8")
        data = json.loads(text)
    except (UnicodeDecodeError, ValueError) as exc:
        raise ValueError("the record is not UTF-8 JSON") from exc
    if not isinstance(data, dict) or data.get("submission_id") != submission_id:
        raise ValueError("the record's submission_id does not match")
    if data.get("session_id") != session_id:
        raise ValueError("the record's session_id does not match")
    language = data.get("language")
    return text, language if language in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE


def _envelope(record: OutboxRecord, text: str) -> bytes:
    data: dict[str, Any] = {"outbox_format": FORMAT, **asdict(record), "payload": text}
    data["state"] = record.state.value
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
