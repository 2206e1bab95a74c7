"""The armoured license text: strict parsing, tolerant of pastes, and property tests."""

from __future__ import annotations

import base64

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from licensing import armour
from licensing.errors import LicenseMalformed
from licensing.model import License, parse_license_text
from licensing.tests.conftest import LicenseFactory

SIG = bytes(range(64))
# No example database in the checkout, no deadlines or speed checks (no timing in tests).
FUZZ = settings(
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def block(*lines: str) -> str:
    return "\n".join(["-----BEGIN UZOR LICENSE-----", *lines, "-----END UZOR LICENSE-----"])


def malformed_reason(text: str) -> str:
    with pytest.raises(LicenseMalformed) as caught:
        parse_license_text(text)
    return str(caught.value)


def test_it_round_trips_a_license(make_license: LicenseFactory) -> None:
    license = make_license()
    assert parse_license_text(license.armoured()) == license


def test_it_accepts_a_block_inside_an_email_with_line_breaks_lost(
    make_license: LicenseFactory,
) -> None:
    license = make_license()
    pasted = "Hello,\n\nhere is your key:\n" + license.armoured().replace("\n", " ") + "\nBye"
    assert parse_license_text(pasted) == license
    assert parse_license_text(license.armoured().replace("\n", "\r\n")) == license


def test_the_signature_covers_the_exact_payload_bytes(make_license: LicenseFactory) -> None:
    license = make_license()
    decoded = armour.decode(license.armoured(), armour.LICENSE_LABEL)
    assert decoded.payload == license.payload
    assert decoded.payload == license.payload_bytes()


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "BEGIN UZOR LICENSE"),
        ("garbage", "BEGIN UZOR LICENSE"),
        ("-----BEGIN UZOR LICENSE-----\nKey-Id: 0123456789abcdef\n", "cut off"),
        (block() + block(), "more than one"),
        ("-----END UZOR LICENSE-----\n-----BEGIN UZOR LICENSE-----", "before"),
        (block("Key-Id: 0123456789abcdef"), "'Signature' is missing"),
        (block("Algorithm: none", "Key-Id: 0123456789abcdef"), "unexpected header 'Algorithm'"),
        (block("Key-Id: 0123456789abcdef", "Key-Id: 0123456789abcdef"), "twice"),
        (block("Key-Id:"), "no value"),
        (block("Key-Id: XYZ", "Signature: AAAA"), "16 lower-case hex"),
        (block("Key-Id: 0123456789abcdef", "Signature: !!!!"), "base64"),
        (block("Key-Id: 0123456789abcdef", "Signature: AAAA"), "64 bytes"),
        (
            block("Key-Id: 0123456789abcdef", "Signature: " + base64.b64encode(SIG).decode()),
            "payload is missing",
        ),
        (
            block(
                "Key-Id: 0123456789abcdef",
                "Signature: " + base64.b64encode(SIG).decode(),
                "",
                "e30=!",
            ),
            "payload is not valid base64",
        ),
        ("x" * (armour.MAX_ARMOUR_CHARS + 1), "too long"),
    ],
)
def test_it_rejects_bad_armour_saying_why(text: str, reason: str) -> None:
    message = malformed_reason(text)
    assert reason in message
    assert "-----BEGIN UZOR LICENSE-----" in message  # the remedy: paste the whole block


def test_it_rejects_a_truncated_license(make_license: LicenseFactory) -> None:
    text = make_license().armoured()
    for cut in (10, len(text) // 2, len(text) - 30):
        assert "UZOR LICENSE" in malformed_reason(text[:cut])


@settings(FUZZ, max_examples=300)
@given(st.text(max_size=2000))
def test_garbage_only_ever_raises_license_malformed(text: str) -> None:
    with pytest.raises(LicenseMalformed):
        parse_license_text(text)


@settings(FUZZ, max_examples=300)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["Key-Id:", "Signature:", "0123456789abcdef", "e30=", "", "\n"]),
            st.text(alphabet="ABCabc0123456789+/=: -\n", max_size=90),
        ),
        max_size=12,
    )
)
def test_blocks_with_random_content_only_ever_raise_license_malformed(parts: list[str]) -> None:
    with pytest.raises(LicenseMalformed):
        parse_license_text(block(*parts))


@pytest.fixture(scope="module")
def sample_armour() -> str:
    from datetime import UTC, datetime

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from licensing.issue import issue_license
    from licensing.tests.conftest import raw_facts

    license = issue_license(
        Ed25519PrivateKey.generate(),
        server=raw_facts(),
        customer="ACME",
        max_operators=3,
        issued_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    return license.armoured()


@settings(FUZZ, max_examples=300)
@given(position=st.integers(min_value=0), replacement=st.characters())
def test_a_mutated_license_parses_or_raises_license_malformed(
    sample_armour: str, position: int, replacement: str
) -> None:
    index = position % len(sample_armour)
    mutated = sample_armour[:index] + replacement + sample_armour[index + 1 :]
    try:
        result = parse_license_text(mutated)
    except LicenseMalformed:
        return
    assert isinstance(result, License)


@settings(FUZZ, max_examples=200)
@given(
    key_id=st.text(alphabet="0123456789abcdef", min_size=16, max_size=16),
    signature=st.binary(min_size=64, max_size=64),
    payload=st.binary(min_size=1, max_size=3000),
)
def test_the_armour_round_trips_any_bytes(key_id: str, signature: bytes, payload: bytes) -> None:
    text = armour.encode(armour.LICENSE_LABEL, key_id, signature, payload)
    assert armour.decode(text, armour.LICENSE_LABEL) == armour.Armoured(key_id, signature, payload)
    assert all(len(line) <= 100 for line in text.splitlines())
