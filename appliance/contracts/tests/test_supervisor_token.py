import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from appliance.contracts import supervisor_token as tokens

KEY = Ed25519PrivateKey.generate()
PUBLIC = tokens.public_key_from_text(tokens.public_key_text(KEY))


def spy_payload(**changes):
    payload = {
        "aud": "spy",
        "sub": "boss",
        "agent": "101",
        "mode": "listen",
        "workplace": "209",
        "exp": 1000,
        "nonce": "n1",
    }
    payload.update(changes)
    return payload


def test_a_signed_token_verifies_with_the_public_half_until_it_expires() -> None:
    token = tokens.sign(KEY, {"aud": "wallboard", "sub": "boss", "perms": ["x"], "exp": 1000})
    assert tokens.verify(PUBLIC, token, tokens.WALLBOARD, 999)["sub"] == "boss"
    with pytest.raises(tokens.TokenError, match="expired"):
        tokens.verify(PUBLIC, token, tokens.WALLBOARD, 1001)


def test_a_token_of_one_kind_never_passes_for_the_other() -> None:
    token = tokens.sign(KEY, {"aud": "wallboard", "sub": "boss", "exp": 1000})
    with pytest.raises(tokens.TokenError, match="not a spy token"):
        tokens.verify(PUBLIC, token, tokens.SPY, 1)


def test_another_key_or_an_altered_payload_is_refused() -> None:
    other = Ed25519PrivateKey.generate()
    with pytest.raises(tokens.TokenError, match="bad signature"):
        tokens.verify(PUBLIC, tokens.sign(other, spy_payload()), tokens.SPY, 1)
    good = tokens.sign(KEY, spy_payload())
    forged = tokens.sign(other, spy_payload(agent="102")).split(".")[0] + "." + good.split(".")[1]
    with pytest.raises(tokens.TokenError, match="bad signature"):
        tokens.verify(PUBLIC, forged, tokens.SPY, 1)
    for junk in ("", "abc", "a.b", "x" * 5000, None):
        with pytest.raises(tokens.TokenError):
            tokens.verify(PUBLIC, junk, tokens.SPY, 1)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"mode": "record"}, "mode"),
        ({"agent": "101,q"}, "agent"),
        ({"workplace": "209&PJSIP/x"}, "workplace"),
        ({"workplace": "PJSIP/209"}, "workplace"),
        ({"nonce": ""}, "nonce"),
        ({"sub": ""}, "user"),
    ],
)
def test_a_spy_token_with_a_field_that_could_reach_a_dial_string_is_refused(change, why) -> None:
    with pytest.raises(tokens.TokenError, match=why):
        tokens.verify(PUBLIC, tokens.sign(KEY, spy_payload(**change)), tokens.SPY, 1)


def test_a_public_key_file_must_hold_32_base64_bytes() -> None:
    for text in ("not base64!", "AAAA"):
        with pytest.raises(ValueError):
            tokens.public_key_from_text(text)
