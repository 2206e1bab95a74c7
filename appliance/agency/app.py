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
from appliance.agency.ami.dispatch import Dispatcher
from appliance.agency.ami.manager import AMIManager, UnitAccess
from appliance.agency.config import AgencyConfig
from appliance.agency.context import Agency, LicenseInfo
from appliance.agency.gui.views import GUI
from appliance.agency.i18n import _, process_language
from appliance.agency.metrics import Metrics
from appliance.agency.operators.events import CallEvents
from appliance.agency.operators.license_notice import parse_not_after
from appliance.agency.operators.service import OperatorService
from appliance.agency.operators.topics import TopicCache
from appliance.agency.rest.api import RestAPI
from appliance.agency.rest.auth import TokenAuth
from appliance.agency.store import Store

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
    accesses = await load_units(config, store)
    if license.max_pbx_units is not None and len(accesses) > license.max_pbx_units:
        dropped = [a.name for a in accesses[license.max_pbx_units :]]
        message = _("the license allows {count} PBX units; not connecting to {units}",
                    count=license.max_pbx_units, units=", ".join(dropped))  # fmt: skip
        log.error("%s", message.render(process_language()))
        accesses = accesses[: license.max_pbx_units]
    units = {access.name: AMIManager(access, config.ami, Dispatcher()) for access in accesses}
    operators = OperatorService(config.operators, store, units,
                                max_operators=license.max_operators,
                                license_not_after=parse_not_after(license.not_after),
                                license_warn_days=config.license.warn_days)  # fmt: skip
    acp = ACPServer(config.acp, operators, config.language or process_language())
    operators.notifier = acp
    topics = TopicCache(store)
    await topics.refresh()
    events = CallEvents(operators, topics)
    for unit in units.values():
        events.attach(unit)
    operators.logins.restored = await store.sessions()
    agency = Agency(config, acp, operators, units, TokenAuth.from_file(config.api.token_file),
                    Metrics(acp, units, operators), license, time.time())  # fmt: skip
    app = web.Application(client_max_size=64 * 1024)
    app.router.add_get("/ws", acp.handle_ws)
    rest = RestAPI(agency)
    app.middlewares.append(rest.unmatched)
    app.router.add_routes(rest.routes())
    app.router.add_routes(GUI(agency).routes())
    app["agency"] = agency
    app["store"] = store
    app["topics"] = topics
    return agency, app


async def serve(config: AgencyConfig, license: LicenseInfo) -> None:
    agency, app = await build(config, license)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, config.listen.host, config.listen.port)
    await site.start()
    for unit in agency.units.values():
        unit.start()
    log.info("uzor-agency listening on %s:%s with %d unit(s)", config.listen.host,
             config.listen.port, len(agency.units))  # fmt: skip
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    refresher = asyncio.create_task(_refresh_topics(app["topics"]))
    try:
        await stop.wait()
    finally:
        refresher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await refresher
        await agency.acp.close_all("agency stopping")
        for unit in agency.units.values():
            await unit.stop()
        await agency.operators.drain()
        await runner.cleanup()
        app["store"].close()


async def _refresh_topics(topics: TopicCache) -> None:
    while True:
        await asyncio.sleep(topics.ttl)
        try:
            await topics.refresh()
        except Exception as exc:  # the database may be briefly away; keep the last topics
            log.warning("refreshing inbound topics failed: %s", exc)
