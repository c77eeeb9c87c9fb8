"""The customer's window: header, one step at a time, and Back / Next.

It drives :class:`~helper.flow.Wizard` and never blocks: the slow work (scanning every
two seconds, closing, the send sequence of ``helper.flow.jobs``) runs through
:class:`~helper.ui.tk.worker.Worker`. Step contents live in ``steps.py`` and see this
window only as a :class:`~helper.ui.tk.steps.Host`; the answers live in the wizard. This
module owns navigation, language and the window's life.
"""

from __future__ import annotations

import logging
import tkinter as tk
from functools import partial
from pathlib import Path
from tkinter import messagebox, ttk
from typing import TYPE_CHECKING, Any

from helper import logs
from helper.apps.model import ScanResult
from helper.flow import ORDER, Step, StepIncomplete, Wizard, jobs
from helper.flow.wizard import Services
from helper.i18n import LANGUAGES, t
from helper.ui.tk import steps
from helper.ui.tk.widgets import PAD, setup_fonts
from helper.ui.tk.worker import Job, OnDone, OnError, OnProgress, Worker

if TYPE_CHECKING:
    from helper.config import Config

log = logging.getLogger(__name__)

SCAN_EVERY_MS = 2000
ICON = Path(__file__).with_name("icon.png")
VISIBLE_STEPS = 4  # sending and its result share the fourth step


