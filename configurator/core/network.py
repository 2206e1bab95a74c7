"""The server's own addresses (for certificate names and the admin URLs)."""

from __future__ import annotations

import ipaddress
import socket

import psutil

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def server_addresses(include_loopback: bool = False) -> list[IPAddress]:
    """Every IPv4 and IPv6 address of every interface (link-local IPv6 left out)."""
    found: list[IPAddress] = []
    for addrs in psutil.net_if_addrs().values():
        for addr in addrs:
            if addr.family not in (socket.AF_INET, socket.AF_INET6):
                continue
            try:
                ip = ipaddress.ip_address(addr.address.split("%", 1)[0])
            except ValueError:
                continue
            if ip.is_link_local or (ip.is_loopback and not include_loopback):
                continue
            if ip not in found:
                found.append(ip)
    return sorted(found, key=lambda ip: (ip.version, int(ip)))


def host_names() -> list[str]:
    """This machine's host name and fully qualified name (when they differ)."""
    names = [socket.gethostname()]
    fqdn = socket.getfqdn()
    if fqdn and fqdn not in names and fqdn != "localhost":
        names.append(fqdn)
    return [n for n in names if n]


def admin_urls(addresses: list[IPAddress]) -> list[str]:
    """``https://<ip>/admin/`` for every address (IPv6 in brackets)."""
    urls = []
    for ip in addresses:
        host = f"[{ip}]" if ip.version == 6 else str(ip)
        urls.append(f"https://{host}/admin/")
    return urls
