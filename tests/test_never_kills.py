"""Nothing in the helper can end another program: its source never names a way to.

The check reads every module of ``helper/`` as Python tokens rather than plain text, so
prose that mentions a signal (a docstring explaining crash safety, say) is allowed,
while every use in code is caught: ``os.kill``, ``proc.kill()``, ``proc.terminate()``,
``killpg``, ``SIGKILL``/``SIGTERM``, the Win32 call ``TerminateProcess``, X11's
``kill_client``, ``send_signal``, and command lines such as ``taskkill`` or ``pkill``.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

HELPER = Path(__file__).resolve().parents[1] / "helper"

#: Names that have no use here other than ending a process.
FORBIDDEN_NAMES = frozenset(
    {
        "SIGKILL",
        "SIGTERM",
        "TerminateProcess",
        "NtTerminateProcess",
        "killpg",
        "kill_client",
        "XKillClient",
        "send_signal",
        "taskkill",
        "kill",
    }
)
#: Attributes forbidden after a dot: psutil's and Popen's terminate().
FORBIDDEN_ATTRIBUTES = frozenset({"terminate"})
#: A string literal that starts with one of these is a command line or a looked-up name.
FORBIDDEN_STRING = re.compile(
    r"^\W*(taskkill|pkill|killall|kill|terminate|TerminateProcess|SIGKILL|SIGTERM)\b"
)


def offences(source: str) -> list[str]:
    """Every forbidden use in ``source``, as ``line: token``."""
    found: list[str] = []
    previous = ""
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.NAME and (
            token.string in FORBIDDEN_NAMES
            or (previous == "." and token.string in FORBIDDEN_ATTRIBUTES)
        ):
            found.append(f"{token.start[0]}: {token.string}")
        elif token.type == tokenize.STRING:
            text = token.string.lstrip("rbuf" + "RBUF").strip("\"'")
            if FORBIDDEN_STRING.match(text):
                found.append(f"{token.start[0]}: {token.string}")
        if token.type not in (tokenize.COMMENT, tokenize.NL):
            previous = token.string
    return found


def test_no_module_of_the_helper_can_end_a_process() -> None:
    modules = sorted(HELPER.rglob("*.py"))
    assert len(modules) > 10
    hits = [
        f"{path.relative_to(HELPER.parent)}:{offence}"
        for path in modules
        for offence in offences(path.read_text("utf-8"))
    ]
    assert hits == []


@pytest.mark.parametrize(
    "code",
    [
        "os.kill(pid, 9)",
        "os . kill(pid, signal.SIGINT)",
        "psutil.Process(pid).kill()",
        "proc.terminate()",
        "os.killpg(group, 1)",
        "from os import getpid, kill",
        "signal.SIGKILL",
        "from signal import SIGTERM",
        "ctypes.windll.kernel32.TerminateProcess(handle, 1)",
        "getattr(kernel32, 'TerminateProcess')",
        "subprocess.run(['taskkill', '/F', '/PID', str(pid)])",
        "subprocess.run(f'kill -9 {pid}', shell=True)",
        "subprocess.run(['pkill', name])",
        "display.kill_client(window)",
        "proc.send_signal(sig)",
    ],
)
def test_the_check_catches_every_way_to_end_a_process(code: str) -> None:
    assert offences(code + "\n")


def test_the_check_lets_prose_about_signals_pass() -> None:
    prose = '"""Written atomically, so a crash (SIGKILL, a power cut) leaves no half file."""\n'
    assert offences(prose + "# never SIGTERM: editors would lose work\nskill = 1\n") == []
