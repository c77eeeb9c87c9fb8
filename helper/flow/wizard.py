"""The customer's path from Session ID to receipt, with no user interface in it.

The terminal flow and the Tk window both drive one :class:`Wizard`: they show its current
step, hand back what the customer typed or clicked, and ask :meth:`Wizard.missing` why
"next" is not yet allowed. The wizard holds state and rules only; slow work (scanning,
closing, sending) is done on the ``services``, ordered by ``jobs.py``, and its results
are handed back with ``apply_scan``, ``apply_closed`` and ``finish``. The wizard is not
thread-safe: one thread (the UI's) changes it, workers only make the slow calls.

One name per idea about the open applications:

- *applications*: the flagged applications open now, per the latest scan;
- *kept open*: the customer chose in step 2 not to close one (``apps.keep_open`` can
  say so too), so it is never asked to close;
- *selected*: the closable ones the window's "close selected" asks to close;
- *open confirmed*: in step 3 the customer confirmed that the applications open then
  stay open on purpose.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from helper.apps.model import CloseResult, CloseStatus, DetectedApp, ScanResult
from helper.consent.choices import MAX_CONTACT_NAME_CHARS, Authority
from helper.consent.session_id import SessionIdError, parse_session_id
from helper.platforms import platform_name

if TYPE_CHECKING:
    from helper.config import Config
    from helper.consent.notice import Notice
    from helper.consent.record import ConsentRecord
    from helper.flow.jobs import Closed
    from helper.intake import Delivery


class Step(StrEnum):
    SESSION = "session"
    APPS = "apps"
    NOTICE = "notice"
    SENDING = "sending"
    RESULT = "result"


ORDER = (Step.SESSION, Step.APPS, Step.NOTICE, Step.SENDING, Step.RESULT)
AUTHORITIES = tuple(a.value for a in Authority)
#: Called as applications are asked (status None) and as each outcome is known.
Progress = Callable[[str, CloseStatus | None], None]


class Services(Protocol):
    """The slow, system-facing work the wizard needs; each call may block."""

    def scan(self) -> ScanResult: ...
    def close(
        self, apps: Sequence[DetectedApp], progress: Progress | None
    ) -> list[CloseResult]: ...
    def notice(self, lang: str) -> Notice: ...
    def submit(self, record: ConsentRecord) -> Delivery: ...
    def is_saved(self, submission_id: str) -> bool: ...


class StepIncomplete(Exception):
    """``next()`` was asked before the step had every answer; ``missing`` says which."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(", ".join(missing))
        self.missing = missing


class Answers:
    """What the customer has said so far; kept across "back" and a language switch."""

    def __init__(self) -> None:
        self.session_id = ""
        #: What was typed for the Session ID, valid or not (shown again after re-drawing).
        self.typed_session_id = ""
        self.contact_name = ""
        #: Ids of the applications the customer chose to keep open: never asked to close.
        self.kept_open: set[str] = set()
        #: Ids the customer took out of the selection to close (the window's ticks).
        self.deselected: set[str] = set()
        self.notice_accepted = False
        self.authority = ""  # one of AUTHORITIES once answered
        #: Ids of the open applications the customer confirmed leaving open on purpose.
        self.open_confirmed: frozenset[str] = frozenset()


