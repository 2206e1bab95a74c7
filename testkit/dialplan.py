"""The admin served over real HTTPS (Apply Dialplan), and PBX units that
include their configuration through ``#exec uzor-confgen`` exactly as installed units do: with
the admin's certificate as their CA and its bundle signing key pinned, as uzor-pbx-setup does.

``configure_django()`` must run before the models are imported, so test modules import this
module first.
"""

from __future__ import annotations

import shutil
import socketserver
import ssl
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from testkit.admin import configure_django

configure_django()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

from appliance.admin.callcenter.bundle_signing import public_key_text  # noqa: E402
from appliance.admin.callcenter.models import PbxUnit  # noqa: E402
from appliance.pbx.build import confgen_source  # noqa: E402
from testkit.ami_users import ADMIN_USER, AGENCY_USER, AmiUsers  # noqa: E402
from testkit.pbx import AsteriskUnit, UnitBootError  # noqa: E402
from testkit.pbx_configs import UNIT_DIR  # noqa: E402
from testkit.tls import self_signed  # noqa: E402
from testkit.tools import free_port  # noqa: E402

# uzor-pbx's own files a confgen unit takes as they are installed
PACKAGED_ASTERISK = Path(__file__).resolve().parents[1] / "packaging/debian/uzor-pbx/etc/asterisk"
CONFGEN = f"{UNIT_DIR}/etc/uzor-confgen"
CONFGEN_CONFIG = f"{UNIT_DIR}/etc/uzor/confgen.yaml"
CACHE_DIR = f"{UNIT_DIR}/lib/uzor-confgen"


def exec_line(name: str) -> str:
    return f"#exec /usr/bin/python3 -I {CONFGEN} --config {CONFGEN_CONFIG} {name}\n"


def packaged_cli_conf() -> str:
    """uzor-pbx's cli.conf (its ``#exec`` ends confgen's pass at every start and when Apply
    Dialplan reads it) with the unit's confgen command in place of the installed one."""
    installed = "#exec /usr/bin/uzor-confgen --config /etc/asterisk/uzor/confgen.yaml"
    text = (PACKAGED_ASTERISK / "cli.conf.uzor").read_text()
    if installed not in text:
        raise ValueError(f"uzor-pbx's cli.conf.uzor has no line starting {installed!r}")
    return text.replace(installed, f"#exec /usr/bin/python3 -I {CONFGEN} --config {CONFGEN_CONFIG}")


class _ThreadingServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class AdminServer:
    """The Django admin served over HTTPS by a threading WSGI server on 127.0.0.1, with a
    self-signed certificate for 127.0.0.1 (``ca_pem``); stop() = unreachable."""

    def __init__(self) -> None:
        self.port = free_port()
        self.tls_dir = Path(tempfile.mkdtemp(prefix="uzor-admin-tls."))
        cert, key = self_signed(self.tls_dir)
        self.ca_pem = cert.read_text()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        handler = WSGIHandler()

        def app(environ, start_response):  # type: ignore[no-untyped-def]
            try:
                return handler(environ, start_response)
            finally:
                connections.close_all()  # one request per thread: don't leak connections

        self.server = make_server(
            "127.0.0.1", self.port, app, server_class=_ThreadingServer, handler_class=_QuietHandler
        )
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def confgen_url(self) -> str:
        return f"https://127.0.0.1:{self.port}/admin/confgen"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        shutil.rmtree(self.tls_dir, ignore_errors=True)


@dataclass
class ConfgenUnit:
    """An Asterisk unit plus its PbxUnit row in the admin."""

    asterisk: AsteriskUnit
    pbx: PbxUnit
    token: str

    @property
    def cache(self) -> Path:
        return self.asterisk.base / "lib" / "uzor-confgen"

    def confgen_log(self) -> str:
        path = self.cache / "confgen.log"
        return path.read_text() if path.exists() else ""


def unit_files(server: AdminServer, unit_name: str, token: str) -> dict[str, str]:
    """The unit-side files: uzor-confgen (the one stdlib-only file appliance/pbx/build.py makes
    for the uzor-pbx package), its config with the admin's CA and pinned signing key, the
    includes, uzor-pbx's sorcery.conf (the PJSIP kinds the admin never generates are read
    from pjsip_transports.conf, not through confgen) and its cli.conf (ends confgen's pass)."""
    return {
        "uzor-confgen": confgen_source(),
        "uzor/confgen.yaml": (
            f"admin_url: {server.confgen_url}\nunit: {unit_name}\n"
            f"token_file: {UNIT_DIR}/etc/uzor/token\ncache_dir: {CACHE_DIR}\ntimeout: 10\n"
            f"ca_file: {UNIT_DIR}/etc/uzor/admin-ca.pem\n"
            f"signing_key: {UNIT_DIR}/etc/uzor/admin-signing-key\n"
        ),
        "uzor/token": token + "\n",
        "uzor/admin-ca.pem": server.ca_pem,
        "uzor/admin-signing-key": public_key_text() + "\n",
        "pjsip.conf": "#include pjsip_transports.conf\n" + exec_line("pjsip.conf"),
        "extensions.conf": exec_line("extensions.conf"),
        "queues.conf": exec_line("queues.conf"),
        "musiconhold.conf": exec_line("musiconhold.conf"),
        "features.conf": exec_line("features.conf"),
        "sorcery.conf": (PACKAGED_ASTERISK / "sorcery.conf.uzor").read_text(),
        "cli.conf": packaged_cli_conf(),
    }


def make_confgen_unit(
    asterisk_unit: Callable[..., AsteriskUnit],
    server: AdminServer,
    name: str,
    extra: dict[str, str] | None = None,
    start: bool = True,
) -> ConfgenUnit:
    """A PbxUnit row with a fresh token and an Asterisk unit configured to fetch from it.
    The admin and the agency use the AMI users uzor-pbx-setup writes (``uzor-admin``,
    ``uzor-agency``, with their packaged rights); the tests' own ``unit.ami()`` keeps its
    all-rights user. Ports are chosen free but not reserved: a unit that finds one taken is
    made again with fresh ports (the factory does the same for the units it starts itself)."""
    users = AmiUsers()
    for attempt in range(3):
        token_holder = PbxUnit(name=name)
        token = token_holder.issue_token()
        unit = asterisk_unit(
            {
                **unit_files(server, name, token),
                "manager.d/uzor.conf": users.manager_d(),
                **(extra or {}),
            },
            name=name,
            start=False,
        )
        pbx = PbxUnit(
            name=name,
            address=unit.ami_host,
            ami_port=unit.ami_port,
            ami_user=ADMIN_USER,
            ami_secret=users.admin_secret,
            agency_ami_user=AGENCY_USER,
            agency_ami_secret=users.agency_secret,
            token_hash=token_holder.token_hash,
        )
        pbx.save()
        if not start:
            return ConfgenUnit(unit, pbx, token)
        try:
            unit.start()
            return ConfgenUnit(unit, pbx, token)
        except UnitBootError as exc:
            if not exc.port_clash or attempt == 2:
                raise
            unit.stop()
            pbx.delete()
    raise AssertionError("unreachable")


def flush_admin_database() -> None:
    """Empty every table (the WSGI threads need committed rows), then restore what migrations
    put there (the built-in contexts)."""
    from importlib import import_module

    from django.apps import apps

    call_command("flush", verbosity=0, interactive=False)
    builtin = import_module("appliance.admin.callcenter.migrations.0002_builtin_contexts")
    builtin.create_builtin_contexts(apps, None)
