"""The admin's configuration (admin.yaml): schema, loading and secrets from files.

The configurator writes admin.yaml; local changes go to ``admin.conf.d/*.yaml`` beside it (read
in name order, each overriding key by key). The layers are read by the loader every component
uses (``uzor_common.config``): unknown keys are refused and every error names the file and the
key.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from uzor_common import config as common_config
from uzor_common.config import ConfigError

__all__ = [  # ConfigError: the common loader's, named here for the admin's callers
    "AdminConfig",
    "ConfigError",
    "config_path",
    "load_config",
    "read_secret",
]

DEFAULT_CONFIG_PATH = Path("/etc/uzor/admin.yaml")
CONFIG_ENV = "UZOR_ADMIN_CONFIG"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseConfig(_Strict):
    name: str = "uzor"
    user: str = "uzor"
    host: str = "127.0.0.1"
    port: int = Field(default=3306, ge=1, le=65535)
    socket: str | None = None
    password_file: Path = Path("/etc/uzor/secrets/db_password")


class LicenseConfig(_Strict):
    path: Path = Path("/etc/uzor/license.key")
    public_keys: Path = Path("/usr/share/uzor/keys")
    required: bool = True


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _loopback_networks() -> list[IPNetwork]:
    return [ipaddress.IPv4Network("127.0.0.0/8"), ipaddress.IPv6Network("::1/128")]


class AdminConfig(_Strict):
    secret_key_file: Path = Path("/etc/uzor/secrets/django_secret_key")
    # The ed25519 key that signs the PBX units' configuration (callcenter/bundle_signing.py).
    bundle_signing_key: Path = Path("/etc/uzor/secrets/bundle_signing_key")
    # The ed25519 key that signs the wallboard's tokens for the agency (supervisor_signing.py).
    supervisor_signing_key: Path = Path("/etc/uzor/secrets/supervisor_signing_key")
    # The agency's wallboard WebSocket as the supervisor's browser reaches it: a path on the
    # admin's own host (nginx proxies /agency/) or a full ws:// or wss:// URL.
    wallboard_url: str = "/agency/wallboard/ws"
    debug: bool = False
    allowed_hosts: list[str] = Field(default_factory=lambda: ["*"])
    database: DatabaseConfig = Field(default_factory=DatabaseConfig)
    license: LicenseConfig = Field(default_factory=LicenseConfig)
    static_root: Path = Path("/var/lib/uzor/static")
    media_root: Path = Path("/var/lib/uzor/media")
    public_url: str | None = None
    # Session and CSRF cookies only over HTTPS (nginx); false only for a plain-HTTP test server.
    secure_cookies: bool = True
    # Where the PBX units accept the workplaces' SIP from: this host's nginx (its /sip proxy to
    # the units' WebSocket) and, on a separate app node, that node's addresses.
    workplace_signalling_from: list[IPNetwork] = Field(
        default_factory=_loopback_networks, min_length=1
    )


def config_path() -> Path:
    """The admin.yaml in use: $UZOR_ADMIN_CONFIG when set, else /etc/uzor/admin.yaml."""
    return Path(os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG_PATH)


def conf_d_path(path: Path) -> Path:
    """The drop-in directory of ``path``: /etc/uzor/admin.yaml -> /etc/uzor/admin.conf.d."""
    return path.with_name(f"{path.stem}.conf.d")


def load_config(path: Path | None = None) -> AdminConfig:
    """admin.yaml < admin.conf.d/*.yaml, validated; relative paths are relative to admin.yaml."""
    path = path or config_path()
    if not path.is_file():
        try:
            common_config.read_yaml(path)  # says why it cannot be read
        except ConfigError as exc:
            raise ConfigError(exc.text, common_config.setup_hint(CONFIG_ENV)) from exc
    config = common_config.load(AdminConfig, path, conf_d=conf_d_path(path))
    return _resolve_relative_paths(config, path.parent)


def _resolve_relative_paths(config: AdminConfig, base: Path) -> AdminConfig:
    """Relative paths in the file are relative to the file's own directory."""

    def resolve(value: Path) -> Path:
        return value if value.is_absolute() else base / value

    database = config.database.model_copy(
        update={"password_file": resolve(config.database.password_file)}
    )
    license_ = config.license.model_copy(
        update={
            "path": resolve(config.license.path),
            "public_keys": resolve(config.license.public_keys),
        }
    )
    return config.model_copy(
        update={
            "secret_key_file": resolve(config.secret_key_file),
            "bundle_signing_key": resolve(config.bundle_signing_key),
            "supervisor_signing_key": resolve(config.supervisor_signing_key),
            "static_root": resolve(config.static_root),
            "media_root": resolve(config.media_root),
            "database": database,
            "license": license_,
        }
    )


def read_secret(path: Path, what: str) -> str:
    """The first line of a secret file, stripped; a clear error when it is missing or empty."""
    try:
        value = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the {what} ({exc.strerror})") from exc
    if not value:
        raise ConfigError(f"{path}: the {what} file is empty")
    return value
