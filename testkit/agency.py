"""Run the real agency (``python -m appliance.agency.main``) against a real unit and MariaDB.

The call-center model is created through the admin's Django models in the admin's migrated test
database and removed again afterwards; the license is real (a throwaway vendor key, this
machine's server ID).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from testkit.tools import free_port

REPO = Path(__file__).resolve().parents[1]
PASSWORD = "s3cret-pass"
WORKPLACE_MAC = "E8-03-9A-B5-E0-C9"


def make_license(
    directory: Path, max_operators: int = 10, max_pbx_units: int = 1
) -> tuple[Path, Path]:
    """(license file, vendor key directory) for this machine, by the one test-license maker."""
    from testkit.licensing import make_license_files

    files = make_license_files(
        directory, max_operators=max_operators, max_pbx_units=max_pbx_units, customer="Uzor tests"
    )
    return files.license_path, files.public_keys


def secret_file(directory: Path, name: str, value: str) -> Path:
    path = directory / name
    path.write_text(value)
    path.chmod(0o600)
    return path


@dataclass
class Agency:
    workdir: Path
    config: Path
    port: int
    token: str
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    unit: Any = None  # the Asterisk unit the test points the agency at, when it needs it
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.workdir / "agency.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> None:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "appliance.agency.main", "--config", str(self.config)],
                cwd=REPO,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"agency exited {self.process.returncode}:\n{self.tail()}")
            try:
                if self.status()["status"] == "running":
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"agency did not come up:\n{self.tail()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None

    def kill_and_start(self) -> None:
        """SIGKILL (no drain, no goodbye), then the same command and config again, as systemd
        restarts a crashed agency."""
        assert self.process is not None, "the agency is not running"
        self.process.kill()
        self.process.wait(10)
        self.process = None
        self.start()

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def status(self, token: str | None = None) -> dict[str, Any]:
        return self.get("/status", token)[1]

    def get(self, path: str, token: str | None = None) -> tuple[int, Any]:
        return self.request("GET", path, token=token)

    def request(
        self, method: str, path: str, body: Any = None, token: str | None = None
    ) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)  # noqa: S310
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                raw = response.read()
                status = response.status
        except urllib.error.HTTPError as exc:
            raw, status = exc.read(), exc.code
        try:
            return status, json.loads(raw)
        except ValueError:
            return status, raw.decode(errors="replace")


def write_agency(
    workdir: Path,
    db: Any,
    license: tuple[Path, Path],
    units: str = "",
    wallboard_key: Path | None = None,
) -> Agency:
    """``wallboard_key``: the admin's public key for the wallboard's tokens (none: refused)."""
    token = secrets.token_urlsafe(24)
    port = free_port()
    password_file = secret_file(workdir, "db_password", db.password)
    token_file = secret_file(workdir, "api_token", token)
    config = workdir / "agency.yaml"
    config.write_text(
        f"listen: {{host: 127.0.0.1, port: {port}}}\n"
        f"database: {{name: {db.name}, user: {db.user}, host: {db.host}, port: {db.port},"
        f" password_file: {password_file}}}\n"
        f"api: {{token_file: {token_file}}}\n"
        "ami: {keepalive_interval: 1, keepalive_timeout: 2, reconnect_min: 0.2,"
        " reconnect_max: 1, connect_timeout: 3}\n"
        "operators: {pause_limit: 600}\n"
        + (f"wallboard: {{public_key_file: {wallboard_key}}}\n" if wallboard_key else "")
        + units
    )
    env = {
        **os.environ,
        "UZOR_LICENSE_PATH": str(license[0]),
        "UZOR_LICENSE_PUBKEYS": str(license[1]),
    }
    return Agency(workdir, config, port, token, env)


class Terminal:
    """A Python ACP client standing in for the webagent."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.ids = 0
        self.events: list[dict[str, Any]] = []

    async def call(self, name: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        self.ids += 1
        await self.ws.send_json(
            {"type": "action", "name": name, "id": self.ids, "data": data or {}}
        )
        return await self.reply(self.ids)

    async def send_raw(self, text: str) -> dict[str, Any]:
        await self.ws.send_str(text)
        return await self.next()

    async def reply(self, message_id: int) -> dict[str, Any]:
        while True:
            message = await self.next()
            if message.get("id") == message_id:
                return message
            self.events.append(message)

    async def next(self, timeout: float = 15) -> dict[str, Any]:
        frame = await asyncio.wait_for(self.ws.receive(), timeout)
        assert frame.type is aiohttp.WSMsgType.TEXT, frame
        return dict(json.loads(frame.data))

    async def login(self) -> dict[str, Any]:
        return await self.call(
            "login", {"agent": "101", "password": PASSWORD, "workplace": WORKPLACE_MAC}
        )

    async def resume(self, token: str, agent: str = "101") -> dict[str, Any]:
        """Log in again as the webagent does after a reconnect: the session's resume token from
        its last ``login.result``, no password."""
        return await self.call(
            "login", {"agent": agent, "resume": token, "workplace": WORKPLACE_MAC}
        )


async def until(terminal: Terminal, name: str, timeout: float = 30) -> dict[str, Any]:
    """The first event called ``name`` (earlier ones kept aside for later waits)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        for event in terminal.events:
            if event["name"] == name:
                terminal.events.remove(event)
                return event
        terminal.events.append(await terminal.next(max(0.1, deadline - loop.time())))


async def logged_in_terminal(url: str, http: aiohttp.ClientSession) -> Terminal:
    """A terminal connected to the agency at ``url`` and logged in as operator 101."""
    terminal = Terminal(await http.ws_connect(f"{url}/ws"))
    reply = await terminal.login()
    assert reply["name"] == "login.result", reply
    assert reply["data"]["sip"], reply
    return terminal


def agency_database(db: Any, directory: Path) -> Any:
    """The agency's own database client (``appliance.agency.database.Database``) on a test
    MariaDB database, as an agency instance connects to it; the caller closes it."""
    from appliance.agency.config import DatabaseConfig
    from appliance.agency.database import Database

    password = directory / f"db-password-{secrets.token_hex(4)}"
    password.write_text(db.password)
    config = DatabaseConfig(
        name=db.name, user=db.user, host=db.host, port=db.port, password_file=password
    )
    return Database(config)
