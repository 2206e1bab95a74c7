"""The SIP WebSocket URL a login gives the browser: nginx's /sip/<unit> proxy over TLS."""

from types import SimpleNamespace
from typing import Any

import pytest

from appliance.agency.operators.login import _sip_access
from appliance.ami.manager import UnitAccess


def unit(ws_url: str = "", sip_domain: str = "") -> Any:
    return SimpleNamespace(unit=UnitAccess("pbx1", "10.0.0.5", 5038, "u", "s", ws_url, sip_domain))


def test_without_a_url_from_the_admin_it_is_the_proxy_on_the_server_the_browser_uses() -> None:
    assert _sip_access(unit(), "uzor.example")[0] == "wss://uzor.example/sip/pbx1"
    assert _sip_access(unit(), "192.0.2.7:8443")[0] == "wss://192.0.2.7:8443/sip/pbx1"
    assert _sip_access(unit(), "[2001:db8::1]")[0] == "wss://[2001:db8::1]/sip/pbx1"


def test_the_url_the_admin_gives_the_unit_wins() -> None:
    ws_url, domain = _sip_access(unit("wss://pbx.example/ws", "sip.example:5060"), "x")
    assert (ws_url, domain) == ("wss://pbx.example/ws", "sip.example")


@pytest.mark.parametrize("host", ["", "evil.example/path", "a b", "x@evil.example", "h:port"])
def test_a_host_header_that_is_not_a_host_falls_back_to_the_units_address(host: str) -> None:
    assert _sip_access(unit(), host)[0] == "wss://10.0.0.5/sip/pbx1"
