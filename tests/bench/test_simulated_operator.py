"""The load harness's simulated terminal reconnects like the webagent: with the session's resume
token (no password, no PBKDF2 on the agency), and with the password only when the agency refuses
the token. Against the agency's real ACP server and operator service on the unit-test fakes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from appliance.agency.acp.server import ACPServer
from appliance.agency.config import AcpConfig
from appliance.agency.operators.tests.fakes import (
    PASSWORD,
    FakeNotifier,
    FakeStore,
    FakeUnit,
    shut_down,
    wired_service,
)
from bench.load.operators import Credentials, OperatorStats, SimulatedOperator

SETTINGS = AcpConfig(
    max_clients=10,
    max_message_bytes=4096,
    client_queue=16,
    login_attempts_per_minute=10,
    heartbeat=30,
)


class Agency:
    def __init__(self, service: Any, server: ACPServer, url: str) -> None:
        self.service, self.server, self.url = service, server, url
        self.password_checks = 0
        checker = service.logins.passwords
        original = checker.check

        async def check(password: str, encoded: str | None) -> bool:
            self.password_checks += 1
            return bool(await original(password, encoded))

        checker.check = check

    async def drop_terminal(self) -> None:
        """The terminal's connection is cut (the agency side closes it)."""
        for client in list(self.server.clients.values()):
            await client.ws.close()


@pytest.fixture
async def agency() -> AsyncIterator[Agency]:
    service = wired_service(FakeStore(), FakeUnit(), FakeNotifier())
    server = ACPServer(SETTINGS, service)
    app = web.Application()
    app.router.add_get("/ws", server.handle_ws)
    test_server = TestServer(app)
    await test_server.start_server()
    try:
        yield Agency(service, server, str(test_server.make_url("")).rstrip("/"))
    finally:
        await test_server.close()
        await shut_down(service)


async def until(check: Any, what: str) -> None:
    for _ in range(400):
        if check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never: {what}")


async def test_a_dropped_terminal_resumes_with_its_token_and_falls_back_to_the_password(
    agency: Agency,
) -> None:
    stats = OperatorStats()
    operator = SimulatedOperator(
        agency.url, Credentials("101", PASSWORD, "e8039ab5e0c9"), stats, (1.0, 2.0)
    )
    stop = asyncio.Event()
    async with aiohttp.ClientSession() as http:
        running = asyncio.ensure_future(operator.run(http, stop))
        try:
            await until(lambda: stats.logins == 1, "the first login")
            assert agency.password_checks == 1 and operator.token

            await agency.drop_terminal()
            await until(lambda: stats.logins == 2, "the login after the reconnect")
            assert stats.token_logins == 1
            assert agency.password_checks == 1  # resumed with the token: no password check

            agency.service.sessions["101"].resume_hash = "0" * 64  # the token no longer fits
            await agency.drop_terminal()
            await until(lambda: stats.logins == 3, "the login with the password")
            assert stats.tokens_refused == 1
            assert agency.password_checks == 2
            assert stats.login_times["101"][-1][1] is True  # the same session, resumed
        finally:
            stop.set()
            await asyncio.wait_for(running, 10)
