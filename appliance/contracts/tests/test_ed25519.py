"""The stdlib-only Ed25519 verifier uzor-confgen uses: RFC 8032's vectors and ``cryptography``."""

from __future__ import annotations

import os

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from appliance.contracts.ed25519 import ed25519_verify

# RFC 8032, section 7.1, TEST 1 to 3: public key, message, signature
RFC_8032 = [
    (
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
        "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
    (
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
        "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    ),
]
L = 2**252 + 27742317777372353535851937790883648493


@pytest.mark.parametrize(("public", "message", "signature"), RFC_8032)
def test_rfc_8032_vectors_verify_and_any_changed_bit_does_not(public, message, signature):
    key, data, sig = bytes.fromhex(public), bytes.fromhex(message), bytes.fromhex(signature)
    assert ed25519_verify(key, data, sig)
    assert not ed25519_verify(key, data + b"x", sig)
    for index in (0, 31, 32, 63):
        bad = bytearray(sig)
        bad[index] ^= 0x01
        assert not ed25519_verify(key, data, bytes(bad))
    other = bytes.fromhex(RFC_8032[2][0] if public != RFC_8032[2][0] else RFC_8032[0][0])
    assert not ed25519_verify(other, data, sig)


def test_it_agrees_with_cryptography_on_random_keys_and_messages():
    for _ in range(10):
        private = Ed25519PrivateKey.generate()
        public = private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        message = os.urandom(int.from_bytes(os.urandom(1), "big"))
        assert ed25519_verify(public, message, private.sign(message))
        assert not ed25519_verify(public, message + b"\0", private.sign(message))


def test_malformed_keys_and_signatures_are_refused_not_raised():
    public, message, signature = (bytes.fromhex(v) for v in RFC_8032[1])
    assert not ed25519_verify(public[:31], message, signature)
    assert not ed25519_verify(public, message, signature[:63])
    assert not ed25519_verify(b"\xff" * 32, message, signature)  # y >= p: not a point
    # s + L is the same scalar, but RFC 8032 refuses s >= L (no malleable signatures)
    s = int.from_bytes(signature[32:], "little") + L
    assert not ed25519_verify(public, message, signature[:32] + s.to_bytes(32, "little"))
