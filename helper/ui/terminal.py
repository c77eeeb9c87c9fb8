"""The whole flow in a terminal, line by line, for screen readers, consoles and pipes.

It drives the same :class:`~helper.flow.Wizard` as the window. Every answer is a typed
line; there is no default "yes". End of input or Ctrl+C ends cleanly with nothing sent.
Lines stay within 78 columns so the flow reads well in an 80x24 terminal.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from typing import Any, TextIO

from helper.apps.catalogue import load as load_catalogue
from helper.apps.model import CloseStatus, DetectedApp
from helper.consent.choices import Authority
from helper.consent.session_id import format_session_id
from helper.exitcodes import ExitCode
from helper.flow import Step, StepIncomplete, Wizard, jobs
from helper.i18n import in_every_language, t
from helper.intake import OutboxError

WIDTH = 78
#: What the customer types for each authority; the last number declines.
AUTHORITY_NUMBERS = {str(number): a for number, a in enumerate(Authority, start=1)}


class Cancelled(Exception):
    """The customer declined, or input ended: nothing is sent (unless ``exit_code`` says
    the record was saved before the interruption)."""

    def __init__(self, message_id: str, exit_code: int = ExitCode.DECLINED) -> None:
        super().__init__(message_id)
        self.message_id = message_id
        self.exit_code = exit_code


class TerminalFlow:
    """Asks, shows and answers on a pair of text streams."""

    def __init__(self, wizard: Wizard, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout):
        self.wizard = wizard
        self.stdin = stdin
        self.out = stdout
        self.catalogue = load_catalogue(wizard.config)

    # -- small output helpers ---------------------------------------------------------------
    def _t(self, key: str, **params: Any) -> str:
        return t(key, self.wizard.lang, **params)

    def say(self, text: str = "", indent: str = "") -> None:
        for paragraph in text.split("\n"):
            lines = textwrap.wrap(
                paragraph, WIDTH, initial_indent=indent, subsequent_indent=indent
            ) or [""]
            for line in lines:
                print(line, file=self.out)
        self.out.flush()

    def heading(self, number: int, key: str) -> None:
        title = self._t("flow.step_title", number=number, total=4, title=self._t(key))
        self.say()
        self.say(title)
        self.say("=" * min(len(title), WIDTH))

    def ask(self, prompt_key: str, **params: Any) -> str:
        lines = textwrap.wrap(self._t(prompt_key, **params), WIDTH - 10) or [""]
        for line in lines[:-1]:
            print(line, file=self.out)
        print(lines[-1] + " ", end="", file=self.out)
        self.out.flush()
        line = self.stdin.readline()
        if not line:
            print(file=self.out)
            raise Cancelled("flow.cancelled")
        return line.strip()

    def ask_yes_no(self, prompt_key: str, **params: Any) -> bool:
        yes = in_every_language("answers.yes") | in_every_language("answers.yes_short")
        no = in_every_language("answers.no") | in_every_language("answers.no_short")
        while True:
            answer = self.ask(prompt_key, **params).lower()
            if answer in yes:
                return True
            if answer in no:
                return False
            self.say(self._t("flow.type_yes_or_no"))

    # -- the steps ----------------------------------------------------------------------------
    def run(self) -> int:
        try:
            self.say(self._t("flow.welcome", vendor=self.wizard.config["vendor.name"]))
            while self.wizard.step is not Step.RESULT:
                {
                    Step.SESSION: self.session_step,
                    Step.APPS: self.apps_step,
                    Step.NOTICE: self.notice_step,
                    Step.SENDING: self.sending_step,
                }[self.wizard.step]()
            return self.result()
        except Cancelled as exc:
            self.say()
            self.say(self._t(exc.message_id))
            return exc.exit_code
        except KeyboardInterrupt:
            self.say()
            self.say(self._t("flow.cancelled"))
            return ExitCode.DECLINED

    def session_step(self) -> None:
        w = self.wizard
        self.heading(1, "flow.title_session")
        cfg = w.config
        if cfg["customer.company"] or cfg["customer.number"]:
            self.say(
                self._t(
                    "flow.customer",
                    company=cfg["customer.company"] or "-",
                    number=cfg["customer.number"] or "-",
                )
            )
        self.say(self._t("flow.session_explain"))
        while not w.answers.session_id:
            error = w.set_session_id(self.ask("flow.ask_session_id"))
            if error:
                self.say(self._t(error))
        if cfg["ui.require_contact_name"]:
            while not w.answers.contact_name:
                w.set_contact_name(self.ask("flow.ask_contact_name"))
        w.next()

    def _scan(self) -> None:
        self.say(self._t("flow.scanning"))
        result = self.wizard.services.scan()
        self.wizard.apply_scan(result)
        if not result.remote_support_running:
            self.say(self._t("flow.start_quicksupport", url=self.wizard.quicksupport_url()))

    def apps_step(self) -> None:
        w = self.wizard
        self.heading(2, "flow.title_apps")
        self._scan()
        while True:
            apps = list(w.applications)
            if not apps:
                self.say(self._t("flow.no_apps"))
                w.next()
                return
            self.show_apps(apps)
            command = self.ask("flow.ask_apps_command").lower().split()
            if not command:
                continue
            if command[0] in ("w", "c"):
                w.next()
                return
            if command[0] in ("n", "r"):
                self._scan()
            elif command[0] == "a":
                self.close_apps(None)
            elif command[0] == "o":
                for app in self._pick(apps, command[1:]):
                    w.set_kept_open(app.id, not w.is_kept_open(app))
            else:
                chosen = self._pick(apps, command)
                if chosen:
                    self.close_apps([a.id for a in chosen])

    def _pick(self, apps: list[DetectedApp], words: list[str]) -> list[DetectedApp]:
        chosen = []
        for word in words:
            if word.isdigit() and 1 <= int(word) <= len(apps):
                chosen.append(apps[int(word) - 1])
            else:
                key = "flow.bad_number_one" if len(apps) == 1 else "flow.bad_number"
                self.say(self._t(key, word=word, last=len(apps)))
                return []
        return chosen

    def show_apps(self, apps: list[DetectedApp]) -> None:
        self.say(self._t("flow.apps_intro"))
        category = None
        for number, app in enumerate(apps, start=1):
            if app.category != category:
                category = app.category
                self.say()
                self.say(self.catalogue.category_name(category, self.wizard.lang) + ":")
                self.say(self.catalogue.reason(category, self.wizard.lang), indent="  ")
            mark = self._t("flow.kept_open_mark") if self.wizard.is_kept_open(app) else ""
            self.say(f"  {number:>2}. {app.name}{mark}")
        self.say()
        self.say(self._t("flow.apps_commands"))

    def close_apps(self, ids: list[str] | None) -> None:
        def progress(app_id: str, status: CloseStatus | None) -> None:
            if status is None:
                self.say(self._t("flow.closing", name=names.get(app_id, app_id)))

        names = {a.id: a.name for a in self.wizard.applications}
        if not self.wizard.closable(ids):
            self.say(self._t("flow.nothing_to_close"))
            return
        closed = jobs.close_then_rescan(self.wizard.services, self.wizard.closable(ids), progress)
        self.wizard.apply_closed(closed)
        for result in closed.results:
            name = names.get(result.id, result.id)
            self.say(self._t(f"flow.close_{result.status.value}", name=name), indent="  ")

    def notice_step(self) -> None:
        w = self.wizard
        self.heading(3, "flow.title_notice")
        self.show_notice(w.notice().text)
        if not self.ask_yes_no("flow.ask_notice_accepted"):
            raise Cancelled("flow.declined")
        w.accept_notice(True)
        self.say(self._t("flow.authority_question"))
        while w.answers.authority == "":
            answer = self.ask("flow.ask_authority")
            if answer in AUTHORITY_NUMBERS:
                w.set_authority(AUTHORITY_NUMBERS[answer])
            elif answer == str(len(AUTHORITY_NUMBERS) + 1):
                raise Cancelled("flow.declined_authority")
        if w.applications and not w.is_open_confirmed:
            names = ", ".join(a.name for a in w.applications)
            if not self.ask_yes_no("flow.ask_open_confirmed", names=names):
                w.back()
                return
            w.set_open_confirmed(True)
        w.next()

    def show_notice(self, text: str) -> None:
        """The notice, headings underlined; paged to the screen's height in a terminal."""
        lines: list[str] = []
        for paragraph in text.split("\n"):
            if paragraph.startswith("# "):
                lines += [paragraph[2:], "-" * len(paragraph[2:])]
            else:
                lines += textwrap.wrap(paragraph, WIDTH) or [""]
        interactive = self.stdin.isatty() and self.out.isatty()
        page = max(10, shutil.get_terminal_size().lines - 5) if interactive else len(lines) + 1
        for start in range(0, len(lines), page):
            for line in lines[start : start + page]:
                print(line, file=self.out)
            if start + page < len(lines):
                self.ask("flow.more")
        self.say()

    def sending_step(self) -> None:
        self.heading(4, "flow.title_sending")
        self.say(self._t("flow.sending"))
        w = self.wizard
        try:
            jobs.run_here(jobs.send(w))
        except StepIncomplete:
            self.say(self._t("flow.apps_changed"))
        except KeyboardInterrupt:
            if w.record is not None and w.services.is_saved(w.record.submission_id):
                raise Cancelled("flow.interrupted_saved", ExitCode.PENDING) from None
            raise
        except OutboxError as exc:  # not saved, so not sent: say why and what to do
            self.say(exc.message(w.lang))
            raise Cancelled("flow.not_saved", ExitCode.UNEXPECTED) from None

    def result(self) -> int:
        w = self.wizard
        delivery = w.result
        assert delivery is not None, "the result step comes only after sending"
        self.say()
        self.say(self._t(f"flow.result_{delivery.state.value}"))
        self.say(delivery.message(w.lang))
        self.say()
        self.say(self._t("flow.read_out"))
        self.say(big_session_id(format_session_id(w.answers.session_id)))
        return jobs.exit_code(delivery)


def big_session_id(formatted: str) -> str:
    """The Session ID boxed, grouped as the window shows it (``1 234 567 890``), easy to
    find and read out on the phone."""
    bar = "─" * (len(formatted) + 6)
    return f"┌{bar}┐\n│   {formatted}   │\n└{bar}┘"


def run(
    wizard: Wizard,
    prefill_session_id: str = "",
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
) -> int:
    flow = TerminalFlow(wizard, stdin, stdout)
    if prefill_session_id:
        error = wizard.set_session_id(prefill_session_id)
        if error:
            flow.say(t(error, wizard.lang))
    return flow.run()