class Wizard:
    """The steps, what each needs before the next, "back", and the record it produces."""

    def __init__(self, config: Config, services: Services, lang: str | None = None) -> None:
        self.config = config
        self.services = services
        self.lang = lang or config.language
        self.step = Step.SESSION
        self.answers = Answers()
        self.scan_result: ScanResult | None = None
        self.close_results: dict[str, CloseStatus] = {}
        self.closed_names: dict[str, str] = {}  # of the applications asked to close
        self.record: ConsentRecord | None = None
        self.result: Delivery | None = None

    # -- Session ID and contact ------------------------------------------------------------
    def set_session_id(self, text: str) -> str | None:
        """Store the Session ID; returns the message id of what is wrong, or None."""
        self.answers.typed_session_id = text
        try:
            self.answers.session_id = parse_session_id(text, self.config["session_id.pattern"])
        except SessionIdError as exc:
            self.answers.session_id = ""
            return exc.message_id
        return None

    def set_contact_name(self, text: str) -> None:
        self.answers.contact_name = " ".join(text.split())[:MAX_CONTACT_NAME_CHARS]

    # -- Applications ------------------------------------------------------------------------
    def apply_scan(self, result: ScanResult) -> None:
        """Take a scan (``Services.scan``) as the current one."""
        self.scan_result = result
        running = {app.id for app in result.applications}
        self.answers.kept_open &= running

    @property
    def applications(self) -> tuple[DetectedApp, ...]:
        """The flagged applications open now, per the latest scan."""
        return self.scan_result.applications if self.scan_result else ()

    def is_kept_open(self, app: DetectedApp) -> bool:
        """Kept open by the customer's choice or by the setting ``apps.keep_open``."""
        return app.keep_open or app.id in self.answers.kept_open

    def set_kept_open(self, app_id: str, kept: bool = True) -> None:
        """The customer consciously keeps this application open (or changes their mind)."""
        if kept:
            self.answers.kept_open.add(app_id)
        else:
            self.answers.kept_open.discard(app_id)

    def closable(self, ids: Sequence[str] | None = None) -> list[DetectedApp]:
        """Applications that may be asked to close: chosen ones, never kept-open ones."""
        return [
            a
            for a in self.applications
            if not self.is_kept_open(a) and (ids is None or a.id in ids)
        ]

    def set_selected(self, app_id: str, selected: bool) -> None:
        """The customer selects (or deselects) an application to close it with the others."""
        if selected:
            self.answers.deselected.discard(app_id)
        else:
            self.answers.deselected.add(app_id)

    def selected(self) -> list[DetectedApp]:
        """The closable applications selected to close (all, unless deselected)."""
        return [a for a in self.closable() if a.id not in self.answers.deselected]

    def apply_closed(self, closed: Closed) -> None:
        """Take what closing did and the scan after it (``jobs.close_then_rescan``)."""
        names = {a.id: a.name for a in self.applications}
        for result in closed.results:
            self.closed_names[result.id] = names.get(result.id, result.id)
            self.close_results[result.id] = result.status
        self.apply_scan(closed.scan)

    def quicksupport_url(self) -> str:
        """Where this customer downloads TeamViewer QuickSupport: ``{platform}`` in
        ``vendor.quicksupport_url`` becomes windows, macos or linux."""
        return str(self.config["vendor.quicksupport_url"]).replace("{platform}", platform_name())

    # -- Notice and confirmations -----------------------------------------------------------
    def notice(self) -> Notice:
        return self.services.notice(self.lang)

    def accept_notice(self, accepted: bool) -> None:
        self.answers.notice_accepted = accepted

    def set_authority(self, authority: str) -> None:
        if authority not in AUTHORITIES:
            raise ValueError(f"authority must be one of {AUTHORITIES}")
        self.answers.authority = authority

    def set_open_confirmed(self, confirmed: bool) -> None:
        """The customer confirms that the applications running now stay open on purpose (as
        they see them now), or takes that back."""
        ids = frozenset(a.id for a in self.applications) if confirmed else frozenset()
        self.answers.open_confirmed = ids

    @property
    def is_open_confirmed(self) -> bool:
        """Every application open now was open when the customer confirmed."""
        return {a.id for a in self.applications} <= self.answers.open_confirmed

    # -- Moving between steps ----------------------------------------------------------------
    def missing(self, step: Step | None = None) -> list[str]:
        """Message ids of what ``step`` (default: the current one) still needs."""
        step = step or self.step
        a = self.answers
        needs: list[str] = []
        if step is Step.SESSION:
            if not a.session_id:
                needs.append("flow.need_session_id")
            if self.config["ui.require_contact_name"] and not a.contact_name:
                needs.append("flow.need_contact_name")
        elif step is Step.APPS:
            if self.scan_result is None:
                needs.append("flow.need_scan")
        elif step is Step.NOTICE:
            if not a.notice_accepted:
                needs.append("flow.need_notice_accepted")
            if a.authority not in AUTHORITIES:
                needs.append("flow.need_authority")
            if not self.is_open_confirmed:
                needs.append("flow.need_open_confirmed")
        return needs

    def next(self) -> Step:
        """Go to the next step, or raise :class:`StepIncomplete` saying what is missing."""
        missing = self.missing()
        if missing:
            raise StepIncomplete(missing)
        if self.step in (Step.SENDING, Step.RESULT):
            return self.step  # sending moves on by itself, when the answer is in
        self.step = ORDER[ORDER.index(self.step) + 1]
        return self.step

    def back(self) -> Step:
        """Go back one step; impossible once the confirmation is being sent."""
        if self.step in (Step.APPS, Step.NOTICE):
            self.step = ORDER[ORDER.index(self.step) - 1]
        return self.step

    # -- The record and sending ---------------------------------------------------------------
    def build(self) -> ConsentRecord:
        """The consent record from the answers and the applications open right now."""
        if self.step is not Step.SENDING:
            raise StepIncomplete(self.missing(Step.NOTICE) or ["flow.not_confirmed"])
        from helper.consent.record import build_record  # hashlib, json: not before step 1

        a = self.answers
        open_apps = self.applications
        self.record = build_record(
            session_id=a.session_id,
            notice=self.notice(),
            notice_accepted=a.notice_accepted,
            authority=a.authority,
            confidential_apps="kept_open" if open_apps else "closed",
            open_apps=open_apps,
            contact_name=a.contact_name,
            config=self.config,
        )
        return self.record

    def prepare_submission(self) -> ConsentRecord:
        """The record to send, built after a fresh scan (``apply_scan``).

        The customer confirmed keeping open only the applications they saw. If one was
        opened since, nothing is built: the wizard returns to the notice step and raises
        :class:`StepIncomplete` so the customer sees it and confirms again.
        """
        if self.step is Step.SENDING and not self.is_open_confirmed:
            self.step = Step.NOTICE
            raise StepIncomplete(["flow.apps_changed"])
        return self.build()

    def finish(self, delivery: Delivery) -> None:
        """Take the delivery outcome (``Services.submit``) and show the result."""
        self.result = delivery
        self.step = Step.RESULT


__all__ = [
    "AUTHORITIES",
    "ORDER",
    "Answers",
    "Services",
    "Step",
    "StepIncomplete",
    "Wizard",
]
