"""Real consent records, built by the helper's own code, for the intake server's tests."""

from __future__ import annotations

from dataclasses import dataclass

from helper import config as helper_config
from helper.apps.model import DetectedApp
from helper.consent.notice import load_notice
from helper.consent.record import build_record


@dataclass(frozen=True)
class Built:
    payload: bytes
    submission_id: str
    session_id: str

    def headers(self, token: str = "") -> dict[str, str]:
        """What the helper sends with it, as Django test-client keywords."""
        extra = {"HTTP_IDEMPOTENCY_KEY": f'"{self.submission_id}"'}
        if token:
            extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        return extra


def real_record(
    session_id: str = "1234567890",
    language: str = "de",
    number: str = "10472",
    company: str = "Steuerkanzlei Beispiel GmbH",
    kept_open: tuple[str, ...] = ("Microsoft Outlook",),
    contact_name: str = "Erika Mustermann",
    notice_file: str = "",
) -> Built:
    """A confirmation exactly as the helper would send it, with the built-in notice."""
    pairs = [
        ("customer.number", number),
        ("customer.company", company),
        ("notice.file", notice_file),
    ]
    cfg = helper_config.load(cli=[(k, v) for k, v in pairs if v], env={}, policy_reader=False)
    apps = [DetectedApp(f"app{i}", name, "mail", (), 0) for i, name in enumerate(kept_open)]
    record = build_record(
        session_id=session_id,
        notice=load_notice(cfg, language),
        notice_accepted=True,
        authority="it_admin_permission",
        confidential_apps="kept_open" if apps else "closed",
        open_apps=apps,
        contact_name=contact_name,
        config=cfg,
    )
    return Built(record.to_json_bytes(), record.submission_id, record.session_id)
