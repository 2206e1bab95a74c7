"""The password-hash format the admin writes and the agency checks: Django's PBKDF2, both ways
(Django is the reference implementation here; the contract itself does not import it)."""

from django.contrib.auth.hashers import PBKDF2PasswordHasher, PBKDF2SHA1PasswordHasher

from appliance.contracts.passwords import DECOY_HASH, ITERATIONS, check_password, hash_password


def test_it_accepts_djangos_default_hash_and_refuses_a_wrong_password() -> None:
    encoded = PBKDF2PasswordHasher().encode("s3cret-pass", "abcdefgh12345678")
    assert check_password("s3cret-pass", encoded)
    assert not check_password("s3cret-pasS", encoded)


def test_it_accepts_pbkdf2_sha1() -> None:
    encoded = PBKDF2SHA1PasswordHasher().encode("пароль", "saltsaltsalt")
    assert check_password("пароль", encoded)


def test_it_refuses_unusable_and_unknown_hashes() -> None:
    assert not check_password("x", "!unusable")
    assert not check_password("x", "")
    assert not check_password("x", "argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdA$aGFzaA")
    assert not check_password("x", "pbkdf2_sha256$99999999999$salt$hash")
    assert not check_password("x", "pbkdf2_sha256$abc$salt$hash")


def test_what_it_writes_is_djangos_default_hash_with_a_fresh_salt() -> None:
    encoded = hash_password("пароль-101", iterations=1000)
    assert encoded.startswith("pbkdf2_sha256$1000$")
    assert PBKDF2PasswordHasher().verify("пароль-101", encoded)
    assert check_password("пароль-101", encoded) and not check_password("пароль-102", encoded)
    salted = hash_password("same", salt="abcdefgh12345678", iterations=1000)
    assert salted == PBKDF2PasswordHasher().encode("same", "abcdefgh12345678", 1000)
    assert hash_password("same", iterations=1000) != hash_password("same", iterations=1000)


def test_the_default_cost_is_djangos_and_the_decoys() -> None:
    assert PBKDF2PasswordHasher.iterations == ITERATIONS
    assert DECOY_HASH.split("$")[1] == str(ITERATIONS)


def test_no_password_is_an_unusable_hash() -> None:
    unusable = hash_password(None)
    assert unusable.startswith("!") and not check_password("", unusable)
    assert hash_password(None) != unusable
