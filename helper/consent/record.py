"""The consent record: what the customer confirmed, as one immutable value.

It is built only by :func:`build_record`, and only when every required answer is given,
so a record that exists is a complete confirmation. :meth:`ConsentRecord.to_json_bytes`
gives the wire format (see the README's "What is sent"), which ``schema.json`` beside this
file describes; the tests check that every buildable record matches it. The runtime
never validates against the schema: the value is correct by construction.

Every free text that goes on the wire is cleaned (Unicode NFC, no control, invisible or
surrogate characters, single spaces), so serialising a record cannot fail and every string
follows the schema's rule for text (``text.py``), which the intake server enforces.
"""

from __future__ import annotations

import json
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from helper.apps.model import DetectedApp
from helper.consent.choices import MAX_CONTACT_NAME_CHARS, Authority, ConfidentialApps
from helper.consent.device import MAX_OS_VERSION_CHARS, ClientInfo, client_info
from helper.consent.notice import Notice
from helper.consent.session_id import DROPPED_CATEGORIES, SessionIdError, parse_session_id
from helper.i18n import LANGUAGES

if TYPE_CHECKING:
    from helper.config import Config

SCHEMA_VERSION = 1
E = TypeVar("E", bound=StrEnum)


class IncompleteRecord(ValueError):
    """A required answer is missing, False or not acceptable; ``fields`` names them."""

    def __init__(self, fields: Iterable[str]) -> None:
        self.fields = tuple(fields)
        super().__init__(
            "The consent record cannot be built; missing or not acceptable: "
            + ", ".join(self.fields)
        )


@dataclass(frozen=True)
class NoticeRef:
    """Which text was confirmed: the notice without its text."""

    id: str
    version: str
    sha256: str


@dataclass(frozen=True)
class OpenApplication:
    """A flagged application still running at confirmation: only what support needs."""

    id: str
    name: str
    category: str


@dataclass(frozen=True)
class Customer:
    """Who confirmed; empty fields are left out of the wire format."""

    number: str = ""
    company: str = ""
    contact_name: str = ""


@dataclass(frozen=True)
class ConsentRecord:
    """One confirmation. Build it with :func:`build_record`; thread-safe (immutable)."""

    submission_id: str
    session_id: str
    confirmed_at: datetime  # aware, UTC
    language: str
    notice: NoticeRef
    authority: Authority
    confidential_apps: ConfidentialApps
    #: None when ``privacy.send_open_apps`` is off: the key is then left out entirely.
    open_applications: tuple[OpenApplication, ...] | None
    customer: Customer
    client: ClientInfo

    def to_dict(self) -> dict[str, Any]:
        """The wire format as a new dict, keys in the documented order."""
        data: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "submission_id": self.submission_id,
            "session_id": self.session_id,
            "confirmed_at": self.confirmed_at.isoformat(timespec="seconds"),
            "language": self.language,
            "notice": {
                "id": self.notice.id,
                "version": self.notice.version,
                "sha256": self.notice.sha256,
            },
            "confirmations": {
                "notice_accepted": True,
                "authority": self.authority.value,
                "confidential_apps": self.confidential_apps.value,
            },
        }
        if self.open_applications is not None:
            data["open_applications"] = [
                {"id": a.id, "name": a.name, "category": a.category} for a in self.open_applications
            ]
        customer = {
            "number": self.customer.number,
            "company": self.customer.company,
            "contact_name": self.customer.contact_name,
        }
        data["customer"] = {key: value for key, value in customer.items() if value}
        client = self.client
        data["client"] = {
            "name": client.name,
            "version": client.version,
            "platform": client.platform,
            "os_version": client.os_version,
        }
        return data

    def to_json_bytes(self) -> bytes:
        """Compact UTF-8 JSON; the same record always gives the same bytes."""
        text = json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))
        return text.encode("utf-8")


def clean_text(text: str) -> str:
    """Free text as it may go on the wire: NFC, no control, invisible or surrogate
    characters (which cannot be encoded), runs of white space as one space, stripped."""
    text = unicodedata.normalize("NFC", text)
    kept = "".join(
        c for c in text if c.isspace() or unicodedata.category(c) not in DROPPED_CATEGORIES
    )
    return " ".join(kept.split())


def _utc_now() -> datetime:
    return datetime.now(UTC)


