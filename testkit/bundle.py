"""The installer bundle for the end-to-end tier and the benchmarks: an ephemeral vendor key
(``make_vendor_key``, in a temporary directory; it never enters the repository) and the bundle
signed with it (``build_bundle``)."""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass
from pathlib import Path

from testkit.tools import require_tool

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Bundle:
    run: Path
    version: str
    vendor_key: Path
    vendor_pub: Path
    fingerprint: str


def key_fingerprint(pub: Path) -> str:
    der = subprocess.run(
        ["openssl", "pkey", "-pubin", "-in", str(pub), "-outform", "DER"],
        capture_output=True,
        check=True,
    ).stdout
    return hashlib.sha256(der[-32:]).hexdigest()


def make_vendor_key(directory: Path) -> tuple[Path, Path]:
    uzor_license = REPO / ".venv" / "bin" / "uzor-license"
    subprocess.run([str(uzor_license), "keygen", "--out", str(directory)], check=True)
    return directory / "vendor.key", directory / "vendor.pub"


def build_bundle(out: Path, key: Path, pub: Path) -> Bundle:
    """installer/build_run.sh signed with ``key`` into ``out`` (fails the test on error)."""
    require_tool("makeself", "makeself")
    require_tool("dpkg-deb", "dpkg")
    result = subprocess.run(
        [str(REPO / "installer" / "build_run.sh"), "--vendor-key", str(key), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (run,) = out.glob("uzor_*.run")
    version = run.name.removeprefix("uzor_").removesuffix(".run")
    return Bundle(run, version, key, pub, key_fingerprint(pub))
