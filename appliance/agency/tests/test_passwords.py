from django.contrib.auth.hashers import PBKDF2PasswordHasher, PBKDF2SHA1PasswordHasher

from appliance.agency.passwords import check_password


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
