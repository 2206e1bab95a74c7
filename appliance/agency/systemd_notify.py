"""Tell systemd the agency is ready (``Type=notify``): a datagram on ``$NOTIFY_SOCKET``.

With readiness reported only once the agency listens, ``systemctl (re)start`` waits for it and
fails when the agency exits first (no license, a bad configuration, no database), so whoever
started it (the configurator) learns that it did not start, and why, instead of "running".
Without ``$NOTIFY_SOCKET`` (not started by systemd) nothing is sent.
"""

from __future__ import annotations

import os
import socket


def notify(state: str = "READY=1") -> bool:
    address = os.environ.get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):  # an abstract socket
        address = "\0" + address[1:]
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
        sock.connect(address)
        sock.sendall(state.encode("utf-8"))
    return True