def build_record(
    *,
    session_id: str | None,
    notice: Notice | None,
    notice_accepted: bool,
    authority: Authority | str | None,
    confidential_apps: ConfidentialApps | str | None,
    open_apps: Iterable[DetectedApp],
    contact_name: str = "",
    config: Config,
    clock: Callable[[], datetime] = _utc_now,
    new_uuid: Callable[[], uuid.UUID] = uuid.uuid4,
    client: ClientInfo | None = None,
) -> ConsentRecord:
    """The record of the customer's answers, or :class:`IncompleteRecord` naming every
    answer that is missing, False or not acceptable.

    ``session_id`` is parsed again with ``session_id.pattern``; ``open_apps`` are the
    flagged applications still running; ``confidential_apps`` cannot be ``closed`` while
    one is. ``clock`` must return an aware datetime and ``new_uuid`` a version-4 UUID
    (both injectable for tests); ``client`` defaults to this computer.
    """
    missing: list[str] = []
    sid = _session_id(session_id, config, missing)
    if notice is None:
        missing.append("notice")
    if notice_accepted is not True:
        missing.append("notice_accepted")
    answer_authority = _enum(Authority, authority, "authority", missing)
    answer_apps = _enum(ConfidentialApps, confidential_apps, "confidential_apps", missing)
    still_open = _open_applications(open_apps, answer_apps, missing)
    name = _contact_name(contact_name, config, missing)
    if missing or notice is None or answer_authority is None or answer_apps is None:
        raise IncompleteRecord(missing)

    confirmed_at, submission = _stamps(clock, new_uuid)
    customer = Customer(
        clean_text(config["customer.number"]), clean_text(config["customer.company"]), name
    )
    return ConsentRecord(
        submission_id=str(submission),
        session_id=sid,
        confirmed_at=confirmed_at,
        language=notice.language,
        notice=NoticeRef(notice.id, notice.version, notice.sha256),
        authority=answer_authority,
        confidential_apps=answer_apps,
        open_applications=still_open if config["privacy.send_open_apps"] else None,
        customer=customer,
        client=_client(client or client_info()),
    )


def _client(client: ClientInfo) -> ClientInfo:
    """``client`` with its operating system's name cleaned: it is free text too (an
    os-release file can hold anything)."""
    os_version = clean_text(client.os_version)[:MAX_OS_VERSION_CHARS] or "unknown"
    return client if os_version == client.os_version else replace(client, os_version=os_version)


def _session_id(text: str | None, config: Config, missing: list[str]) -> str:
    """The Session ID parsed again with the configured pattern; "" if it is not one."""
    try:
        return parse_session_id(text or "", config["session_id.pattern"])
    except SessionIdError:
        missing.append("session_id")
        return ""


def _open_applications(
    open_apps: Iterable[DetectedApp], answer: ConfidentialApps | None, missing: list[str]
) -> tuple[OpenApplication, ...]:
    """The flagged applications still running, as sent; "closed" cannot be the answer then."""
    still_open = tuple(
        OpenApplication(clean_text(a.id), clean_text(a.name), clean_text(a.category))
        for a in open_apps
    )
    if any(not (a.id and a.name) for a in still_open):
        missing.append("open_apps")
    if answer is ConfidentialApps.CLOSED and still_open:
        missing.append("confidential_apps")
    return still_open


def _contact_name(text: str, config: Config, missing: list[str]) -> str:
    name = clean_text(text)
    if len(name) > MAX_CONTACT_NAME_CHARS or (config["ui.require_contact_name"] and not name):
        missing.append("contact_name")
    return name


def _stamps(
    clock: Callable[[], datetime], new_uuid: Callable[[], uuid.UUID]
) -> tuple[datetime, uuid.UUID]:
    """When it was confirmed (aware, whole seconds, UTC) and its submission id."""
    confirmed_at = clock()
    if confirmed_at.tzinfo is None:
        raise ValueError("clock() must return a timezone-aware datetime")
    submission = new_uuid()
    if submission.version != 4:
        raise ValueError("new_uuid() must return a version-4 UUID")
    return confirmed_at.astimezone(UTC).replace(microsecond=0), submission


def _enum(kind: type[E], value: E | str | None, name: str, missing: list[str]) -> E | None:
    """``value`` as a member of ``kind``; None (and ``name`` added to missing) if it is none."""
    if value is not None:
        try:
            return kind(value)
        except ValueError:
            pass
    missing.append(name)
    return None


def schema() -> dict[str, Any]:
    """The JSON Schema of the wire format (``schema.json``), e.g. for tests and servers.

    The file names no languages: the list is the helper's (``i18n.LANGUAGES``, its data
    folders), added here, so that a new language is accepted without editing the file."""
    text = Path(__file__).with_name("schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    loaded["properties"]["language"]["enum"] = list(LANGUAGES)
    return loaded