class HelperWindow:
    """One window, one wizard. Everything here runs on the Tk thread."""

    def __init__(self, root: tk.Tk, wizard: Wizard, services: Services) -> None:
        self.root = root
        self.wizard = wizard
        self.services = services
        self.worker = Worker(root)
        self.fonts = setup_fonts(root)
        self.scan_failed = False  # the latest scan raised; step 2 offers to try again
        self.view: steps.StepView | None = None

        root.title(self.t("gui.window_title", vendor=wizard.config["vendor.name"]))
        root.minsize(720, 560)
        root.geometry("860x660")
        if ICON.exists():
            self.icon = tk.PhotoImage(master=root, file=str(ICON))
            root.iconphoto(True, self.icon)
        root.protocol("WM_DELETE_WINDOW", self.on_close)
        root.report_callback_exception = self.on_unexpected
        root.bind("<Return>", self._on_return)
        root.bind("<Escape>", lambda _e: self.on_back())
        self._build_frame()
        self.render()
        self._scan_after = self.root.after(10, self.scan_now)
        root.bind("<Destroy>", self._on_destroy, add="+")

    def _on_destroy(self, event: tk.Event) -> None:
        if event.widget is self.root:
            self.root.after_cancel(self._scan_after)
            self.worker.stop()

    def t(self, key: str, **params: Any) -> str:
        return t(key, self.wizard.lang, **params)

    # -- frame ----------------------------------------------------------------------------
    def _build_frame(self) -> None:
        outer = ttk.Frame(self.root, padding=PAD)
        outer.pack(fill="both", expand=True)
        header = ttk.Frame(outer)
        header.pack(fill="x")
        logo = self.wizard.config["ui.logo"]
        if logo:
            try:
                self.logo = tk.PhotoImage(master=self.root, file=logo)
                ttk.Label(header, image=self.logo).pack(side="left", padx=(0, PAD))
            except tk.TclError:
                log.warning("The logo %s cannot be shown (PNG or GIF needed)", logo)
        self.title_label = ttk.Label(header, style="Title.TLabel")
        self.title_label.pack(side="left")
        self.lang_buttons = {}
        for lang in reversed(LANGUAGES):
            button = ttk.Button(header, width=8, command=partial(self.set_language, lang))
            button.pack(side="right", padx=(4, 0))
            self.lang_buttons[lang] = button
        self.step_label = ttk.Label(outer, style="Heading.TLabel")
        self.step_label.pack(fill="x", pady=(PAD, 0))
        ttk.Separator(outer).pack(fill="x", pady=(6, PAD))
        self.body = ttk.Frame(outer)
        self.body.pack(fill="both", expand=True)
        ttk.Separator(outer).pack(fill="x", pady=(PAD, 6))
        footer = ttk.Frame(outer)
        footer.pack(fill="x")
        self.hint_label = ttk.Label(footer, style="Small.TLabel", wraplength=460, justify="left")
        self.hint_label.pack(side="left", fill="x", expand=True)
        self.next_button = ttk.Button(footer, style="Accent.TButton", command=self.on_next)
        self.next_button.pack(side="right")
        self.back_button = ttk.Button(footer, command=self.on_back)
        self.back_button.pack(side="right", padx=(0, 8))

    def render(self) -> None:
        """Show the wizard's current step afresh (after a step change or language switch)."""
        w = self.wizard
        self.root.title(self.t("gui.window_title", vendor=w.config["vendor.name"]))
        self.title_label.configure(text=self.t("gui.title"))
        for lang, button in self.lang_buttons.items():
            button.configure(text=t("gui.language_name", lang))
            button.state(["disabled"] if lang == w.lang else ["!disabled"])
        number = min(ORDER.index(w.step) + 1, VISIBLE_STEPS)
        title = self.t(f"flow.title_{w.step.value}")
        self.step_label.configure(
            text=self.t("flow.step_title", number=number, total=VISIBLE_STEPS, title=title)
        )
        for child in self.body.winfo_children():
            child.destroy()
        self.view = steps.VIEWS[w.step](self, self.body)
        self.refresh_footer()
        self.view.focus_first()

    def refresh_footer(self) -> None:
        """Enable Next only when the step is complete, and say why not."""
        w = self.wizard
        missing = w.missing()
        self.hint_label.configure(text=self.t(missing[0]) if missing else "")
        next_key = {Step.NOTICE: "gui.confirm_and_send", Step.RESULT: "gui.finish"}.get(
            w.step, "gui.next"
        )
        self.next_button.configure(text=self.t(next_key))
        sending = w.step is Step.SENDING
        self.next_button.state(["disabled"] if (missing or sending) else ["!disabled"])
        self.back_button.configure(text=self.t("gui.back"))
        can_go_back = w.step in (Step.APPS, Step.NOTICE)
        self.back_button.state(["!disabled"] if can_go_back else ["disabled"])
        if w.step is Step.RESULT:
            self.back_button.pack_forget()

    # -- navigation -----------------------------------------------------------------------
    def _on_return(self, event: tk.Event) -> None:
        if isinstance(event.widget, ttk.Button | tk.Text):
            return  # a focused button handles Enter itself; text areas keep their keys
        if self.next_button.instate(["!disabled"]):
            self.on_next()

    def on_next(self) -> None:
        w = self.wizard
        if w.step is Step.RESULT:
            self.root.destroy()
            return
        try:
            w.next()
        except StepIncomplete:
            self.refresh_footer()
            return
        self.render()
        if w.step is Step.SENDING:
            self.start_sending()

    def on_back(self) -> None:
        if self.wizard.step is Step.SESSION:
            self.on_close()
            return
        self.wizard.back()
        self.render()

    def set_language(self, lang: str) -> None:
        self.wizard.lang = lang
        self.render()

    # -- background work ----------------------------------------------------------------------
    def run(
        self,
        name: str,
        job: Job,
        on_done: OnDone,
        on_error: OnError | None = None,
        on_progress: OnProgress | None = None,
    ) -> bool:
        """Run ``job`` in the worker (False if one of that name runs); errors default to
        the friendly dialog."""
        return self.worker.start(
            name, job, on_done, on_error or self._unexpected_in_job, on_progress
        )

    def _unexpected_in_job(self, exc: BaseException) -> None:
        self.on_unexpected(type(exc), exc, exc.__traceback__)

    def scan_now(self) -> None:
        """Scan in a worker unless one is running; re-scheduled every two seconds."""
        self.scan_soon()
        self._scan_after = self.root.after(SCAN_EVERY_MS, self.scan_now)

    def scan_soon(self) -> None:
        if self.wizard.step in (Step.SESSION, Step.APPS, Step.NOTICE):
            services = self.services  # a job must not hold the window
            self.run("scan", lambda _report: services.scan(), self.on_scan, self.on_scan_error)

    def on_scan(self, result: ScanResult) -> None:
        self.scan_failed = False
        if self.wizard.step in (Step.SESSION, Step.APPS, Step.NOTICE):
            self.wizard.apply_scan(result)
            if self.view is not None:
                self.view.on_scan(result)
            self.refresh_footer()

    def on_scan_error(self, _exc: BaseException) -> None:
        """Logged by the worker; the view says so and offers to try again."""
        self.scan_failed = True
        if self.view is not None:
            self.view.on_scan_failed()

    def start_sending(self) -> None:
        """The send sequence (``jobs.send``): its slow calls in the worker, the rest here."""
        self.worker.drive("send", jobs.send(self.wizard), self.render, self._send_failed)

    def _send_failed(self, exc: BaseException) -> None:
        from helper.intake import OutboxError

        if isinstance(exc, StepIncomplete):  # opened since confirming: back at the notice
            self.render()
            self.hint_label.configure(text=self.t(exc.missing[0]))
            return
        if not isinstance(exc, OutboxError):
            self._unexpected_in_job(exc)
            return
        # Not saved, so not sent: say why, and let the customer try again.
        messagebox.showerror(
            self.t("gui.error_title"), exc.message(self.wizard.lang), parent=self.root
        )
        self.wizard.step = Step.NOTICE
        self.render()

    # -- leaving --------------------------------------------------------------------------
    def on_close(self) -> None:
        """Closing mid-way asks once and sends nothing; at the end it just closes."""
        step = self.wizard.step
        if step is Step.RESULT:
            self.root.destroy()
            return
        key = "gui.quit_while_sending" if step is Step.SENDING else "gui.quit_question"
        if messagebox.askyesno(self.t("gui.quit_title"), self.t(key), parent=self.root):
            self.root.destroy()

    def on_unexpected(self, kind: type[BaseException], exc: BaseException, tb: Any) -> None:
        """Any unexpected error: logged in full, shown to the customer in plain words."""
        log.error("Unexpected error in the window", exc_info=(kind, exc, tb))
        messagebox.showerror(
            self.t("gui.error_title"),
            self.t("cli.unexpected", log=logs.log_file() or "-"),
            parent=self.root,
        )


def show_config_error(config: Config) -> None:
    """The configuration is invalid: say so in a dialog, as ``config check`` would
    (TclError: no display)."""
    from helper.ui.tk import boot

    root = boot.window()
    root.withdraw()
    messagebox.showerror(t("gui.error_title", config.language), config.explained(), parent=root)
    root.destroy()
