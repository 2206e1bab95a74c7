"""Password checks run in a pool of their own, bounded, and an unknown agent costs a full
PBKDF2 like a known one (no timing oracle for agent numbers)."""

import asyncio

import pytest

from appliance.agency import passwords
from appliance.agency.passwords import DECOY_HASH, PasswordChecker, PasswordPoolBusyError


async def test_an_unknown_agent_costs_a_full_pbkdf2_against_the_decoy(monkeypatch) -> None:
    checked: list[str] = []
    real = passwords.check_password

    def recording(password: str, encoded: str) -> bool:
        checked.append(encoded)
        return real(password, encoded)

    monkeypatch.setattr(passwords, "check_password", recording)
    checker = PasswordChecker(workers=1)
    try:
        assert not await checker.check("guess", None)
    finally:
        checker.close()
    assert checked == [DECOY_HASH]
    assert DECOY_HASH.split("$")[:2] == ["pbkdf2_sha256", "1000000"]  # Django 5.2's default
    assert not real(DECOY_HASH.split("$")[2], DECOY_HASH)  # no password opens the decoy


async def test_more_checks_than_may_wait_are_refused_not_queued() -> None:
    checker = PasswordChecker(workers=1, max_waiting=3)
    try:
        waiting = [asyncio.ensure_future(checker.check("guess", None)) for _ in range(3)]
        await asyncio.sleep(0)
        assert checker.waiting == 3
        with pytest.raises(PasswordPoolBusyError):
            await checker.check("guess", None)
        assert await asyncio.gather(*waiting) == [False, False, False]
        assert checker.waiting == 0
    finally:
        checker.close()
