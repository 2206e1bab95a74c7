"""The names and addresses the admin is served under, for ``ALLOWED_HOSTS: [auto]``.

This machine's host names and interface addresses (read at start-up, so a new address counts
after a restart), localhost, and every name and address in the certificate nginx serves (the
``ssl_certificate`` of the configurator's nginx snippet): a request naming any other host gets
Django's 400 instead of a page built with the attacker's host name.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from pathlib import Path

import psutil
from cryptography import x509

TLS_SNIPPET = Path("/etc/nginx/snippets/uzor-tls.conf")
_CERTIFICATE_RE = re.compile(r"^\s*ssl_certificate\s+(\S+);", re.MULTILINE)


def served_hosts(tls_snippet: Path = TLS_SNIPPET) -> list[str]:
    hosts = {"localhost", "127.0.0.1", "[::1]", socket.gethostname(), socket.getfqdn()}
    hosts |= {
        _host(a.address.split("%", 1)[0])
        for addrs in psutil.net_if_addrs().values()
        for a in addrs
        if a.family in (socket.AF_INET, socket.AF_INET6)
    }
    hosts |= _certificate_names(tls_snippet)
    return sorted(h for h in hosts if h)


def _host(address: str) -> str:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    return f"[{ip}]" if ip.version == 6 else str(ip)


def _certificate_names(tls_snippet: Path) -> set[str]:
    try:
        found = _CERTIFICATE_RE.search(tls_snippet.read_text(encoding="utf-8"))
        if found is None:
            return set()
        cert = x509.load_pem_x509_certificate(Path(found.group(1)).read_bytes())
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (OSError, ValueError, x509.ExtensionNotFound):
        return set()
    names = {
        n.lstrip("*") if n.startswith("*.") else n for n in sans.get_values_for_type(x509.DNSName)
    }
    return names | {_host(str(ip)) for ip in sans.get_values_for_type(x509.IPAddress)}
