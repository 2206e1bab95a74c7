"""TLS: the self-signed certificate names every address, is kept while it fits, and an
existing certificate + key is checked (PEM, matching, not expired) before nginx uses it."""

from __future__ import annotations

import datetime as dt
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from configurator.core.network import host_names
from configurator.core.questions import InvalidAnswerError, check
from configurator.core.step import StepError
from configurator.core.steps.tls import LOOPBACK, TlsStep
from configurator.core.tlscert import subject_alt_names
from configurator.i18n import set_language
from configurator.tests.helpers import ADDRESSES, Recorder, make_context

NOW = dt.datetime.now(dt.UTC)


def write_pair(
    directory: Path,
    *,
    not_before: dt.datetime = NOW - dt.timedelta(days=1),
    not_after: dt.datetime = NOW + dt.timedelta(days=90),
    passphrase: bytes | None = None,
    name: str = "pair",
) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "uzor.example")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )
    encryption = (
        serialization.BestAvailableEncryption(passphrase)
        if passphrase
        else serialization.NoEncryption()
    )
    cert_path, key_path = directory / f"{name}.crt", directory / f"{name}.key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption)
    )
    return cert_path, key_path


@pytest.fixture(autouse=True)
def english() -> None:
    set_language("en")


def test_self_signed_certificate_names_every_address_and_the_host(tmp_path: Path) -> None:
    ctx = make_context(tmp_path / "root")
    progress = Recorder()
    result = TlsStep().apply(ctx, {"tls.mode": "self-signed"}, progress)

    assert result.changed
    cert = x509.load_pem_x509_certificate(ctx.paths.tls_certificate.read_bytes())
    dns, ips = subject_alt_names(cert)
    assert ips == {*ADDRESSES, *LOOPBACK}
    assert {*host_names(), "localhost"} <= dns
    assert stat.S_IMODE(ctx.paths.tls_key.stat().st_mode) == 0o600
    snippet = ctx.paths.nginx_tls_snippet.read_text()
    assert f"ssl_certificate {ctx.paths.tls_certificate};" in snippet
    assert f"ssl_certificate_key {ctx.paths.tls_key};" in snippet
    assert "BEGIN" not in progress.text


def test_a_second_run_keeps_the_certificate_until_an_address_changes(tmp_path: Path) -> None:
    ctx = make_context(tmp_path / "root")
    TlsStep().apply(ctx, {"tls.mode": "self-signed"}, Recorder())
    first = ctx.paths.tls_certificate.read_bytes()

    again = TlsStep().apply(ctx, {"tls.mode": "self-signed"}, Recorder())
    assert not again.changed
    assert ctx.paths.tls_certificate.read_bytes() == first

    import ipaddress

    ctx.addresses = lambda: [*ADDRESSES, ipaddress.ip_address("198.51.100.7")]
    renewed = TlsStep().apply(ctx, {"tls.mode": "self-signed"}, Recorder())
    assert renewed.changed
    cert = x509.load_pem_x509_certificate(ctx.paths.tls_certificate.read_bytes())
    assert ipaddress.ip_address("198.51.100.7") in subject_alt_names(cert)[1]


def test_an_existing_pair_is_checked_and_nginx_points_at_it(tmp_path: Path) -> None:
    cert_path, key_path = write_pair(tmp_path)
    ctx = make_context(tmp_path / "root")
    answers = {"tls.mode": "existing", "tls.certificate": str(cert_path), "tls.key": str(key_path)}

    TlsStep().apply(ctx, answers, Recorder())

    snippet = ctx.paths.nginx_tls_snippet.read_text()
    assert f"ssl_certificate {cert_path};" in snippet
    assert f"ssl_certificate_key {key_path};" in snippet
    assert not ctx.paths.tls_certificate.exists()
    defaults = {q.key: q.default for q in TlsStep().questions(ctx)}
    assert defaults == {
        "tls.mode": "existing",
        "tls.certificate": str(cert_path),
        "tls.key": str(key_path),
    }


def test_hsts_only_with_the_installers_own_certificate(tmp_path: Path) -> None:
    ctx = make_context(tmp_path / "root")
    TlsStep().apply(ctx, {"tls.mode": "self-signed"}, Recorder())
    assert "Strict-Transport-Security" not in ctx.paths.nginx_hsts_snippet.read_text()

    cert_path, key_path = write_pair(tmp_path)
    answers = {"tls.mode": "existing", "tls.certificate": str(cert_path), "tls.key": str(key_path)}
    assert TlsStep().apply(ctx, answers, Recorder()).changed
    hsts = ctx.paths.nginx_hsts_snippet.read_text()
    assert 'add_header Strict-Transport-Security "max-age=31536000" always;' in hsts.splitlines()


