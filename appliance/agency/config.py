"""The agency's configuration: packaged defaults < <instance>.yaml < conf.d/*.yaml < flags.

Every layer is a YAML mapping read with ``yaml.safe_load``; the merged result is validated with
pydantic. An unknown or bad key raises :class:`ConfigError` whose message is one line naming the
file (or flag) the key came from and the dotted key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

DEFAULTS_PATH = Path(__file__).with_name("defaults.yaml")
SECRET_KEYS = ("password_file", "token_file", "secret_file")


class ConfigError(Exception):
    """A configuration problem; ``str(err)`` is one line naming the file and the key."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ListenConfig(_Section):
    host: str
    port: int = Field(ge=1, le=65535)


class DatabaseConfig(_Section):
    name: str
    user: str
    host: str
    port: int = Field(ge=1, le=65535)
    socket: str | None = None
    password_file: Path


class LicenseConfig(_Section):
    path: Path
    public_keys: Path
    # terminals get a ``license`` notification at login when the license ends this soon (0: never)
    warn_days: int = Field(default=14, ge=0, le=3650)


class ApiConfig(_Section):
    token_file: Path


class AcpConfig(_Section):
    max_clients: int = Field(ge=0)
    max_message_bytes: int = Field(ge=256)
    client_queue: int = Field(ge=1)
    login_attempts_per_minute: int = Field(ge=1)
    heartbeat: float = Field(gt=0)


class AmiConfig(_Section):
    connect_timeout: float = Field(gt=0)
    keepalive_interval: float = Field(gt=0)
    keepalive_timeout: float = Field(gt=0)
    action_timeout: float = Field(gt=0)
    reconnect_min: float = Field(gt=0)
    reconnect_max: float = Field(gt=0)


class OperatorsConfig(_Section):
    pause_limit: float = Field(gt=0)
    reconnect_grace: float = Field(gt=0)


class UnitConfig(_Section):
    """A PBX unit given in the file (otherwise units come from the admin's database)."""

    name: str
    host: str
    port: int = Field(default=5038, ge=1, le=65535)
    username: str
    secret_file: Path


class AgencyConfig(_Section):
    listen: ListenConfig
    database: DatabaseConfig
    license: LicenseConfig
    api: ApiConfig
    acp: AcpConfig
    ami: AmiConfig
    operators: OperatorsConfig
    units: tuple[UnitConfig, ...] = ()
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


Layer = tuple[str, Mapping[str, Any]]


def load_config(
    path: Path | None,
    overrides: Sequence[str] = (),
    defaults_path: Path = DEFAULTS_PATH,
) -> AgencyConfig:
    """Read every layer, merge, validate. ``overrides`` are ``dotted.key=yaml-value`` flags."""
    layers: list[Layer] = [(str(defaults_path), _read_yaml(defaults_path))]
    if path is not None:
        layers.append((str(path), _read_yaml(path)))
        conf_d = path.parent / "conf.d"
        if conf_d.is_dir():
            layers.extend((str(p), _read_yaml(p)) for p in sorted(conf_d.glob("*.yaml")))
    layers.extend(_parse_override(text) for text in overrides)
    return build_config(layers)


def build_config(layers: Iterable[Layer]) -> AgencyConfig:
    merged: dict[str, Any] = {}
    origins: dict[tuple[str, ...], str] = {}
    for source, data in layers:
        _merge(merged, data, (), source, origins)
    try:
        return AgencyConfig.model_validate(merged)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, origins)) from exc


def redacted(config: AgencyConfig) -> dict[str, Any]:
    """The configuration as JSON-able data, with every secret reference replaced."""
    shown: dict[str, Any] = _redact(config.model_dump(mode="json"))
    return shown


def _redact(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: ("<redacted>" if k in SECRET_KEYS and v is not None else _redact(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_redact(v) for v in value]
    return value


def _read_yaml(path: Path) -> Mapping[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" line {where.line + 1}" if where is not None else ""
        raise ConfigError(f"{path}:{line}: not valid YAML") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of keys")
    return data


def _parse_override(text: str) -> Layer:
    source = f"flag --set {text.partition('=')[0]}"
    key, sep, raw = text.partition("=")
    if not sep or not key:
        raise ConfigError(f"{source}: expected KEY=VALUE, e.g. listen.port=8766")
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: the value is not valid YAML") from exc
    data: Any = value
    for part in reversed(key.split(".")):
        data = {part: data}
    return source, data


def _merge(
    target: dict[str, Any],
    data: Mapping[str, Any],
    prefix: tuple[str, ...],
    source: str,
    origins: dict[tuple[str, ...], str],
) -> None:
    for key, value in data.items():
        path = (*prefix, str(key))
        current = target.get(key)
        if isinstance(value, Mapping) and isinstance(current, dict):
            _merge(current, value, path, source, origins)
            continue
        target[key] = dict(value) if isinstance(value, Mapping) else value
        for known in [p for p in origins if p[: len(path)] == path]:
            del origins[known]
        origins[path] = source


def _describe(exc: ValidationError, origins: Mapping[tuple[str, ...], str]) -> str:
    error = exc.errors()[0]
    loc = tuple(str(part) for part in error["loc"])
    source = "configuration"
    for size in range(len(loc), 0, -1):
        if loc[:size] in origins:
            source = origins[loc[:size]]
            break
    key = ".".join(loc) or "(top level)"
    if error["type"] == "extra_forbidden":
        return f"{source}: unknown key '{key}'"
    if error["type"] == "missing":
        return f"{source}: missing key '{key}'"
    return f"{source}: bad value for '{key}': {error['msg']}"
