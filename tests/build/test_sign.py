"""Signing with a real (self-signed) code-signing certificate and osslsigncode."""

from __future__ import annotations

import datetime
import logging
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from build_scripts import msi, sign

PASSWORD = "correct horse battery staple"


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A self-signed code-signing certificate: (PFX, password file, PEM certificate)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "intellekta test signing")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
        .sign(key, hashes.SHA256())
    )
    pfx = tmp_path / "sign.pfx"
    encryption = serialization.BestAvailableEncryption(PASSWORD.encode())
    pfx.write_bytes(pkcs12.serialize_key_and_certificates(b"t", key, cert, None, encryption))
    password_file = tmp_path / "password.txt"
    password_file.write_text(PASSWORD)
    pem = tmp_path / "cert.pem"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return pfx, password_file, pem


def _env(pfx: Path, password_file: Path) -> dict[str, str]:
    return {
        "INTELLEKTA_SIGN_PFX": str(pfx),
        "INTELLEKTA_SIGN_PASSWORD_FILE": str(password_file),
        "INTELLEKTA_SIGN_TIMESTAMP_URL": "",
    }


@pytest.mark.skipif(
    not all(shutil.which(t) for t in ("wixl", "msiinfo", "osslsigncode")),
    reason="needs wixl, msiinfo and osslsigncode",
)
def test_signs_an_msi_without_the_password_in_logs(
    tmp_path: Path, certificate: tuple[Path, Path, Path], caplog: pytest.LogCaptureFixture
) -> None:
    pfx, password_file, pem = certificate
    payload = tmp_path / "payload"
    payload.mkdir()
    (payload / "intellekta-helper.exe").write_bytes(b"MZ stand-in")
    package = msi.build_msi(payload, tmp_path / "t.msi", "1.2.3", tmp_path / "work")
    caplog.set_level(logging.DEBUG)
    assert sign.sign_or_warn([package], _env(pfx, password_file)) is True
    verify = subprocess.run(
        ["osslsigncode", "verify", "-CAfile", str(pem), "-in", str(package)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "intellekta test signing" in verify.stdout
    assert PASSWORD not in caplog.text


def test_command_names_the_password_file_never_the_password(
    certificate: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    pfx, password_file, _ = certificate
    config = sign.from_environment(_env(pfx, password_file))
    assert config is not None
    command = sign.command(config, tmp_path / "a.exe", tmp_path / "b.exe")
    assert str(password_file) in command
    assert not any(PASSWORD in part for part in command)


def test_thumbprint_uses_signtool_with_timestamp(tmp_path: Path) -> None:
    config = sign.from_environment({"INTELLEKTA_SIGN_THUMBPRINT": "AB12"})
    assert config is not None
    command = sign.command(config, tmp_path / "a.exe", tmp_path / "a.exe")
    assert command[1:4] == ["sign", "/sha1", "AB12"]
    assert command[command.index("/tr") + 1] == sign.DEFAULT_TIMESTAMP_URL


def test_unsigned_build_warns_visibly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert sign.sign_or_warn([tmp_path / "x.msi"], env={}) is False
    assert "UNSIGNED" in capsys.readouterr().err


def test_missing_password_file_is_an_error(certificate: tuple[Path, Path, Path]) -> None:
    with pytest.raises(sign.SignError, match="INTELLEKTA_SIGN_PASSWORD_FILE"):
        sign.from_environment({"INTELLEKTA_SIGN_PFX": str(certificate[0])})
