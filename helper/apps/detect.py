"""Finding the running applications of the catalogue: one entry per application.

One pass of ``psutil.process_iter`` with only the attributes the platform needs matches
every process against the catalogue (a dict look-up per name). Only the few processes
that matched are then examined further: whose they are, whether they are zombies, their
parent and start time. Grouping happens by rule, so a browser with 30 processes is one
entry; its main process is the top-most ancestor within that group.

Excluded on purpose: processes of other users (on Windows: of other logon sessions),
the helper itself and its parent chain (with the rest of the application instance that
started it), and remote-support tools, whose presence is only reported.

psutil's exceptions never leave this module: a process that vanishes, is a zombie or
may not be inspected simply is not a running application of this user.
"""

from __future__ import annotations

import contextlib
import logging
import os
import plistlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import psutil

from helper.apps import catalogue as catalogue_module
from helper.apps.catalogue import Catalogue, Matcher, Rule
from helper.apps.model import DetectedApp, ProcessRef, ScanResult
from helper.platforms import platform_name

if TYPE_CHECKING:
    from helper.config import Config

log = logging.getLogger(__name__)

#: Decides whether a process belongs to the user at this screen.
Owner = Callable[[psutil.Process], bool]
#: Turns (name, executable path, command line) into the names to look up.
KeyMaker = Callable[[str, str, Sequence[str]], list[str]]


def _basename(path: str) -> str:
    return path.rpartition("/")[2].rpartition("\\")[2]


def windows_keys(name: str, exe: str, cmdline: Sequence[str]) -> list[str]:
    """On Windows psutil's process name is the executable's file name."""
    return [name]


def linux_keys(name: str, exe: str, cmdline: Sequence[str]) -> list[str]:
    """The name, the executable's file name and argv[0]'s: the name alone may be cut to
    15 characters or changed by the program (Firefox names its children "Web Content")."""
    keys = [name]
    if exe:
        keys.append(_basename(exe.removesuffix(" (deleted)")))  # replaced by an update
    if cmdline:
        argv0 = cmdline[0]
        keys.append(_basename(argv0))
        head = argv0.split(" ", 1)[0]  # Chromium rewrites argv into one string
        if head != argv0:
            keys.append(_basename(head))
    return keys


def macos_keys(name: str, exe: str, cmdline: Sequence[str]) -> list[str]:
    """The name, plus the outermost application bundle around the executable: its
    ``.app`` name and bundle identifier, so helper apps inside it count as the app."""
    keys = [name]
    bundle = outermost_bundle(exe or (cmdline[0] if cmdline else ""))
    if bundle:
        keys.append(_basename(bundle))
        keys.append(bundle_identifier(bundle))
    return keys


def outermost_bundle(path: str) -> str:
    """``/Applications/Foo.app`` for any path inside it; ``""`` outside any bundle."""
    end = path.find(".app/")
    return path[: end + 4] if end > 0 else ""


@lru_cache(maxsize=512)
def bundle_identifier(bundle: str) -> str:
    """CFBundleIdentifier from the bundle's Info.plist; ``""`` if it cannot be read."""
    try:
        with open(os.path.join(bundle, "Contents", "Info.plist"), "rb") as file:
            value = plistlib.load(file).get("CFBundleIdentifier", "")
    except (OSError, ValueError, plistlib.InvalidFileException, AttributeError):
        return ""
    return value if isinstance(value, str) else ""


def posix_owner() -> Owner:
    """Processes whose real user id is ours."""
    uid = os.getuid()
    return lambda proc: proc.uids().real == uid


def windows_owner(session_of: Callable[[int], int | None]) -> Owner:
    """Processes in our logon session, as ``session_of`` reports it (see _winsession)."""
    current = session_of(os.getpid())
    if current is not None:
        return lambda proc: session_of(proc.pid) == current
    log.warning("Own logon session unknown; comparing user names instead")
    try:
        user = psutil.Process().username()
    except (psutil.Error, OSError):
        # Listing a program too many is better than hiding the customer's mail program.
        log.warning("Own user name unknown too; listing the matches of every user")
        return lambda proc: True
    return lambda proc: proc.username() == user


@dataclass(frozen=True)
class _Platform:
    name: str
    attrs: tuple[str, ...]  # what process_iter fetches for every process
    keys: KeyMaker
    owner: Callable[[], Owner]


def _platform(name: str) -> _Platform:
    """Every platform difference of the scanner, chosen here and only here."""
    if name == "windows":
        from helper.apps import _winsession

        # exe and command line are costly on Windows: fetched later, only when needed.
        return _Platform(
            name, ("name",), windows_keys, lambda: windows_owner(_winsession.session_of)
        )
    if name == "macos":
        return _Platform(name, ("name", "exe", "cmdline"), macos_keys, posix_owner)
    return _Platform(name, ("name", "exe", "cmdline"), linux_keys, posix_owner)


def iter_attrs(platform: str | None = None) -> tuple[str, ...]:
    """The attributes the scan asks ``process_iter`` for (the benchmark's floor uses them)."""
    return _platform(platform or platform_name()).attrs


@dataclass(frozen=True)
class _Hit:
    proc: psutil.Process
    rule: Rule
    exe: str


@dataclass(frozen=True)
class _Proc:
    proc: psutil.Process
    rule: Rule
    exe: str
    ppid: int
    create_time: float

    @property
    def pid(self) -> int:
        return self.proc.pid


