"""Session fixtures of the end-to-end tier: an ephemeral vendor key and the bundle signed with it.

The key lives only in the session's temporary directory; it never enters the repository."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fixtures.tools import require_tool

REPO = Path(__file__).resolve().parents[2]


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
    import hashlib

    return hashlib.sha256(der[-32:]).hexdigest()


def make_vendor_key(directory: Path) -> tuple[Path, Path]:
    uzor_license = REPO / ".venv" / "bin" / "uzor-license"
    subprocess.run([str(uzor_license), "keygen", "--out", str(directory)], check=True)
    return directory / "vendor.key", directory / "vendor.pub"


@pytest.fixture(scope="session")
def vendor_key(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_vendor_key(tmp_path_factory.mktemp("vendor"))


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory, vendor_key: tuple[Path, Path]) -> Bundle:
    require_tool("makeself", "makeself")
    require_tool("dpkg-deb", "dpkg")
    out = tmp_path_factory.mktemp("dist")
    key, pub = vendor_key
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
