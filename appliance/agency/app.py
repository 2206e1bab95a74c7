"""The agency's one composition root: every part is built here with its collaborators passed
to its constructor (no setters after construction); nothing reaches for globals."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from aiohttp import web

from appliance.agency.acp.outgoing import Outbox
from appliance.agency.acp.server import ACPServer
from appliance.agency.admin_watch import AdminWatch
from appliance.agency.ami_events import EVENTS
from appliance.agency.config import AgencyConfig
from appliance.agency.database import Database
from appliance.agency.gui.views import GUI
from appliance.agency.i18n import process_language
from appliance.agency.license_watch import Check, LicenseWatch, configured_check
from appliance.agency.metrics import Metrics
from appliance.agency.operators.call_log import CallLog
from appliance.agency.operators.events import CallEvents
from appliance.agency.operators.license_notice import parse_not_after
from appliance.agency.operators.observers import SessionObservers
from appliance.agency.operators.service import OperatorService
from appliance.agency.operators.topics import TopicCache
from appliance.agency.records import RecordWriter
from appliance.agency.rest.api import RestAPI
from appliance.agency.rest.auth import TokenAuth
from appliance.agency.running import Agency, LicenseInfo
from appliance.agency.systemd_notify import notify
from appliance.agency.units import UnitRegistry
from appliance.agency.wallboard.board import Wallboard
from appliance.agency.wallboard.keys import load_public_key
from appliance.agency.wallboard.spy import Spy
from appliance.ami.dispatch import Dispatcher
from appliance.ami.manager import AMIManager, UnitAccess

log = logging.getLogger(__name__)


async def load_units(config: AgencyConfig, store: Database) -> list[UnitAccess]:
    """Units from the file when it lists any, else the admin's enabled PBX units."""
    if config.units:
        return [
            UnitAccess(
                u.name,
                u.host,
                u.port,
                u.username,
                Path(u.secret_file).read_text(encoding="utf-8").strip(),
            )
            for u in config.units
        ]
    return [
        UnitAccess(
            r.name,
            r.host,
            r.port,
            r.username,
            r.secret,
            r.ws_address,
            r.sip_address,
            tls_certificate=r.tls_certificate,
        )
        for r in await store.units()
    ]


@dataclass(frozen=True)
class Built:
    """The parts ``serve`` starts and stops, as ``build`` made them."""

    agency: Agency
    app: web.Application
    store: Database
    registry: UnitRegistry[AMIManager]
    watch: AdminWatch
    license_watch: LicenseWatch


async def build(
    config: AgencyConfig, license: LicenseInfo, license_check: Check | None = None
) -> Built:
    """The composition root: every part is made here, its collaborators given to its constructor.
    ``license_check`` re-reads the license while running (default: the configured file)."""
    store = Database(config.database)
    await store.prepare()
    units: dict[str, AMIManager] = {}  # filled and kept in step by the registry below
    observers = SessionObservers()
    operators = OperatorService(
        config.operators,
        store,
        units,
        Outbox(),
        max_operators=license.max_operators,
        license_not_after=parse_not_after(license.not_after),
        license_warn_days=config.license.warn_days,
        restored=await store.sessions(),
        observers=observers,
        records=RecordWriter(batches=store),
    )
    language = config.language or process_language()
    acp = ACPServer(config.acp, operators, language)
    topics = TopicCache(store)
    events = CallEvents(operators, topics)
    call_log = CallLog(
        store, operators.records, operators.clock, operators.agent_at, topics.hides_number
    )
    operators.call_log = call_log
    metrics = Metrics(acp, units, operators)
    public_key = load_public_key(config.wallboard.public_key_file)
    spy = Spy(operators, store, public_key)
    wallboard = Wallboard(operators.sessions, topics, spy, public_key, default_language=language)
    observers.on_changed(wallboard.operator_changed)
    observers.on_ended(wallboard.operator_ended)

    def attach(unit: AMIManager) -> None:
        events.attach(unit)
        wallboard.attach(unit)
        call_log.attach(unit)
        metrics.watch(unit)

    registry = UnitRegistry(
        units,
        lambda access: AMIManager(access, config.ami, Dispatcher(EVENTS)),
        attach,
        operators.drop_unit,
        license.max_pbx_units,
    )

    async def refresh() -> None:
        await registry.sync(await load_units(config, store))
        await topics.refresh()
        await operators.refresh_work_codes()

    watch = AdminWatch(
        store.change_counter,
        refresh,
        config.admin_watch.interval,
        config.admin_watch.full_refresh,
    )
    await watch.poll()
    auth = TokenAuth.from_file(config.api.token_file)
    agency = Agency(config, acp, operators, units, auth, metrics, license, time.time())
    license_watch = LicenseWatch(
        license_check or configured_check(config),
        agency,
        config.license.recheck_seconds,
        lambda info: registry.limit_units(info.max_pbx_units),
    )
    app = web.Application(client_max_size=64 * 1024)
    app.router.add_get("/ws", acp.handle_ws)
    app.router.add_get("/wallboard/ws", wallboard.handle_ws)
    rest = RestAPI(agency)
    app.middlewares.append(rest.unmatched)
    app.router.add_routes(rest.routes())
    app.router.add_routes(GUI(agency).routes())
    return Built(agency, app, store, registry, watch, license_watch)


async def serve(config: AgencyConfig, license: LicenseInfo) -> None:
    built = await build(config, license)
    agency = built.agency
    runner = web.AppRunner(built.app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, config.listen.host, config.listen.port)
    await site.start()
    built.registry.start()
    log.info(
        "uzor-agency listening on %s:%s with %d unit(s)",
        config.listen.host,
        config.listen.port,
        len(agency.units),
    )
    notify("READY=1")  # systemd (Type=notify): started only now
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    watchers = [
        asyncio.create_task(built.watch.run(), name="admin-watch"),
        asyncio.create_task(built.license_watch.run(), name="license-watch"),
    ]
    try:
        await stop.wait()
    finally:
        for watcher in watchers:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        await agency.acp.close_all("agency stopping")
        await built.registry.stop()
        await agency.operators.drain()
        await runner.cleanup()
        built.store.close()