def _match_all(matcher: Matcher, platform: _Platform) -> list[_Hit]:
    hits: list[_Hit] = []
    lazy = platform.name == "windows" and matcher.has_patterns
    try:
        for proc in psutil.process_iter(attrs=list(platform.attrs), ad_value=None):
            info = proc.info
            name, exe = info.get("name") or "", info.get("exe") or ""
            cmdline = info.get("cmdline") or []
            rule = matcher.by_name(platform.keys(name, exe, cmdline))
            if rule is None and platform.name == "linux":
                rule = matcher.by_truncated_name(name)
            if rule is None and matcher.has_patterns:
                if lazy:
                    exe, cmdline = _exe_and_cmdline(proc)
                rule = matcher.by_pattern(exe, " ".join(cmdline))
            if rule is not None:
                hits.append(_Hit(proc, rule, exe))
    except (psutil.Error, OSError):
        log.warning("Listing processes failed part-way; the result may lack some", exc_info=True)
    return hits


def _exe_and_cmdline(proc: psutil.Process) -> tuple[str, list[str]]:
    try:
        exe = proc.exe()
    except (psutil.Error, OSError):
        exe = ""
    try:
        cmdline = proc.cmdline()
    except (psutil.Error, OSError):
        cmdline = []
    return exe, cmdline


def _describe(hits: list[_Hit], owned: Owner) -> list[_Proc]:
    """The matched processes that run for this user, with parent and start time."""
    procs: list[_Proc] = []
    for hit in hits:
        try:
            with hit.proc.oneshot():
                if not owned(hit.proc) or hit.proc.status() == psutil.STATUS_ZOMBIE:
                    continue
                procs.append(
                    _Proc(hit.proc, hit.rule, hit.exe, hit.proc.ppid(), hit.proc.create_time())
                )
        except (psutil.Error, OSError):  # gone, a zombie, or not ours to inspect
            continue
    return procs


def own_lineage() -> set[int]:
    """This process and its ancestors: never listed (closing them could end the helper)."""
    pids = {os.getpid()}
    with contextlib.suppress(psutil.Error, OSError):
        pids.update(parent.pid for parent in psutil.Process().parents())
    return pids


def _without_lineage(members: list[_Proc], lineage: set[int]) -> list[_Proc]:
    """Drops lineage processes and, with them, the rest of their application instance."""
    by_pid = {p.pid: p for p in members}

    def started_us(proc: _Proc) -> bool:
        seen: set[int] = set()
        current: _Proc | None = proc
        while current is not None and current.pid not in seen:  # pid reuse can loop
            if current.pid in lineage:
                return True
            seen.add(current.pid)
            current = by_pid.get(current.ppid)
        return False

    kept = [p for p in members if not started_us(p)]
    if len(kept) < len(members):
        log.info("Not listing %s: it started this helper", members[0].rule.id)
    return kept


def _main_process(members: list[_Proc]) -> _Proc:
    """The top-most ancestor in the group; of several, the one started first."""
    pids = {p.pid for p in members}
    roots = [p for p in members if p.ppid not in pids] or members
    return min(roots, key=lambda p: (p.create_time, p.pid))


def _main_exe(main: _Proc) -> str:
    if main.exe:
        return main.exe
    try:
        return main.proc.exe()
    except (psutil.Error, OSError):
        return ""


def scan(
    config: Config, catalogue: Catalogue | None = None, *, platform: str | None = None
) -> ScanResult:
    """The running applications of the catalogue, sorted by category then name.

    ``catalogue`` defaults to :func:`catalogue.load(config) <helper.apps.catalogue.load>`;
    ``platform`` lets tests match as on another system (POSIX ones only). Never raises
    for process trouble; takes tens of milliseconds. Thread-safe.
    """
    started = time.perf_counter()
    catalogue = catalogue or catalogue_module.load(config)
    plat = _platform(platform or platform_name())
    hits = _match_all(catalogue.matcher(plat.name), plat)
    procs = _describe(hits, plat.owner())
    lineage = own_lineage()
    keep = {str(k).strip().casefold() for k in config["apps.keep_open"]}

    groups: dict[str, list[_Proc]] = {}
    for proc in procs:
        groups.setdefault(proc.rule.id, []).append(proc)
    apps: list[DetectedApp] = []
    remote_support = False
    for members in groups.values():
        rule = members[0].rule
        kept = _without_lineage(members, lineage)
        if not kept:
            continue
        if catalogue.is_hidden(rule):
            remote_support = remote_support or rule.support_tool
            continue
        main = _main_process(kept)
        apps.append(
            DetectedApp(
                id=rule.id,
                name=rule.name,
                category=rule.category,
                processes=tuple(
                    sorted(
                        (ProcessRef(p.pid, p.create_time) for p in kept), key=lambda ref: ref.pid
                    )
                ),
                main_pid=main.pid,
                keep_open=rule.id.casefold() in keep or rule.name.casefold() in keep,
                exe=_main_exe(main),
            )
        )
    apps.sort(key=lambda a: (catalogue.category_order(a.category), a.name.casefold(), a.id))
    log.info(
        "Scan found %d application(s) in %d process(es), remote support %s, %.0f ms",
        len(apps),
        sum(len(a.processes) for a in apps),
        "running" if remote_support else "not running",
        (time.perf_counter() - started) * 1000,
    )
    return ScanResult(tuple(apps), remote_support)
