"""Step "TLS": a self-signed certificate naming every server address, or an existing
certificate and key (checked), and nginx pointed at them."""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from configurator.core.context import Context
from configurator.core.files import ensure_dir, write_file
from configurator.core.network import host_names
from configurator.core.questions import Choice, Kind, Question
from configurator.core.step import Progress, StepError, StepResult
from configurator.core.templates import render
from configurator.core.tlscert import (
    CertificateError,
    check_key,
    check_pair,
    load_certificate,
    make_self_signed,
    self_signed_is_current,
)
from configurator.i18n import _

LOOPBACK = (ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1"))
_NGINX_SAFE_PATH = re.compile(r"^/[^\s;{}'\"]+$")


def _existing(answers: Mapping[str, Any]) -> bool:
    return answers.get("tls.mode") == "existing"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _valid_certificate(value: Any, _answers: Mapping[str, Any]) -> str | None:
    if not _NGINX_SAFE_PATH.match(str(value)):
        return _("Give an absolute path without spaces or quotes.")
    try:
        load_certificate(Path(value), _now())
    except CertificateError as exc:
        return str(exc)
    return None


def _valid_key(value: Any, answers: Mapping[str, Any]) -> str | None:
    if not _NGINX_SAFE_PATH.match(str(value)):
        return _("Give an absolute path without spaces or quotes.")
    certificate = str(answers.get("tls.certificate") or "")
    try:
        if certificate and _valid_certificate(certificate, answers) is None:
            check_pair(Path(certificate), Path(value), _now())
        else:  # the certificate field shows its own error; the key is checked on its own
            check_key(Path(value))
    except CertificateError as exc:
        return str(exc)
    return None


class TlsStep:
    id = "tls"

    def title(self) -> str:
        return _("TLS certificate")

    def intro(self, ctx: Context) -> str:
        return _(
            "The admin is served over HTTPS. Without a certificate for the server's full domain "
            "name a self-signed one is made and browsers show a warning."
        )

    def questions(self, ctx: Context) -> list[Question]:
        current = _current_snippet_paths(ctx)
        # The package's placeholder points at Debian's snakeoil certificate: not a choice.
        own = (
            current is None
            or current[0] == str(ctx.paths.tls_certificate)
            or "ssl-cert-snakeoil" in current[0]
        )
        return [
            Question(
                "tls.mode",
                Kind.CHOICE,
                _("Certificate"),
                default="self-signed" if own else "existing",
                choices=(
                    Choice("self-signed", _("Self-signed for every address of this server")),
                    Choice("existing", _("An existing certificate and key")),
                ),
            ),
            Question(
                "tls.certificate",
                Kind.TEXT,
                _("Certificate file (PEM, with the chain)"),
                default="" if own or current is None else current[0],
                validate=_valid_certificate,
                when=_existing,
            ),
            Question(
                "tls.key",
                Kind.TEXT,
                _("Private key file (PEM, no passphrase)"),
                default="" if own or current is None else current[1],
                validate=_valid_key,
                when=_existing,
            ),
        ]

    def apply(self, ctx: Context, answers: Mapping[str, Any], progress: Progress) -> StepResult:
        if _existing(answers):
            cert_path, key_path = Path(answers["tls.certificate"]), Path(answers["tls.key"])
            for error in (_valid_certificate(cert_path, answers), _valid_key(key_path, answers)):
                if error:
                    raise StepError(error)
            changed = False
        else:
            cert_path, key_path = ctx.paths.tls_certificate, ctx.paths.tls_key
            changed = _ensure_self_signed(ctx, progress)
        snippet = render("nginx-tls.conf.j2", certificate=cert_path, key=key_path)
        if write_file(ctx.paths.nginx_tls_snippet, snippet, 0o644):
            progress(_("nginx now uses {path}").format(path=cert_path))
            changed = True
        else:
            progress(_("nginx already uses {path}").format(path=cert_path))
        # HSTS only with the installer's own certificate: with the self-signed one it would
        # take away the browser's "proceed anyway" for a year.
        hsts = render("nginx-hsts.conf.j2", trusted=_existing(answers))
        changed = write_file(ctx.paths.nginx_hsts_snippet, hsts, 0o644) or changed
        return StepResult(changed=changed)


def _ensure_self_signed(ctx: Context, progress: Progress) -> bool:
    # Loopback too, so checks on the server itself (https://127.0.0.1/) verify by name.
    names = list(dict.fromkeys([*host_names(), "localhost"]))
    addresses = list(dict.fromkeys([*ctx.addresses(), *LOOPBACK]))
    now = _now()
    paths = ctx.paths
    if self_signed_is_current(paths.tls_certificate, paths.tls_key, names, addresses, now):
        progress(_("The self-signed certificate is up to date."))
        return False
    pem = make_self_signed(names, addresses, now)
    ensure_dir(paths.tls_dir, 0o755)
    write_file(paths.tls_key, pem.key, 0o600)
    write_file(paths.tls_certificate, pem.certificate, 0o644)
    listed = ", ".join([*names, *(str(ip) for ip in addresses)])
    progress(_("Self-signed certificate made for: {names}").format(names=listed))
    return True


def _current_snippet_paths(ctx: Context) -> tuple[str, str] | None:
    try:
        text = ctx.paths.nginx_tls_snippet.read_text()
    except OSError:
        return None
    cert = re.search(r"^ssl_certificate\s+(\S+);", text, re.MULTILINE)
    key = re.search(r"^ssl_certificate_key\s+(\S+);", text, re.MULTILINE)
    if not cert or not key:
        return None
    return cert.group(1), key.group(1)
