"""AMI over TLS: the pinned context trusts exactly the unit's certificate (fake servers with
certificates made here; the real unit's is in tests/integration/test_ami_tls.py)."""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading

import pytest

from appliance.ami.dispatch import Dispatcher
from appliance.ami.errors import ConnectFailedError, TLSRefusedError
from appliance.ami.manager import AMIManager, UnitAccess
from appliance.ami.sync import SyncAMIClient
from appliance.ami.tests.certificates import Identity, make_identity
from appliance.ami.tests.fake_ami import FakeAMI
from appliance.ami.tests.test_manager import FAST, wait_for
from appliance.ami.tls import CertificateTextError, PinnedCertificate, certificate_der, fingerprint

UNIT = make_identity("uzor-ami pbx1")
OTHER = make_identity("uzor-ami pbx1")  # same name, another key: an impostor
SIGNED_BY_UNIT = make_identity("uzor-ami other", issuer=UNIT, ca=False)


def serve_once(tls: ssl.SSLContext | None) -> tuple[int, threading.Thread]:
    """A manager socket that greets one client (over TLS when ``tls`` is given)."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def run() -> None:
        with listener:
            connection, _ = listener.accept()
            try:
                if tls is not None:
                    connection = tls.wrap_socket(connection, server_side=True)
                connection.sendall(b"Asterisk Call Manager/9.0.0\r\n")
                connection.recv(100)
            except OSError:
                pass  # the client refused the handshake
            finally:
                connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return port, thread


def test_the_context_trusts_only_the_pinned_certificate_and_checks_no_host_name() -> None:
    pinned = PinnedCertificate(UNIT.pem)
    assert pinned.context.verify_mode is ssl.CERT_REQUIRED
    assert pinned.context.check_hostname is False
    assert pinned.context.minimum_version >= ssl.TLSVersion.TLSv1_2
    anchors = pinned.context.get_ca_certs(binary_form=True)
    assert anchors == [certificate_der(UNIT.pem)]  # no system CAs


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        UNIT.key_pem,
        UNIT.pem + OTHER.pem,
        UNIT.pem[:120] + "\n-----END CERTIFICATE-----\n",  # cut short
        "x" + UNIT.pem,
    ],
)
def test_anything_but_one_pem_certificate_is_refused(text: str) -> None:
    with pytest.raises(CertificateTextError):
        PinnedCertificate(text)


def test_the_fingerprint_is_the_sha256_of_the_certificate() -> None:
    value = fingerprint(UNIT.pem)
    assert len(value.split(":")) == 32 and value == value.upper()
    assert value != fingerprint(OTHER.pem)


def test_the_sync_client_greets_the_unit_with_the_pinned_certificate() -> None:
    port, thread = serve_once(UNIT.server_context())
    with SyncAMIClient("127.0.0.1", port, timeout=5, tls=PinnedCertificate(UNIT.pem)) as client:
        assert client.banner.startswith("Asterisk Call Manager")
    thread.join(5)


@pytest.mark.parametrize("impostor", [OTHER, SIGNED_BY_UNIT], ids=["other-key", "signed-by-unit"])
def test_the_sync_client_refuses_another_certificate(impostor: Identity) -> None:
    port, thread = serve_once(impostor.server_context())
    with pytest.raises(TLSRefusedError) as refused:
        SyncAMIClient("127.0.0.1", port, timeout=5, tls=PinnedCertificate(UNIT.pem))
    assert refused.value.certificate is True
    assert not refused.value.retryable
    thread.join(5)


def test_the_sync_client_refuses_plain_tcp_when_a_certificate_is_pinned() -> None:
    port, thread = serve_once(None)
    with pytest.raises(TLSRefusedError) as refused:
        SyncAMIClient("127.0.0.1", port, timeout=5, tls=PinnedCertificate(UNIT.pem))
    assert refused.value.certificate is False
    assert isinstance(refused.value, ConnectFailedError)
    thread.join(5)


async def _manager_against(server_identity: Identity, pinned: str) -> AMIManager:
    fake = FakeAMI()
    await fake.start(tls=server_identity.server_context())
    unit = UnitAccess("pbx1", "127.0.0.1", fake.port, "agency", "s3cret", tls_certificate=pinned)
    manager = AMIManager(unit, FAST, Dispatcher())
    manager.start()
    manager.fake = fake  # type: ignore[attr-defined]
    return manager


async def test_the_agencys_manager_logs_in_over_tls_with_the_pinned_certificate() -> None:
    manager = await _manager_against(UNIT, UNIT.pem)
    try:
        await wait_for(lambda: manager.up)
        assert manager.fake.names()[0] == "Login"  # type: ignore[attr-defined]
    finally:
        await manager.stop()
        await manager.fake.stop()  # type: ignore[attr-defined]


@pytest.mark.parametrize("impostor", [OTHER, SIGNED_BY_UNIT], ids=["other-key", "signed-by-unit"])
async def test_the_agencys_manager_refuses_another_certificate(impostor: Identity) -> None:
    manager = await _manager_against(impostor, UNIT.pem)
    try:
        await wait_for(lambda: manager.last_error is not None)
        assert "not the pinned one" in (manager.last_error or "")
        assert not manager.up
        assert manager.fake.actions == []  # type: ignore[attr-defined] - no secret was sent
    finally:
        await manager.stop()
        await manager.fake.stop()  # type: ignore[attr-defined]


def test_the_agencys_manager_refuses_an_unusable_pinned_certificate() -> None:
    async def run() -> str | None:
        manager = await _manager_against(UNIT, "not a certificate")
        try:
            await wait_for(lambda: manager.last_error is not None)
            return manager.last_error
        finally:
            await manager.stop()
            await manager.fake.stop()  # type: ignore[attr-defined]

    assert "pinned AMI certificate is unusable" in (asyncio.run(run()) or "")
