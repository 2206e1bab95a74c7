"""Configuration files rendered from the Jinja2 templates in ``templates/``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jinja2

_TEMPLATES = Path(__file__).parent / "templates"

# YAML and nginx files, not HTML: values are quoted with the ``yaml`` filter below instead.
_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(_TEMPLATES),
    undefined=jinja2.StrictUndefined,
    keep_trailing_newline=True,
    autoescape=False,  # noqa: S701
)


def _yaml_scalar(value: Any) -> str:
    """A YAML scalar for ``value``: JSON's quoting is valid YAML and never runs anything."""
    if isinstance(value, Path):
        value = str(value)
    return json.dumps(value, ensure_ascii=False)


_env.filters["yaml"] = _yaml_scalar


def render(name: str, **values: Any) -> str:
    return _env.get_template(name).render(**values)
