"""The admin's configuration file (admin.yaml): schema, loading and secrets from files.

The configurator writes the file; this module validates it. Unknown keys are refused and every
error names the file and the key.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

DEFAULT_CONFIG_PATH = Path("/etc/uzor/admin.yaml")
CONFIG_ENV = "UZOR_ADMIN_CONFIG"


class ConfigError(Exception):
    """The configuration file is missing, unreadable or invalid; str() says what and where."""


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


def load_config(path: Path | None = None) -> AdminConfig:
    path = path or config_path()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(
            f"{path}: cannot read the admin configuration ({exc.strerror}); "
            f"run the configurator or set {CONFIG_ENV}"
        ) from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of keys")
    try:
        config = AdminConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_describe(exc)}") from exc
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
            "static_root": resolve(config.static_root),
            "media_root": resolve(config.media_root),
            "database": database,
            "license": license_,
        }
    )


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        key = ".".join(str(item) for item in error["loc"]) or "(top level)"
        message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
        parts.append(f"{key}: {message}")
    return "; ".join(parts)


def read_secret(path: Path, what: str) -> str:
    """The first line of a secret file, stripped; a clear error when it is missing or empty."""
    try:
        value = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the {what} ({exc.strerror})") from exc
    if not value:
        raise ConfigError(f"{path}: the {what} file is empty")
    return value
