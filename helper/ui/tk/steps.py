"""What each step of the window shows. Views read and change the wizard on the Tk thread
only; anything slow goes through the window's worker.

The answers live in the wizard alone: a view's Tk variables start from them and write
every change straight back, so re-drawing (a language switch, Back) loses nothing.
"""

from __future__ import annotations

import tkinter as tk
from collections.abc import Callable, Mapping
from pathlib import Path
from tkinter import font as tkfont, messagebox, ttk
from typing import TYPE_CHECKING, Any, Protocol

from helper.apps.model import CloseStatus, DetectedApp, ScanResult
from helper.consent.choices import Authority
from helper.consent.session_id import format_session_id
from helper.flow import Step, Wizard, jobs
from helper.ui.tk.widgets import PAD, Link, ScrollFrame
from helper.ui.tk.worker import Job, OnDone, OnError, OnProgress

if TYPE_CHECKING:
    from helper.apps.catalogue import Catalogue
    from helper.flow.jobs import Closed

WRAP = 780


class Host(Protocol):
    """What a view needs of the window around it (``HelperWindow``), and no more."""

    @property
    def wizard(self) -> Wizard: ...
    @property
    def fonts(self) -> Mapping[str, tkfont.Font]: ...
    @property
    def next_button(self) -> ttk.Button: ...
    @property
    def scan_failed(self) -> bool: ...

    def t(self, key: str, **params: Any) -> str: ...
    def refresh_footer(self) -> None: ...
    def scan_soon(self) -> None: ...
    def on_scan(self, result: ScanResult) -> None: ...
    def run(
        self,
        name: str,
        job: Job,
        on_done: OnDone,
        on_error: OnError | None = None,
        on_progress: OnProgress | None = None,
    ) -> bool: ...


class StepView(ttk.Frame):
    """One step's content inside the window's body."""

    def __init__(self, host: Host, master: tk.Misc) -> None:
        super().__init__(master)
        self.host = host
        self.wizard = host.wizard
        self.t = host.t
        self.pack(fill="both", expand=True)
        self.first: tk.Widget | None = None
        self.build()

    def build(self) -> None:
        raise NotImplementedError

    def destroy(self) -> None:
        """Also let this view's Tk variables go, here on the Tk thread. A view is a cycle
        of widgets; left to a garbage collection that happens to run in a worker thread,
        a variable would call into Tcl from there."""
        super().destroy()
        for name, value in list(vars(self).items()):
            if isinstance(value, tk.Variable):
                delattr(self, name)

    def on_scan(self, result: ScanResult) -> None:
        """A fresh scan arrived; views that show applications update themselves."""

    def on_scan_failed(self) -> None:
        """The latest scan raised; the applications step says so."""

    def focus_first(self) -> None:
        if self.first is not None:
            self.first.focus_set()

    def paragraph(self, text: str, style: str = "TLabel") -> ttk.Label:
        label = ttk.Label(self, text=text, wraplength=WRAP, justify="left", style=style)
        label.pack(fill="x", anchor="w", pady=(0, PAD))
        return label