def question(ctx: object, key: str):  # type: ignore[no-untyped-def]
    return next(q for q in TlsStep().questions(ctx) if q.key == key)  # type: ignore[arg-type]


def refusal(tmp_path: Path, cert_path: Path, key_path: Path) -> str:
    ctx = make_context(tmp_path / "root")
    answers = {"tls.mode": "existing", "tls.certificate": str(cert_path), "tls.key": str(key_path)}
    with pytest.raises(StepError) as error:
        TlsStep().apply(ctx, answers, Recorder())
    assert not ctx.paths.nginx_tls_snippet.exists()
    return str(error.value)


def test_a_key_of_another_certificate_is_refused(tmp_path: Path) -> None:
    cert_path, _ = write_pair(tmp_path, name="one")
    _, other_key = write_pair(tmp_path, name="two")
    assert refusal(tmp_path, cert_path, other_key) == (
        f"The key {other_key} does not belong to the certificate {cert_path}."
    )


def test_an_expired_certificate_is_refused(tmp_path: Path) -> None:
    cert_path, key_path = write_pair(
        tmp_path, not_before=NOW - dt.timedelta(days=30), not_after=NOW - dt.timedelta(days=2)
    )
    expired = (NOW - dt.timedelta(days=2)).date().isoformat()
    assert refusal(tmp_path, cert_path, key_path) == (
        f"The certificate {cert_path} expired on {expired}."
    )


def test_a_certificate_not_yet_valid_is_refused(tmp_path: Path) -> None:
    cert_path, key_path = write_pair(tmp_path, not_before=NOW + dt.timedelta(days=3))
    assert "is not valid before" in refusal(tmp_path, cert_path, key_path)


def test_files_that_are_not_pem_are_refused(tmp_path: Path) -> None:
    cert_path, key_path = write_pair(tmp_path)
    garbage = tmp_path / "garbage.txt"
    garbage.write_text("hello\n")
    assert refusal(tmp_path, garbage, key_path) == f"{garbage} is not a PEM certificate."
    assert refusal(tmp_path, cert_path, garbage) == f"{garbage} is not a PEM private key."


def test_a_key_with_a_passphrase_is_refused(tmp_path: Path) -> None:
    cert_path, key_path = write_pair(tmp_path, passphrase=b"secret-pass")
    assert "protected by a passphrase" in refusal(tmp_path, cert_path, key_path)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    cert_path, _ = write_pair(tmp_path)
    missing = tmp_path / "nope.key"
    assert refusal(tmp_path, cert_path, missing) == (
        f"Cannot read {missing}: there is no such file"
    )


def test_the_key_question_shows_the_mismatch_while_asking(tmp_path: Path) -> None:
    cert_path, _ = write_pair(tmp_path, name="one")
    _, other_key = write_pair(tmp_path, name="two")
    ctx = make_context(tmp_path / "root")
    answers = {"tls.mode": "existing", "tls.certificate": str(cert_path)}
    with pytest.raises(InvalidAnswerError, match="does not belong"):
        check(question(ctx, "tls.key"), str(other_key), answers)
    with pytest.raises(InvalidAnswerError, match="absolute path"):
        check(question(ctx, "tls.key"), "relative key.pem", answers)


def test_an_ecdsa_pair_is_accepted(tmp_path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ec.example")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "ec.crt", tmp_path / "ec.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    ctx = make_context(tmp_path / "root")
    answers = {"tls.mode": "existing", "tls.certificate": str(cert_path), "tls.key": str(key_path)}
    assert TlsStep().apply(ctx, answers, Recorder()).changed


def test_the_packages_snakeoil_placeholder_is_replaced_by_default(tmp_path: Path) -> None:
    ctx = make_context(tmp_path / "root")
    ctx.paths.nginx_tls_snippet.parent.mkdir(parents=True)
    ctx.paths.nginx_tls_snippet.write_text(
        "ssl_certificate /etc/ssl/certs/ssl-cert-snakeoil.pem;\n"
        "ssl_certificate_key /etc/ssl/private/ssl-cert-snakeoil.key;\n"
    )
    defaults = {q.key: q.default for q in TlsStep().questions(ctx)}
    assert defaults["tls.mode"] == "self-signed"
    TlsStep().apply(ctx, {"tls.mode": "self-signed"}, Recorder())
    assert (
        f"ssl_certificate {ctx.paths.tls_certificate};" in ctx.paths.nginx_tls_snippet.read_text()
    )
