"""One layered YAML configuration loader for every Uzor component.

Layers, later ones winning key by key: packaged defaults < the file < ``conf.d/*.yaml`` (sorted
by name) < overrides (``dotted.key=yaml-value``, e.g. from ``--set``). Every file is read with
``yaml.safe_load``; the merged mapping is validated by a pydantic model that rejects unknown
keys. A problem raises :class:`ConfigError`, one line naming the file (or flag) the key came
from and the dotted key; ``error.text.render("ru")`` says it in Russian, ``str(error)`` in
English.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from uzor_common.i18n import N_, Text, _

Model = TypeVar("Model", bound=BaseModel)
Layer = tuple[str, Mapping[str, Any]]


class ConfigError(Exception):
    """A configuration problem; ``str(err)`` is one English line naming the file and the key,
    ``err.render(language)`` the same in ``language``."""

    def __init__(self, text: Text | str, hint: Text | None = None) -> None:
        self.text = text if isinstance(text, Text) else Text("{text}", {"text": text})
        self.hint = hint
        super().__init__(self.render("en"))

    def render(self, language: str) -> str:
        shown = self.text.render(language)
        return shown if self.hint is None else f"{shown}; {self.hint.render(language)}"


def setup_hint(variable: str) -> Text:
    """What to do when a component's main configuration file is missing."""
    return _("run the configurator or set {variable}", variable=variable)


def load(
    model: type[Model],
    path: Path | None,
    *,
    defaults: Path | None = None,
    conf_d: Path | None = None,
    overrides: Sequence[str] = (),
) -> Model:
    """Read every layer that exists (``conf_d`` may be absent), merge, validate."""
    return build(model, read_layers(path, defaults=defaults, conf_d=conf_d, overrides=overrides))


def read_layers(
    path: Path | None,
    *,
    defaults: Path | None = None,
    conf_d: Path | None = None,
    overrides: Sequence[str] = (),
) -> list[Layer]:
    layers: list[Layer] = []
    if defaults is not None:
        layers.append((str(defaults), read_yaml(defaults)))
    if path is not None:
        layers.append((str(path), read_yaml(path)))
    if conf_d is not None and conf_d.is_dir():
        layers.extend((str(p), read_yaml(p)) for p in sorted(conf_d.glob("*.yaml")))
    layers.extend(parse_override(text) for text in overrides)
    return layers


def merge(layers: Iterable[Layer]) -> dict[str, Any]:
    """``layers`` merged in order, mappings key by key (for a reader without the owner's model,
    e.g. the configurator reading the agency's database settings)."""
    return _merged(layers, {})


def build(model: type[Model], layers: Iterable[Layer]) -> Model:
    """Merge ``layers`` (source name, mapping) in order and validate them as ``model``."""
    origins: dict[tuple[str, ...], str] = {}
    merged = _merged(layers, origins)
    try:
        return model.model_validate(merged)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, origins)) from exc


def read_yaml(path: Path) -> Mapping[str, Any]:
    """One layer: a YAML mapping (an empty file is an empty mapping)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ConfigError(_("{path}: cannot read: {reason}", path=path, reason=reason)) from exc
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        if where is None:
            raise ConfigError(_("{path}: not valid YAML", path=path)) from exc
        line = where.line + 1
        raise ConfigError(_("{path}: line {line}: not valid YAML", path=path, line=line)) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(_("{path}: the top level must be a mapping of keys", path=path))
    return data


def parse_override(text: str) -> Layer:
    """``dotted.key=yaml-value`` -> the layer ``("flag --set dotted.key", {...})``."""
    key, sep, raw = text.partition("=")
    source = f"flag --set {key}"
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


def _merged(layers: Iterable[Layer], origins: dict[tuple[str, ...], str]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for source, data in layers:
        _merge(merged, data, (), source, origins)
    return merged


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
    problem = _problem(error)
    return _("{source}: bad value for '{key}': {problem}", source=source, key=key, problem=problem)


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
    "too_short": N_("at least {min_length} item(s) are expected"),
}


def _problem(error: ErrorDetails) -> Text | str:
    template = _PROBLEMS.get(error["type"])
    if template is None:
        return error["msg"]
    values = {k: str(v) for k, v in error.get("ctx", {}).items()}
    if "expected" in values:  # "'A', 'B' or 'C'" -> "'A', 'B', 'C'" (no English word)
        values["expected"] = values["expected"].replace(" or ", ", ")
    return _(template, **values)
