"""Records shaped like the consent record (issue 5) for tests that only move bytes."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class Sample:
    payload: bytes
    submission_id: str
    session_id: str


def sample_record(language: str = "en", session_id: str = "123456789", extra: int = 0) -> Sample:
    """A record with a fresh UUID4; ``extra`` adds that many characters of padding."""
    submission_id = str(uuid.uuid4())
    record = {
        "schema_version": 1,
        "submission_id": submission_id,
        "session_id": session_id,
        "confirmed_at": "2025-03-04T10:15:00+00:00",
        "language": language,
        "notice": {"id": "intellekta-default", "version": "1", "sha256": "0" * 64},
        "confirmations": {
            "notice_accepted": True,
            "authority": "owner",
            "confidential_apps": "kept_open",
        },
        "open_applications": [{"id": "outlook", "name": "Outlook – Müller", "category": "mail"}],
        "customer": {"number": "K-1", "company": "Praxis Dr. Müller", "contact_name": "x" * extra},
        "client": {
            "name": "intellekta-helper",
            "version": "0.1.0",
            "platform": "linux",
            "os_version": "test",
        },
    }
    return Sample(json.dumps(record, ensure_ascii=False).encode(), submission_id, session_id)


def random_session_id(rng: random.Random) -> str:
    return str(rng.randrange(100_000_000, 9_999_999_999))
