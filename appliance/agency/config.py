"""The agency's configuration: packaged defaults < <instance>.yaml < conf.d/*.yaml < flags.

Every layer is a YAML mapping read with ``yaml.safe_load``; the merged result is validated with
pydantic, by the one loader every component uses (``uzor_common.config``). An unknown or bad
key raises its :class:`ConfigError`: one line naming the file (or flag) the key came from and
the dotted key (``render(language)``: translated; ``str``: English).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from uzor_common import config as common_config
from uzor_common.config import ConfigError, Layer

__all__ = [  # ConfigError: the common loader's, named here for the agency's callers
    "AgencyConfig",
    "ConfigError",
    "build_config",
    "load_config",
    "redacted",
]

DEFAULTS_PATH = Path(__file__).with_name("defaults.yaml")
SECRET_KEYS = ("password_file", "token_file", "secret_file")


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
    # the license file is read and verified again this often while the agency runs: a replaced
    # license takes effect, one that became invalid stops new logins
    recheck_seconds: float = Field(default=300.0, gt=0, le=86400)


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


class WallboardConfig(_Section):
    """The supervisors' wallboard: the public half of the admin's key that signs its tokens
    (written by the configurator; a missing file refuses every wallboard)."""

    public_key_file: Path = Path("/etc/uzor/agency/supervisor_key.pub")


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
    wallboard: WallboardConfig = WallboardConfig()
    units: tuple[UnitConfig, ...] = ()
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # texts for terminals and REST clients that ask for no language; None: the process locale
    language: Literal["en", "ru"] | None = None


def load_config(
    path: Path | None,
    overrides: Sequence[str] = (),
    defaults_path: Path = DEFAULTS_PATH,
) -> AgencyConfig:
    """Read every layer, merge, validate. ``overrides`` are ``dotted.key=yaml-value`` flags."""
    conf_d = None if path is None else path.parent / "conf.d"
    return common_config.load(
        AgencyConfig, path, defaults=defaults_path, conf_d=conf_d, overrides=overrides
    )


def build_config(layers: Iterable[Layer]) -> AgencyConfig:
    return common_config.build(AgencyConfig, layers)


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
