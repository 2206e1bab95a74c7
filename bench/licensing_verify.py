"""Prints what the license check costs: collecting facts, parsing and verifying a license.

Run: .venv/bin/python bench/licensing_verify.py
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from licensing import parse_license_text, verify
from licensing.issue import issue_license
from licensing.keys import key_id
from licensing.server_id import collect_facts, current_server_id


def per_call_ms(function: Callable[[], object], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        function()
    return (time.perf_counter() - start) / repeat * 1000


def main() -> None:
    key = Ed25519PrivateKey.generate()
    keys = {key_id(key.public_key()): key.public_key()}
    facts = collect_facts()
    license = issue_license(key, server=facts, customer="ACME", max_operators=50)
    text = license.armoured()
    now = datetime.now(UTC)
    print(f"server ID length:       {len(current_server_id())} characters")
    print(f"license block:          {len(text)} characters, {text.count(chr(10))} lines")
    print(f"collect_facts():        {per_call_ms(collect_facts, 200):.3f} ms")
    print(f"parse_license_text():   {per_call_ms(lambda: parse_license_text(text), 2000):.3f} ms")
    verify_ms = per_call_ms(lambda: verify(license, keys, facts, now), 2000)
    print(f"verify():               {verify_ms:.3f} ms")


if __name__ == "__main__":
    main()
