"""Authenticode signing of the executables and the MSI, configured only by environment.

Signed programs are flagged by antivirus software and SmartScreen far less often than
unsigned ones, so every release build should be signed. Two ways, chosen by variables:

- ``INTELLEKTA_SIGN_THUMBPRINT`` (Windows): the certificate is in the Windows store or on
  a hardware token (required for code-signing keys issued since 2023); ``signtool`` finds
  it by its SHA-1 thumbprint and needs no password from us.
- ``INTELLEKTA_SIGN_PFX`` + ``INTELLEKTA_SIGN_PASSWORD_FILE`` (any OS): a PKCS#12 file and a
  file holding its password, used by ``osslsigncode``, which reads the password from the
  file itself. The password is never on a command line, in the environment of a child
  or in a log.

``INTELLEKTA_SIGN_TIMESTAMP_URL`` names an RFC 3161 time-stamp server (default below;
set it empty to skip, e.g. offline). Without a certificate the build stays unsigned and
:func:`warn_unsigned` says so loudly.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_TIMESTAMP_URL = "http://timestamp.digicert.com"
DESCRIPTION = "intellekta Fernwartungs-Helfer"
INFO_URL = "https://www.intellekta.de/"


class SignError(Exception):
    """Signing was configured but failed; the message says which file and why."""


@dataclass(frozen=True)
class SignConfig:
    """Where the certificate is; never the password itself."""

    pfx: Path | None = None
    password_file: Path | None = None
    thumbprint: str = ""
    timestamp_url: str = DEFAULT_TIMESTAMP_URL


def from_environment(env: Mapping[str, str] | None = None) -> SignConfig | None:
    """The signing configuration, or None when the build is to stay unsigned."""
    env = os.environ if env is None else env
    timestamp = env.get("INTELLEKTA_SIGN_TIMESTAMP_URL", DEFAULT_TIMESTAMP_URL)
    if env.get("INTELLEKTA_SIGN_THUMBPRINT"):
        return SignConfig(thumbprint=env["INTELLEKTA_SIGN_THUMBPRINT"], timestamp_url=timestamp)
    if not env.get("INTELLEKTA_SIGN_PFX"):
        return None
    pfx = Path(env["INTELLEKTA_SIGN_PFX"])
    password_file = Path(env.get("INTELLEKTA_SIGN_PASSWORD_FILE", ""))
    if not pfx.is_file():
        raise SignError(f"INTELLEKTA_SIGN_PFX: no such file: {pfx}")
    if not env.get("INTELLEKTA_SIGN_PASSWORD_FILE") or not password_file.is_file():
        raise SignError("INTELLEKTA_SIGN_PASSWORD_FILE must name the file holding the password")
    return SignConfig(pfx=pfx, password_file=password_file, timestamp_url=timestamp)


def command(config: SignConfig, source: Path, target: Path) -> list[str]:
    """The signing command for one file; contains paths only, never the password."""
    if config.thumbprint:
        signtool = shutil.which("signtool") or "signtool"
        cmd = [
            signtool,
            "sign",
            "/sha1",
            config.thumbprint,
            "/fd",
            "sha256",
            "/d",
            DESCRIPTION,
            "/du",
            INFO_URL,
        ]
        if config.timestamp_url:
            cmd += ["/tr", config.timestamp_url, "/td", "sha256"]
        return [*cmd, str(source)]  # signtool signs in place: source is target
    tool = shutil.which("osslsigncode") or "osslsigncode"
    cmd = [
        tool,
        "sign",
        "-pkcs12",
        str(config.pfx),
        "-readpass",
        str(config.password_file),
        "-h",
        "sha256",
        "-n",
        DESCRIPTION,
        "-i",
        INFO_URL,
    ]
    if config.timestamp_url:
        cmd += ["-ts", config.timestamp_url]
    return [*cmd, "-in", str(source), "-out", str(target)]


def sign(paths: Iterable[Path], config: SignConfig) -> None:
    """Sign each file in place. Raises :class:`SignError` on the first failure."""
    for path in paths:
        target = path.with_name(path.name + ".signed") if not config.thumbprint else path
        cmd = command(config, path, target)
        log.info("signing %s", path)
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            if target != path:
                target.unlink(missing_ok=True)
            raise SignError(f"signing {path} failed: {result.stdout}{result.stderr}".strip())
        if target != path:
            os.replace(target, path)


def warn_unsigned(paths: Iterable[Path]) -> None:
    """The visible warning of an unsigned build, on stderr and in the log."""
    names = ", ".join(p.name for p in paths)
    banner = "!" * 78
    message = (
        f"{banner}\nWARNING: UNSIGNED build ({names}).\n"
        "Antivirus software and Windows SmartScreen may warn about or block unsigned "
        "programs.\nTo sign, set INTELLEKTA_SIGN_THUMBPRINT (Windows certificate store) or "
        "INTELLEKTA_SIGN_PFX and INTELLEKTA_SIGN_PASSWORD_FILE.\n" + banner
    )
    log.warning("unsigned build: %s", names)
    print(message, file=sys.stderr)


def sign_or_warn(paths: list[Path], env: Mapping[str, str] | None = None) -> bool:
    """Sign ``paths`` when a certificate is configured, else warn; True when signed."""
    config = from_environment(env)
    if config is None:
        warn_unsigned(paths)
        return False
    sign(paths, config)
    return True
