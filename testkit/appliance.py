"""Installing the bundle into a booted target and talking to the result from outside.

Shared by tests/e2e and `make demo`: the same path, so the demo is what the tests check."""

from __future__ import annotations

import asyncio
import http.cookiejar
import ipaddress
import re
import ssl
import subprocess
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from testkit.target import Target

RUN_INSIDE = "/root/uzor.run"
REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str
    email: str = "root@uzor.invalid"


def answers_yaml(superuser: Credentials, license_file: str | None = None) -> str:
    """An answers file for the configurator: local MariaDB, self-signed TLS."""
    lines = [
        "configure: true",
        "language: en",
        "database:",
        "  mode: local",
        "superuser:",
        "  create: true",
        f"  username: {superuser.username}",
        f"  email: {superuser.email}",
        "  password_file: /root/superuser_password",
        "tls:",
        "  mode: self-signed",
    ]
    if license_file:
        lines += ["license:", f"  key_file: {license_file}"]
    return "\n".join(lines) + "\n"


def put_answers(target: Target, superuser: Credentials, license_file: str | None = None) -> str:
    password = target.path("/root/superuser_password")
    password.write_text(superuser.password + "\n")
    password.chmod(0o600)
    answers = target.path("/root/answers.yaml")
    answers.write_text(answers_yaml(superuser, license_file))
    answers.chmod(0o600)
    return "/root/answers.yaml"


def run_bundle(target: Target, run: Path, *args: str, check: bool = True):
    target.put(run, RUN_INSIDE, 0o755)
    return target.run([RUN_INSIDE, "--noprogress", "--", *args], check=check, timeout=1200)


def sign_license_for(target: Target, vendor_key: Path, out: Path, customer: str) -> Path:
    """A license for the target's server ID, signed on the host with the vendor key."""
    server_id = target.run(["uzor-license", "server-id"]).stdout.strip()
    subprocess.run(
        [
            *(str(REPO / ".venv/bin/uzor-license"), "sign", "--key", str(vendor_key)),
            *("--server-id", server_id, "--customer", customer, "--max-operators", "10"),
            *("--max-units", "2", "-o", str(out), "--force"),
        ],
        check=True,
        capture_output=True,
    )
    return out


def install_license(target: Target, license_path: Path, superuser: Credentials) -> str:
    """The configurator's license step with the signed key; returns its output."""
    target.put(license_path, "/root/license.key", 0o600)
    answers = put_answers(target, superuser, "/root/license.key")
    return target.run(["/opt/uzor/configurator.sh", "--answers", answers]).stdout


def server_address() -> str:
    """A non-loopback IPv4 address of this host (the container shares its network)."""
    for addrs in psutil.net_if_addrs().values():
        for addr in addrs:
            try:
                ip = ipaddress.ip_address(addr.address)
            except ValueError:
                continue
            if ip.version == 4 and not ip.is_loopback and not ip.is_link_local:
                return str(ip)
    raise RuntimeError("this host has no non-loopback IPv4 address")


def tls_context(certificate: Path) -> ssl.SSLContext:
    """Trusts exactly the appliance's certificate, with host name (IP SAN) checking on."""
    return ssl.create_default_context(cafile=str(certificate))


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None


def admin_login(base: str, context: ssl.SSLContext, user: Credentials) -> tuple[int, str]:
    """Logs into the Django admin like a browser; returns (status, Location) of the POST."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=context),
        urllib.request.HTTPCookieProcessor(jar),
        NoRedirect,
    )
    login_url = f"{base}/admin/login/?next=/admin/"
    with opener.open(login_url, timeout=30) as response:
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, "no CSRF token on the login page"
    form = urllib.parse.urlencode(
        {
            "csrfmiddlewaretoken": token.group(1),
            "username": user.username,
            "password": user.password,
            "next": "/admin/",
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - an https URL built here
        login_url, data=form, headers={"Referer": login_url}
    )
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, response.headers.get("Location", "")
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.headers.get("Location", "")


OPERATOR = """
import os
from appliance.admin.callcenter.models import Group, Membership, Operator, Workplace
group = Group(name="e2e-line")
group.save()
operator = Operator(agent_number=os.environ["E2E_AGENT"], first_name="E2E")
operator.set_password(os.environ["E2E_PASSWORD"])
operator.save()
Membership(operator=operator, group=group, priority=1).save()
Workplace(number="3001", mac=os.environ["E2E_MAC"]).save()
"""


@dataclass(frozen=True)
class OperatorLogin:
    agent: str
    password: str
    workplace: str


def add_operator(target: Target, login: OperatorLogin) -> None:
    """An operator in a group of their own and a workplace, saved as the admin saves them."""
    env = {"E2E_AGENT": login.agent, "E2E_PASSWORD": login.password, "E2E_MAC": login.workplace}
    target.run(["uzor-admin", "shell", "--no-imports", "-c", OPERATOR], env=env)


async def acp_login(base: str, context: ssl.SSLContext, login: OperatorLogin) -> dict[str, Any]:
    """Log in over the appliance's ACP WebSocket (through nginx) and return the reply."""
    import aiohttp

    url = base.replace("https://", "wss://") + "/agency/ws"
    data = {"agent": login.agent, "password": login.password, "workplace": login.workplace}
    async with aiohttp.ClientSession() as http:
        ws = await http.ws_connect(url, ssl=context)
        try:
            await ws.send_json({"type": "action", "name": "login", "id": 1, "data": data})
            reply: dict[str, Any] = await ws.receive_json(timeout=30)
            while reply.get("id") != 1:
                reply = await ws.receive_json(timeout=30)
        finally:
            await ws.close()
    # a TLS transport finishes closing on the loop's next rounds; asyncio.run would cut them
    # short (aiohttp's "graceful shutdown" advice), leaving an unclosed-transport warning
    await asyncio.sleep(0.25)
    return reply


def walkthrough_seed() -> str:
    """The script that seeds the manual's walkthrough objects in an installed admin (for
    ``uzor-admin shell``): installer/demo_seed.py after testkit/walkthrough.py (its form data)
    registered as the module ``testkit.walkthrough``, since the appliance has no test kit."""
    data = (REPO / "testkit" / "walkthrough.py").read_text()
    preamble = (
        "import sys, types\n"
        "_kit = types.ModuleType('testkit')\n"
        "_kit.__path__ = []\n"
        "_kit.walkthrough = types.ModuleType('testkit.walkthrough')\n"
        "sys.modules.update({'testkit': _kit, 'testkit.walkthrough': _kit.walkthrough})\n"
        f"exec(compile({data!r}, 'testkit/walkthrough.py', 'exec'), _kit.walkthrough.__dict__)\n"
    )
    return preamble + (REPO / "installer" / "demo_seed.py").read_text()