class SessionView(StepView):
    def build(self) -> None:
        cfg = self.wizard.config
        self.paragraph(self.t("gui.session_intro", vendor=cfg["vendor.name"]))
        if cfg["customer.company"] or cfg["customer.number"]:
            self.paragraph(
                self.t(
                    "flow.customer",
                    company=cfg["customer.company"] or "-",
                    number=cfg["customer.number"] or "-",
                )
            )
        form = ttk.Frame(self)
        form.pack(fill="x", anchor="w")
        ttk.Label(form, text=self.t("flow.ask_session_id")).grid(row=0, column=0, sticky="w")
        answers = self.wizard.answers
        self.session_var = tk.StringVar(self, value=answers.typed_session_id)
        self.contact_var = tk.StringVar(self, value=answers.contact_name)
        self.entry = ttk.Entry(
            form, textvariable=self.session_var, width=22, font=self.host.fonts["heading"]
        )
        self.entry.grid(row=0, column=1, sticky="w", padx=8)
        self.message = ttk.Label(form, wraplength=560, justify="left")
        self.message.grid(row=1, column=1, sticky="w", padx=8, pady=(4, 0))
        ttk.Label(
            form,
            text=self.t("gui.session_example"),
            style="Small.TLabel",
            wraplength=560,
            justify="left",
        ).grid(row=2, column=1, sticky="w", padx=8, pady=(4, 0))
        required = self.t("gui.required" if cfg["ui.require_contact_name"] else "gui.optional")
        ttk.Label(form, text=self.t("flow.ask_contact_name")).grid(
            row=3, column=0, sticky="w", pady=(PAD, 0)
        )
        contact_row = ttk.Frame(form)
        contact_row.grid(row=3, column=1, sticky="w", padx=8, pady=(PAD, 0))
        self.contact = ttk.Entry(contact_row, textvariable=self.contact_var, width=32)
        self.contact.pack(side="left")
        ttk.Label(contact_row, text=required, style="Small.TLabel").pack(side="left", padx=8)
        self.remote = ttk.Frame(self)
        self.remote.pack(fill="x", anchor="w", pady=(PAD * 2, 0))
        self.first = self.entry
        self.session_var.trace_add("write", lambda *_: self.validate())
        self.contact_var.trace_add("write", lambda *_: self.contact_changed())
        self.entry.bind("<FocusOut>", lambda _e: self.validate(final=True))
        self.validate(final=bool(self.session_var.get()))
        self.show_remote_support()

    def validate(self, final: bool = False) -> None:
        """Live validation: the message sits next to the field, never in a popup."""
        text = self.session_var.get()
        error = self.wizard.set_session_id(text)
        digits = sum(c.isdigit() for c in text)
        if not error:
            shown = format_session_id(self.wizard.answers.session_id)
            self.message.configure(text="✓ " + shown, style="Ok.TLabel")
        elif text.strip() and (final or digits >= 9):
            self.message.configure(text=self.t(error), style="Error.TLabel")
        else:
            self.message.configure(text="", style="TLabel")
        if self.message.cget("text"):
            self.message.grid()
        else:
            self.message.grid_remove()  # no empty gap between the field and the example
        self.host.refresh_footer()

    def contact_changed(self) -> None:
        self.wizard.set_contact_name(self.contact_var.get())
        self.host.refresh_footer()

    def show_remote_support(self) -> None:
        for child in self.remote.winfo_children():
            child.destroy()
        result = self.wizard.scan_result
        if result is None:
            ttk.Label(self.remote, text=self.t("flow.scanning"), style="Small.TLabel").pack(
                anchor="w"
            )
        elif result.remote_support_running:
            ttk.Label(
                self.remote, text="✓ " + self.t("gui.quicksupport_running"), style="Ok.TLabel"
            ).pack(anchor="w")
        else:
            ttk.Label(
                self.remote,
                text=self.t("gui.quicksupport_missing"),
                wraplength=WRAP,
                justify="left",
            ).pack(anchor="w")
            url = self.wizard.quicksupport_url()
            if url:
                Link(self.remote, self.t("gui.download_quicksupport"), url).pack(
                    anchor="w", pady=(4, 0)
                )

    def on_scan(self, result: ScanResult) -> None:
        if getattr(self, "_remote_shown", None) != result.remote_support_running:
            self._remote_shown = result.remote_support_running
            self.show_remote_support()


