"""uzor-confgen over HTTPS: the admin's certificate is verified against the configured CA, and
switching that off takes an explicit ``insecure: true`` that every request to the admin logs."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from appliance.pbx import confgen as client

from .test_confgen import FakeAdmin, end_pass


@pytest.fixture
def https_admin() -> Iterator[FakeAdmin]:
    admin = FakeAdmin()
    yield admin
    admin.shutdown()
    admin.server_close()


def _config(tmp_path: Path, admin: FakeAdmin, extra: str) -> Path:
    (tmp_path / "token").write_text("unit-token\n")
    pinned = tmp_path / "admin-signing-key"
    pinned.write_text(admin.public_key_text() + "\n")
    path = tmp_path / "confgen.yaml"
    path.write_text(
        f"admin_url: {admin.url}\nunit: pbx1\ntoken_file: {tmp_path / 'token'}\n"
        f"cache_dir: {tmp_path / 'cache'}\ntimeout: 3\nsigning_key: {pinned}\n{extra}"
    )
    return path


def _run(config: Path) -> tuple[int, str]:
    out = io.StringIO()
    return client.main(["--config", str(config), "queues.conf"], stdout=out), out.getvalue()


def test_it_fetches_over_https_when_the_ca_file_vouches_for_the_admin(tmp_path, https_admin):
    config = _config(tmp_path, https_admin, f"ca_file: {https_admin.ca_file}\n")
    assert _run(config) == (0, "[sales]\nmusicclass = x\n")
    assert "INSECURE" not in (tmp_path / "cache" / "confgen.log").read_text()


def test_it_refuses_an_admin_certificate_it_cannot_verify(tmp_path, https_admin):
    status, text = _run(_config(tmp_path, https_admin, ""))
    assert status == client.EXIT_NO_CONFIG
    assert "CERTIFICATE_VERIFY_FAILED" in text


def test_tls_verify_off_needs_the_insecure_flag_and_is_logged_on_every_request(
    tmp_path, https_admin
):
    status, text = _run(_config(tmp_path, https_admin, "tls_verify: false\n"))
    assert status == client.EXIT_NO_CONFIG
    assert "tls_verify: false needs insecure: true as well" in text

    config = _config(tmp_path, https_admin, "tls_verify: false\ninsecure: true\n")
    assert _run(config) == (0, "[sales]\nmusicclass = x\n")
    end_pass(config)  # the next run asks the admin again
    assert _run(config) == (0, "[sales]\nmusicclass = x\n")
    log = (tmp_path / "cache" / "confgen.log").read_text()
    assert log.count("INSECURE: the admin's TLS certificate is not verified") == 2
