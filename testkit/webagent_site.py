"""The webagent's test site: a unit configured ONLY by the admin's Apply Dialplan (operator 101
on workplace 1001 in group sales, operator 102 on workplace 1002 in group support, an inbound
topic reached by a DID through the carrier's gateway, outbound topic 111, route _89.), the real
agency (which takes the admin's wallboard tokens), and the built app (appliance/webagent) served
by a local static server on 127.0.0.1 (a secure context for the microphone). The phone registers
at the unit's own WebSocket (``running_site``; the fixtures are in
tests/integration/webagent/conftest.py)."""

from __future__ import annotations

import contextlib
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from testkit.dialplan import make_confgen_unit  # isort: split

from appliance.admin.callcenter import supervisor_signing
from appliance.admin.callcenter.apply import apply_dialplan
from appliance.admin.callcenter.dialplan.tests.model import Model
from appliance.admin.callcenter.models import PbxUnit
from testkit.agency import PASSWORD, Agency, make_license, write_agency
from testkit.agency_site import SECOND_MAC, add_colleague, drop_agency_tables, prepare_model
from testkit.tools import require_tool

REPO = Path(__file__).resolve().parents[1]
APP = REPO / "appliance" / "webagent"
DID = "74951234567"  # the gateway's DID; its context's transformation sends it to the topic
TOPIC = "74950000001"
MAC = "E8-03-9A-B5-E0-C9"  # workplace 1001 (operator 101)
__all__ = ["PASSWORD", "SECOND_MAC"]


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class Site:
    model: Model
    unit: Any  # the Asterisk unit
    agency: Agency
    carrier: Any
    app_url: str  # the app's index.html on the local static server
    database: Any  # the admin's database, where the agency records its intervals

    def agent_url(self, mac: str = MAC, lang: str = "en") -> str:
        acp = f"ws://127.0.0.1:{self.agency.port}/ws"
        return f"{self.app_url}?host={mac}&acp={acp}&lang={lang}"


def lan_address() -> str:
    """The machine's first global IPv4 address (WebRTC media never uses loopback)."""
    ip = require_tool("ip", "iproute2")
    out = subprocess.run(
        [ip, "-4", "-o", "addr", "show", "scope", "global", "up"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for line in out.splitlines():
        return line.split()[3].split("/")[0]
    pytest.fail("no non-loopback IPv4 address is up: WebRTC media needs one", pytrace=False)


def http_conf_all_addresses(port: int) -> str:
    return f"[general]\nenabled = yes\nbindaddr = 0.0.0.0\nbindport = {port}\n"


def build_webagent(out: Path) -> Path:
    """The app built from the sources (npm ci when node_modules is missing) into ``out``."""
    node = require_tool("node", "nodejs")
    if not (APP / "node_modules" / ".package-lock.json").exists():
        npm = require_tool("npm", "npm")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=APP, check=True)
    subprocess.run([node, "build.mjs", "--outdir", str(out)], cwd=APP, check=True)
    return out


def serve(directory: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@contextlib.contextmanager
def running_site(
    params: dict[str, Any],
    *,
    tmp_path: Path,
    units: Any,
    admin_server: Any,
    admin_database: Any,
    carrier: Any,
    webagent_dist: Path,
) -> Iterator[Site]:
    """The site, up. ``params``: {"hide": bool, "max_operators": int, "script": bool,
    "pause_limit": seconds}; with "script" the inbound topic's script is the app's example
    page, served on its own origin. ``units`` makes Asterisk units (``asterisk_unit``)."""
    model = prepare_model(tmp_path, carrier, hide_caller_number=bool(params.get("hide", False)))
    scripts = serve(webagent_dist / "examples") if params.get("script") else None
    if scripts is not None:
        model.topic.script_url = f"{scripts[1]}script-example.html"
    model.topic.save()
    add_colleague()
    unit = make_confgen_unit(units, admin_server, "pbx1", start=False)
    # The phone reaches the unit's WebSocket at the machine's own address: from 127.0.0.1 it
    # would be taken for the carrier's gateway (identified by address), and ICE skips loopback.
    lan = lan_address()
    unit.asterisk.write_config("http.conf", http_conf_all_addresses(unit.asterisk.http_port))
    unit.asterisk.start()
    ws_url = f"ws://{lan}:{unit.asterisk.http_port}/ws"
    PbxUnit.objects.filter(pk=unit.pbx.pk).update(ws_address=ws_url)
    carrier.point_at(unit.asterisk)
    # the app node is this machine at its own address: the unit takes workplaces' SIP from there
    with override_settings(UZOR_WORKPLACE_SIGNALLING_FROM=["127.0.0.0/8", f"{lan}/32"]):
        results = apply_dialplan()
    assert all(r.ok for r in results), results
    license = make_license(tmp_path, max_operators=int(params.get("max_operators", 10)))
    wallboard_key = tmp_path / "supervisor_key.pub"  # as the configurator writes it
    wallboard_key.write_text(supervisor_signing.public_key_text() + "\n")
    agency = write_agency(tmp_path, admin_database, license, wallboard_key=wallboard_key)
    if "pause_limit" in params:
        text = agency.config.read_text()
        agency.config.write_text(
            text.replace("pause_limit: 600", f"pause_limit: {params['pause_limit']}")
        )
    agency.unit = unit.asterisk
    agency.start()
    server, url = serve(webagent_dist)
    try:
        yield Site(model, unit.asterisk, agency, carrier, url, admin_database)
    finally:
        for running in (server, scripts[0] if scripts else None):
            if running is not None:
                running.shutdown()
                running.server_close()
        agency.stop()
        drop_agency_tables(admin_database)