class AppsView(StepView):
    def build(self) -> None:
        from helper.apps.catalogue import load  # already loaded by the scan worker by now

        self.catalogue: Catalogue = load(self.wizard.config)
        self.paragraph(self.t("flow.apps_intro"))
        self.problem = ttk.Frame(self)  # shown while scanning fails
        ttk.Label(
            self.problem,
            text=self.t("gui.scan_failed"),
            style="Error.TLabel",
            wraplength=WRAP - 160,
            justify="left",
        ).pack(side="left", anchor="w")
        self.try_again = ttk.Button(self.problem, text=self.t("gui.try_again"), command=self.rescan)
        self.try_again.pack(side="right")
        self.list = ScrollFrame(self, height=280)
        self.list.pack(fill="both", expand=True)
        actions = ttk.Frame(self)
        actions.pack(fill="x", pady=(PAD, 0))
        self.close_button = ttk.Button(
            actions, text=self.t("gui.close_selected"), command=self.close_selected
        )
        self.close_button.pack(side="left")
        self.progress = ttk.Progressbar(actions, mode="indeterminate", length=160)
        self.status = ttk.Label(actions, wraplength=520, justify="left")
        self.status.pack(side="left", padx=PAD)
        self.outcomes = ttk.Label(self, wraplength=WRAP, justify="left")
        self.outcomes.pack(fill="x", anchor="w", pady=(6, 0))
        self.shown: tuple[tuple[str, bool], ...] | None = None
        self.first = self.close_button
        self.show_apps()
        if self.host.scan_failed:
            self.on_scan_failed()

    def on_scan(self, result: ScanResult) -> None:
        self.problem.pack_forget()
        self.show_apps()

    def on_scan_failed(self) -> None:
        self.problem.pack(fill="x", before=self.list, pady=(0, PAD))

    def rescan(self) -> None:
        """Try again: the message goes until this scan, too, fails."""
        self.problem.pack_forget()
        self.host.scan_soon()

    def show_apps(self) -> None:
        """Rebuild the rows only when the applications changed: no flicker, no lost selection."""
        apps = list(self.wizard.applications)
        key = tuple((a.id, self.wizard.is_kept_open(a)) for a in apps)
        if key == self.shown:
            return
        self.shown = key
        for child in self.list.inner.winfo_children():
            child.destroy()
        if self.wizard.scan_result is None:
            ttk.Label(self.list.inner, text=self.t("flow.scanning")).pack(anchor="w")
        elif not apps:
            ttk.Label(
                self.list.inner,
                text=self.t("flow.no_apps"),
                style="Ok.TLabel",
                wraplength=WRAP - 40,
            ).pack(anchor="w", pady=PAD)
        category = None
        for app in apps:
            if app.category != category:
                category = app.category
                ttk.Label(
                    self.list.inner,
                    style="Heading.TLabel",
                    text=self.catalogue.category_name(category, self.wizard.lang),
                ).pack(anchor="w", pady=(8, 2))
            self._row(app)
        closable = [a for a in apps if not self.wizard.is_kept_open(a)]
        self.close_button.state(["!disabled"] if closable else ["disabled"])
        self.show_outcomes()

    def _row(self, app: DetectedApp) -> None:
        row = ttk.Frame(self.list.inner)
        row.pack(fill="x", anchor="w", padx=(PAD, PAD), pady=(2, 4))
        row.columnconfigure(0, weight=1)
        reason = self.catalogue.reason(app.category, self.wizard.lang)
        if self.wizard.is_kept_open(app):
            ttk.Label(row, text=app.name).grid(row=0, column=0, sticky="w")
            ttk.Label(row, text=self.t("gui.kept_open"), style="Small.TLabel").grid(
                row=1, column=0, sticky="w"
            )
            if not app.keep_open:  # the customer's own choice can be undone, the setting's not
                ttk.Button(
                    row,
                    text=self.t("gui.close_after_all"),
                    command=lambda: self.set_kept_open(app, False),
                ).grid(row=0, column=1, rowspan=2, sticky="e")
            return
        var = tk.BooleanVar(self, value=app.id not in self.wizard.answers.deselected)
        check = ttk.Checkbutton(
            row,
            text=app.name,
            variable=var,
            command=lambda: self.wizard.set_selected(app.id, var.get()),
        )
        check.grid(row=0, column=0, sticky="w")
        from tktooltip import ToolTip  # imported on first use: it costs start-up time

        # Its own window is a child of the row, so it goes when the rows are rebuilt.
        ToolTip(
            check,
            msg=reason,
            delay=0.4,
            parent_kwargs={"master": row, "bg": "black", "padx": 1, "pady": 1},
        )
        ttk.Label(row, text=_short(reason), style="Small.TLabel", wraplength=WRAP - 220).grid(
            row=1, column=0, sticky="w", padx=(24, 0)
        )
        ttk.Button(
            row, text=self.t("gui.keep_open"), command=lambda: self.set_kept_open(app, True)
        ).grid(row=0, column=1, rowspan=2, sticky="e")

    def set_kept_open(self, app: DetectedApp, kept: bool) -> None:
        """As the wizard's, after asking whether the customer really keeps it open."""
        if kept and not messagebox.askyesno(
            self.t("gui.keep_open"), self.t("gui.keep_open_confirm", name=app.name), parent=self
        ):
            return
        self.wizard.set_kept_open(app.id, kept)
        self.show_apps()

    def close_selected(self) -> None:
        chosen = self.wizard.selected()
        if not chosen:
            self.status.configure(text=self.t("gui.select_something"))
            return
        names = {a.id: a.name for a in chosen}
        services = self.wizard.services

        def job(report: Callable[..., None]) -> Closed:  # worker thread
            def progress(app_id: str, status: CloseStatus | None) -> None:
                report(names.get(app_id, app_id), status)

            return jobs.close_then_rescan(services, chosen, progress)

        started = self.host.run("close", job, self._closed, self._close_failed, self._progress)
        if started:
            self.close_button.state(["disabled"])
            self.progress.pack(side="left", after=self.close_button, padx=(PAD, 0))
            self.progress.start(12)
            self.status.configure(text=self.t("gui.closing", count=len(chosen)))

    def _progress(self, name: str, status: CloseStatus | None) -> None:
        if not self.winfo_exists():
            return
        if status is None:
            self.status.configure(text=self.t("flow.closing", name=name))

    def _closed(self, closed: Closed) -> None:
        self.wizard.apply_closed(closed)
        self._idle()
        self.host.on_scan(closed.scan)  # to whichever view shows now (a redraw makes a new one)

    def _close_failed(self, exc: BaseException) -> None:
        self._idle()
        raise exc  # to the window's friendly dialog (report_callback_exception)

    def _idle(self) -> None:
        if not self.winfo_exists():
            return
        self.progress.stop()
        self.progress.pack_forget()
        self.status.configure(text="")
        self.close_button.state(["!disabled"])

    def show_outcomes(self) -> None:
        w = self.wizard
        self.outcomes.configure(
            text="\n".join(
                self.t(f"flow.close_{status.value}", name=w.closed_names[app_id])
                for app_id, status in w.close_results.items()
            )
        )


