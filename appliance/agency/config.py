"""The agency's configuration: packaged defaults < <instance>.yaml < conf.d/*.yaml < flags.

Every layer is a YAML mapping read with ``yaml.safe_load``; the merged result is validated with
pydantic. An unknown or bad key raises :class:`ConfigError` whose message is one line naming the
file (or flag) the key came from and the dotted key (``text``: translatable; ``str``: English).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import ErrorDetails

from appliance.agency.i18n import N_, Text, _

DEFAULTS_PATH = Path(__file__).with_name("defaults.yaml")
SECRET_KEYS = ("password_file", "token_file", "secret_file")


class ConfigError(Exception):
    """A configuration problem; ``str(err)`` is one line naming the file and the key."""

    def __init__(self, text: Text) -> None:
        super().__init__(str(text))
        self.text = text


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
    # permessage-deflate; off: the protocol as documented uses no WebSocket extensions
    compress: bool = False
    # a connection that has not logged in by then is closed; such connections do not count
    # toward max_clients, and at most max_unauthenticated of them are kept open at once
    login_timeout: float = Field(default=10.0, gt=0)
    max_unauthenticated: int = Field(default=5000, ge=1)


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


class AdminWatchConfig(_Section):
    """How the agency picks up the admin's changes (units, topics) while it runs."""

    interval: float = Field(default=2.0, gt=0, le=3600)  # seconds between counter reads
    full_refresh: float = Field(default=60.0, gt=0)  # re-read whatever the counter says


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
    admin_watch: AdminWatchConfig = AdminWatchConfig()
    units: tuple[UnitConfig, ...] = ()
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # texts for terminals and REST clients that ask for no language; None: the process locale
    language: Literal["en", "ru"] | None = None


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
        raise ConfigError(_("{path}: cannot read: {reason}", path=path,
                            reason=exc.strerror or exc)) from exc  # fmt: skip
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        if where is None:
            raise ConfigError(_("{path}: not valid YAML", path=path)) from exc
        raise ConfigError(_("{path}: line {line}: not valid YAML", path=path,
                            line=where.line + 1)) from exc  # fmt: skip
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(_("{path}: the top level must be a mapping of keys", path=path))
    return data


def _parse_override(text: str) -> Layer:
    source = f"flag --set {text.partition('=')[0]}"
    key, sep, raw = text.partition("=")
    if not sep or not key:
        raise ConfigError(_("{source}: expected KEY=VALUE, e.g. listen.port=8766", source=source))
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise ConfigError(_("{source}: the value is not valid YAML", source=source)) from exc
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


def _describe(exc: ValidationError, origins: Mapping[tuple[str, ...], str]) -> Text:
    error = exc.errors()[0]
    loc = tuple(str(part) for part in error["loc"])
    source: str | Text = _("configuration")
    for size in range(len(loc), 0, -1):
        if loc[:size] in origins:
            source = origins[loc[:size]]
            break
    key = ".".join(loc) or _("(top level)")
    if error["type"] == "extra_forbidden":
        return _("{source}: unknown key '{key}'", source=source, key=key)
    if error["type"] == "missing":
        return _("{source}: missing key '{key}'", source=source, key=key)
    return _("{source}: bad value for '{key}': {problem}", source=source, key=key,
             problem=_problem(error))  # fmt: skip


_PROBLEMS = {  # pydantic error type -> the problem in words (with the error's ctx values)
    "int_parsing": N_("an integer is expected"),
    "int_type": N_("an integer is expected"),
    "int_from_float": N_("an integer is expected"),
    "float_parsing": N_("a number is expected"),
    "float_type": N_("a number is expected"),
    "bool_parsing": N_("true or false is expected"),
    "bool_type": N_("true or false is expected"),
    "string_type": N_("a string is expected"),
    "model_type": N_("a mapping of keys is expected"),
    "dict_type": N_("a mapping of keys is expected"),
    "tuple_type": N_("a list is expected"),
    "list_type": N_("a list is expected"),
    "greater_than_equal": N_("it must be at least {ge}"),
    "greater_than": N_("it must be greater than {gt}"),
    "less_than_equal": N_("it must be at most {le}"),
    "less_than": N_("it must be less than {lt}"),
    "literal_error": N_("it must be one of: {expected}"),
}


def _problem(error: ErrorDetails) -> Text | str:
    template = _PROBLEMS.get(error["type"])
    if template is None:
        return error["msg"]
    values = {k: str(v) for k, v in error.get("ctx", {}).items()}
    if "expected" in values:  # "'A', 'B' or 'C'" -> "'A', 'B', 'C'" (no English word)
        values["expected"] = values["expected"].replace(" or ", ", ")
    return _(template, **values)
