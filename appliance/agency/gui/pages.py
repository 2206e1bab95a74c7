"""The GUI's pages, rendered from ``templates/`` with Jinja2 (autoescaped) and the texts of the
agency's gettext catalogue in the page's language.

Templates call ``_()`` on literal texts only; a text that comes from elsewhere (a note named in
the query string, a mode or state) is translated here and handed in as plain, escaped data.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from appliance.agency.i18n import translations

TEMPLATES = Path(__file__).with_name("templates")


@cache
def environment(language: str) -> Environment:
    """The templates with ``_()`` in ``language`` (one environment per language, kept)."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]  # added by the i18n extension
    return env


def render(language: str, template: str, *, status: int = 200, **values: Any) -> web.Response:
    page = environment(language).get_template(template).render(**values)
    return web.Response(text=page, content_type="text/html", status=status)
