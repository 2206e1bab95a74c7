"""Readiness goes to systemd's notify socket when there is one."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from appliance.agency.systemd_notify import notify


def test_it_sends_ready_to_the_notify_socket(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "notify"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as systemd:
        systemd.bind(str(path))
        monkeypatch.setenv("NOTIFY_SOCKET", str(path))
        assert notify("READY=1")
        assert systemd.recv(64) == b"READY=1"


def test_without_systemd_it_sends_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert not notify("READY=1")
