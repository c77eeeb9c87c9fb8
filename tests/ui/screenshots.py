"""Screenshots of every step of the window, in German and English, under Xvfb.

    .venv/bin/python -m tests.ui.screenshots docs/screenshots

Starts its own Xvfb (1366x768, a common laptop screen) unless DISPLAY is set, runs
harmless programs under catalogue names so the applications step has content, and sends
to a real loopback HTTPS server. Needs ImageMagick's ``import``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import tkinter as tk
from pathlib import Path

NAMES = ("thunderbird", "firefox", "keepassxc", "soffice.bin")


def settle(root: tk.Misc, seconds: float = 0.6) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        root.update()
        time.sleep(0.02)


def shoot(root: tk.Tk, path: Path) -> None:
    settle(root)
    frame = root.wm_frame()
    # 256 colours without dithering: the window has few, and the PNG is half the size.
    subprocess.run(
        ["import", "-window", frame, "-dither", "None", "-colors", "256", f"PNG8:{path}"],
        check=True,
    )
    print(path)


def run(out: Path, lang: str, server: object, bin_dir: Path) -> None:
    from helper import config
    from helper.flow import Step, Wizard
    from helper.flow.services import LocalServices
    from helper.ui.tk.app import HelperWindow
    from tests.ui.conftest import find, pump_until

    cfg = config.load(
        cli=[
            *server.settings(),
            ("customer.company", "Praxis Dr. Beispiel"),  # type: ignore[attr-defined]
            ("customer.number", "K-10442"),
        ]
    )
    root = tk.Tk()
    root.geometry("860x660+0+0")
    services = LocalServices(cfg)
    window = HelperWindow(root, Wizard(cfg, services, lang=lang), services)
    pump_until(root, lambda: window.wizard.scan_result is not None)
    window.view.session_var.set("12 34")  # type: ignore[union-attr]
    window.view.validate(final=True)  # type: ignore[union-attr]
    shoot(root, out / f"{lang}-1-session-invalid.png")
    window.view.session_var.set("123 456 789")  # type: ignore[union-attr]
    shoot(root, out / f"{lang}-1-session.png")
    window.on_next()
    pump_until(root, lambda: len(window.wizard.applications) >= len(NAMES))
    window.wizard.set_kept_open("keepassxc")
    window.view.show_apps()  # type: ignore[union-attr]
    shoot(root, out / f"{lang}-2-apps.png")
    window.on_next()
    window.view.accept_var.set(True)  # type: ignore[union-attr]
    window.view.authority_var.set("owner")  # type: ignore[union-attr]
    window.view.changed()  # type: ignore[union-attr]
    shoot(root, out / f"{lang}-3-notice.png")
    window.view.open_confirmed_var.set(True)  # type: ignore[union-attr]
    window.view.changed()  # type: ignore[union-attr]
    find(root, window.t("gui.confirm_and_send")).invoke()  # type: ignore[attr-defined]
    pump_until(root, lambda: window.wizard.step is Step.RESULT)
    shoot(root, out / f"{lang}-4-result.png")
    root.destroy()


def main() -> None:
    from tests.intake.server import IntakeServer, make_tls

    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    xvfb = None
    if "DISPLAY" not in os.environ:
        xvfb = subprocess.Popen(
            ["Xvfb", ":93", "-screen", "0", "1366x768x24"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.environ["DISPLAY"] = ":93"
        time.sleep(1)
    temp = Path(tempfile.mkdtemp())
    for name in ("HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CONFIG_HOME"):
        os.environ[name] = str(temp / name.lower())
    os.environ["XDG_CONFIG_DIRS"] = str(temp / "etc")
    procs = []
    try:
        bin_dir = temp / "bin"
        bin_dir.mkdir()
        for name in NAMES:
            shutil.copy("/bin/sleep", bin_dir / name)
            procs.append(subprocess.Popen([str(bin_dir / name), "600"]))
        with IntakeServer(make_tls(temp)) as server:
            for lang in ("de", "en"):
                run(out, lang, server, bin_dir)
    finally:
        for proc in procs:
            proc.terminate()  # this script's own stand-in programs
            proc.wait()
        shutil.rmtree(temp, ignore_errors=True)
        if xvfb is not None:
            xvfb.terminate()


if __name__ == "__main__":
    main()
