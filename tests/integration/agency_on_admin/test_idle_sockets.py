"""An unauthenticated flood against the real agency: 2,000 WebSocket connections that never log
in (four times max_clients) do not stop an operator from logging in and taking a call, and the
agency closes them once their login time is over."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from testkit.agency import until
from testkit.agency_site import DID, Site, logged_in

pytestmark = pytest.mark.integration

IDLE = 2000  # the default max_clients is 500


async def test_idle_connections_do_not_lock_operators_out(site: Site) -> None:
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as flood, aiohttp.ClientSession() as http:
        idle = await asyncio.gather(
            *(flood.ws_connect(f"{site.agency.url}/ws", heartbeat=None) for _ in range(IDLE))
        )
        terminal = await logged_in(site, http)  # would be max_clients before the fix
        site.phone.answer(1)
        call = site.carrier.start_call(DID, caller_id='"Petrov" <79161234567>', hold=4)
        assert (await until(terminal, "call_incoming"))["data"]["number"] == "79161234567"
        await until(terminal, "call_answered")
        await until(terminal, "call_ended")
        assert call.wait_ended(30).answered
        site.phone.wait()

        # the flood is closed by the agency after its login time (10 s by default)
        closed = await asyncio.gather(*(ws.receive(timeout=30) for ws in idle))
        assert {frame.type for frame in closed} <= {
            aiohttp.WSMsgType.CLOSE,
            aiohttp.WSMsgType.CLOSED,
            aiohttp.WSMsgType.ERROR,
        }
        status = site.agency.status(site.agency.token)
        assert status["terminals"] == 1, status  # the operator's
