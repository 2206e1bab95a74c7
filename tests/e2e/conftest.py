"""Session fixtures of the end-to-end tier: an ephemeral vendor key and the bundle signed with it
(testkit/bundle.py). The key lives only in the session's temporary directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from testkit.bundle import Bundle, build_bundle, make_vendor_key


@pytest.fixture(scope="session")
def vendor_key(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return make_vendor_key(tmp_path_factory.mktemp("vendor"))


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory, vendor_key: tuple[Path, Path]) -> Bundle:
    key, pub = vendor_key
    return build_bundle(tmp_path_factory.mktemp("dist"), key, pub)
