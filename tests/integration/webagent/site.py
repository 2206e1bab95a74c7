"""The webagent's test site: a unit configured ONLY by the admin's Apply Dialplan (operator 101
on workplace 1001 in group sales, operator 102 on workplace 1002 in group support, an inbound
topic reached by a DID through the carrier's gateway, outbound topic 111, route _89.), the real
agency, and the built app (appliance/webagent) served by a local static server on 127.0.0.1 (a
secure context for the microphone). The phone registers at the unit's own WebSocket."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from tests.integration.dialplan.support import make_confgen_unit  # isort: split

from appliance.admin.callcenter.apply import apply_dialplan
from appliance.admin.callcenter.dialplan.tests.model import Model, build_model
from appliance.admin.callcenter.models import Group, Membership, Operator, PbxUnit, Workplace
from tests.fixtures.tools import require_tool
from tests.integration.agency.harness import PASSWORD, Agency, make_license, write_agency

REPO = Path(__file__).resolve().parents[3]
APP = REPO / "appliance" / "webagent"
DID = "74951234567"  # the gateway's DID; its context's transformation sends it to the topic
TOPIC = "74950000001"
MAC = "E8-03-9A-B5-E0-C9"  # workplace 1001 (operator 101)
SECOND_MAC = "E8-03-9A-B5-E0-CA"  # workplace 1002 (operator 102)
__all__ = ["PASSWORD"]


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
    out = subprocess.run([ip, "-4", "-o", "addr", "show", "scope", "global", "up"],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    for line in out.splitlines():
        return line.split()[3].split("/")[0]
    pytest.fail("no non-loopback IPv4 address is up: WebRTC media needs one", pytrace=False)


def http_conf_all_addresses(port: int) -> str:
    return f"[general]\nenabled = yes\nbindaddr = 0.0.0.0\nbindport = {port}\n"


@pytest.fixture(scope="session")
def webagent_dist() -> Iterator[Path]:
    """The app built from the sources (npm ci when node_modules is missing) into a temp dir."""
    node = require_tool("node", "nodejs")
    out = Path(tempfile.mkdtemp(prefix="uzor-webagent-dist-"))
    if not (APP / "node_modules" / ".package-lock.json").exists():
        npm = require_tool("npm", "npm")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=APP, check=True)
    subprocess.run([node, "build.mjs", "--outdir", str(out)], cwd=APP, check=True)
    yield out
    shutil.rmtree(out, ignore_errors=True)


def serve(directory: Path) -> tuple[ThreadingHTTPServer, str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture
def webagent_site(
    request: pytest.FixtureRequest,
    *,
    tmp_path: Path,
    asterisk_unit: Any,
    admin_server: Any,
    admin_database: Any,
    carrier: Any,
    webagent_dist: Path,
) -> Iterator[Site]:
    """Parameters (indirect): {"hide": bool, "max_operators": int, "script": bool,
    "pause_limit": seconds}. With "script" the inbound topic's script is the app's example
    page, served on its own origin."""
    params = getattr(request, "param", {}) or {}
    model = build_model(tmp_path, gateway_host=carrier.unit.sip_host, gateway_port=carrier.sip_port)
    model.topic.non_working_schedules.set([])  # open around the clock
    model.topic.hide_caller_number = bool(params.get("hide", False))
    scripts = serve(webagent_dist / "examples") if params.get("script") else None
    if scripts is not None:
        model.topic.script_url = f"{scripts[1]}script-example.html"
    model.topic.save()
    Workplace(number="1002", mac=SECOND_MAC).save()
    support = Group(name="support")
    support.save()
    colleague = Operator(agent_number="102", wrapup_time=7)
    colleague.set_password(PASSWORD)
    colleague.save()
    Membership(operator=colleague, group=support).save()
    unit = make_confgen_unit(asterisk_unit, admin_server, "pbx1", start=False)
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
    agency = write_agency(tmp_path, admin_database, license)
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
        with admin_database.connect() as connection, connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS agency_interval, agency_session")


@pytest.fixture
def agent_browser(webagent_site: Site, browser: Any) -> Any:
    """The ``browser`` fixture started after the site: the site's Django work must run before
    Playwright's event loop runs in this thread."""
    return browser
