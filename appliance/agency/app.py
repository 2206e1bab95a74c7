"""Wiring: every collaborator is built here and passed in; nothing reaches for globals."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from pathlib import Path

from aiohttp import web

from appliance.agency.acp.server import ACPServer
from appliance.agency.admin_watch import AdminWatch
from appliance.agency.config import AgencyConfig
from appliance.agency.context import Agency, LicenseInfo
from appliance.agency.gui.views import GUI
from appliance.agency.i18n import process_language
from appliance.agency.metrics import Metrics
from appliance.agency.operators.events import CallEvents
from appliance.agency.operators.license_notice import parse_not_after
from appliance.agency.operators.service import OperatorService
from appliance.agency.operators.topics import TopicCache
from appliance.agency.rest.api import RestAPI
from appliance.agency.rest.auth import TokenAuth
from appliance.agency.store import Store
from appliance.agency.systemd_notify import notify
from appliance.agency.units import UnitRegistry
from appliance.ami.dispatch import Dispatcher
from appliance.ami.manager import AMIManager, UnitAccess

log = logging.getLogger(__name__)


async def load_units(config: AgencyConfig, store: Store) -> list[UnitAccess]:
    """Units from the file when it lists any, else the admin's enabled PBX units."""
    if config.units:
        return [
            UnitAccess(u.name, u.host, u.port, u.username,
                       Path(u.secret_file).read_text(encoding="utf-8").strip())
            for u in config.units
        ]  # fmt: skip
    return [
        UnitAccess(r.name, r.host, r.port, r.username, r.secret, r.ws_address, r.sip_address)
        for r in await store.units()
    ]


async def build(config: AgencyConfig, license: LicenseInfo) -> tuple[Agency, web.Application]:
    store = Store(config.database)
    await store.prepare()
    units: dict[str, AMIManager] = {}  # filled and kept in step by the registry below
    operators = OperatorService(config.operators, store, units,
                                max_operators=license.max_operators,
                                license_not_after=parse_not_after(license.not_after),
                                license_warn_days=config.license.warn_days)  # fmt: skip
    acp = ACPServer(config.acp, operators, config.language or process_language())
    operators.notifier = acp
    topics = TopicCache(store)
    events = CallEvents(operators, topics)
    metrics = Metrics(acp, units, operators)

    def attach(unit: AMIManager) -> None:
        events.attach(unit)
        metrics.watch(unit)

    registry = UnitRegistry(units, lambda access: AMIManager(access, config.ami, Dispatcher()),
                            attach, operators.drop_unit, license.max_pbx_units)  # fmt: skip

    async def refresh() -> None:
        await registry.sync(await load_units(config, store))
        await topics.refresh()

    watch = AdminWatch(store.change_counter, refresh, config.admin_watch.interval,
                       config.admin_watch.full_refresh)  # fmt: skip
    await watch.poll()
    operators.logins.restored = await store.sessions()
    agency = Agency(config, acp, operators, units, TokenAuth.from_file(config.api.token_file),
                    metrics, license, time.time())  # fmt: skip
    app = web.Application(client_max_size=64 * 1024)
    app.router.add_get("/ws", acp.handle_ws)
    rest = RestAPI(agency)
    app.middlewares.append(rest.unmatched)
    app.router.add_routes(rest.routes())
    app.router.add_routes(GUI(agency).routes())
    app["agency"] = agency
    app["store"] = store
    app["registry"] = registry
    app["watch"] = watch
    return agency, app


async def serve(config: AgencyConfig, license: LicenseInfo) -> None:
    agency, app = await build(config, license)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, config.listen.host, config.listen.port)
    await site.start()
    app["registry"].start()
    log.info("uzor-agency listening on %s:%s with %d unit(s)", config.listen.host,
             config.listen.port, len(agency.units))  # fmt: skip
    notify("READY=1")  # systemd (Type=notify): started only now
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    watcher = asyncio.create_task(app["watch"].run(), name="admin-watch")
    try:
        await stop.wait()
    finally:
        watcher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watcher
        await agency.acp.close_all("agency stopping")
        await app["registry"].stop()
        await agency.operators.drain()
        await runner.cleanup()
        app["store"].close()