def _short(reason: str, limit: int = 110) -> str:
    first = reason.split(". ")[0].rstrip(".")
    return first if len(first) <= limit else first[: limit - 1] + "…"


class NoticeView(StepView):
    def build(self) -> None:
        notice = self.wizard.notice()
        frame = ttk.Frame(self)
        frame.pack(fill="both", expand=True)
        text = tk.Text(
            frame,
            wrap="word",
            height=12,
            padx=10,
            pady=8,
            relief="solid",
            borderwidth=1,
            font=self.host.fonts["small"],
        )
        bar = ttk.Scrollbar(frame, orient="vertical", command=text.yview)
        text.configure(yscrollcommand=bar.set)
        text.pack(side="left", fill="both", expand=True)
        bar.pack(side="right", fill="y")
        text.tag_configure("heading", font=self.host.fonts["heading"], spacing1=8, spacing3=4)
        for line in notice.text.split("\n"):
            if line.startswith("# "):
                text.insert("end", line[2:] + "\n", "heading")
            else:
                text.insert("end", line + "\n")
        text.configure(state="disabled")
        self.text = text
        links = ttk.Frame(self)
        links.pack(fill="x", pady=(6, 0))
        cfg = self.wizard.config
        for key, setting in (
            ("gui.dpa_link", "notice.dpa_url"),
            ("gui.terms_link", "notice.terms_url"),
        ):
            if cfg[setting]:
                Link(links, self.t(key), cfg[setting]).pack(side="left", padx=(0, PAD * 2))
        given = self.wizard.answers
        self.accept_var = tk.BooleanVar(self, value=given.notice_accepted)
        self.authority_var = tk.StringVar(self, value=given.authority)
        self.open_confirmed_var = tk.BooleanVar(self, value=bool(given.open_confirmed))
        answers = ttk.Frame(self)
        answers.pack(fill="x", pady=(PAD, 0))
        accept = ttk.Checkbutton(
            answers,
            text=self.t("gui.accept_notice"),
            variable=self.accept_var,
            command=self.changed,
        )
        accept.pack(anchor="w")
        ttk.Label(
            answers, text=self.t("gui.authority_question"), wraplength=WRAP, justify="left"
        ).pack(anchor="w", pady=(8, 2))
        for authority in Authority:
            ttk.Radiobutton(
                answers,
                text=self.t(f"gui.authority_{authority.value}"),
                value=authority.value,
                variable=self.authority_var,
                command=self.changed,
            ).pack(anchor="w", padx=(PAD, 0))
        self.open_frame = ttk.Frame(answers)
        self.open_frame.pack(fill="x", anchor="w", pady=(8, 0))
        self.open_key: tuple[str, ...] | None = None
        self.first = accept
        self.show_open_apps()

    def changed(self) -> None:
        self.wizard.accept_notice(self.accept_var.get())
        if self.authority_var.get():
            self.wizard.set_authority(self.authority_var.get())
        self.wizard.set_open_confirmed(self.open_confirmed_var.get())
        self.host.refresh_footer()

    def show_open_apps(self) -> None:
        """The applications open now, to confirm leaving them open; redrawn when they change."""
        apps = self.wizard.applications
        key = tuple(a.id for a in apps)
        if key == self.open_key:
            return
        self.open_key = key
        for child in self.open_frame.winfo_children():
            child.destroy()
        if not apps:
            return
        if not self.wizard.is_open_confirmed:
            self.open_confirmed_var.set(False)
        names = ", ".join(a.name for a in apps)
        ttk.Label(
            self.open_frame,
            text=self.t("gui.open_apps", names=names),
            wraplength=WRAP,
            justify="left",
        ).pack(anchor="w")
        ttk.Checkbutton(
            self.open_frame,
            text=self.t("gui.open_confirmed"),
            variable=self.open_confirmed_var,
            command=self.changed,
        ).pack(anchor="w", pady=(2, 0))

    def on_scan(self, result: ScanResult) -> None:
        self.show_open_apps()


