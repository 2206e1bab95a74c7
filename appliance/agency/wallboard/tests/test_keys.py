from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from appliance.agency.wallboard.keys import load_public_key
from appliance.contracts.supervisor_token import public_key_text


def test_the_public_key_is_read_and_a_missing_or_bad_file_refuses_every_page(tmp_path) -> None:
    key = Ed25519PrivateKey.generate()
    good = tmp_path / "supervisor_key.pub"
    good.write_text(public_key_text(key) + "\n")
    loaded = load_public_key(good)
    assert loaded is not None and loaded.public_bytes_raw() == key.public_key().public_bytes_raw()
    bad = tmp_path / "bad.pub"
    bad.write_text("not a key\n")
    assert load_public_key(bad) is None
    assert load_public_key(tmp_path / "missing.pub") is None