class SendingView(StepView):
    def build(self) -> None:
        self.paragraph(self.t("flow.sending"))
        bar = ttk.Progressbar(self, mode="indeterminate", length=320)
        bar.pack(anchor="w")
        bar.start(12)


class ResultView(StepView):
    def build(self) -> None:
        w = self.wizard
        delivery = w.result
        assert delivery is not None, "the result step comes only after sending"
        state = delivery.state.value
        style = {"delivered": "Ok.TLabel", "rejected": "Error.TLabel"}.get(state, "Heading.TLabel")
        self.paragraph(self.t(f"flow.result_{state}"), style=style)
        self.message = delivery.message(w.lang)
        self.paragraph(self.message)
        self.paragraph(self.t("flow.read_out"))
        self.session_text = format_session_id(w.answers.session_id)
        ttk.Label(self, text=self.session_text, style="Huge.TLabel").pack(anchor="w", pady=PAD)
        buttons = ttk.Frame(self)
        buttons.pack(fill="x", pady=(PAD, 0))
        copy = ttk.Button(buttons, text=self.t("gui.copy"), command=self.copy)
        copy.pack(side="left")
        ttk.Button(buttons, text=self.t("gui.save_receipt"), command=self.save).pack(
            side="left", padx=8
        )
        self.feedback = ttk.Label(buttons, style="Small.TLabel")
        self.feedback.pack(side="left", padx=PAD)
        self.first = self.host.next_button

    def receipt_text(self) -> str:
        return "\n".join(
            [
                self.t("gui.title"),
                "",
                self.message,
                "",
                self.t("flow.read_out"),
                self.session_text,
                "",
            ]
        )

    def copy(self) -> None:
        self.clipboard_clear()
        self.clipboard_append(self.receipt_text())
        self.feedback.configure(text=self.t("gui.copied"))

    def save(self) -> None:
        from tkinter import filedialog

        path = filedialog.asksaveasfilename(
            parent=self,
            defaultextension=".txt",
            initialfile=self.t("gui.receipt_file_name"),
            filetypes=[(self.t("gui.text_files"), "*.txt")],
        )
        if not path:
            return
        try:
            Path(path).write_text(self.receipt_text(), encoding="utf-8")
        except OSError as exc:
            messagebox.showerror(
                self.t("gui.error_title"),
                self.t("gui.save_failed", reason=exc.strerror or str(exc)),
                parent=self,
            )
            return
        self.feedback.configure(text=self.t("gui.saved", path=path))


VIEWS: dict[Step, type[StepView]] = {
    Step.SESSION: SessionView,
    Step.APPS: AppsView,
    Step.NOTICE: NoticeView,
    Step.SENDING: SendingView,
    Step.RESULT: ResultView,
}
