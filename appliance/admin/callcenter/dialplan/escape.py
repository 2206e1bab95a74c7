"""Guards for every piece of user text that goes into Asterisk configuration.

The model validators already restrict names, numbers, patterns and expressions; these checks
run again at render time (defence in depth: a row written around the model, e.g. by raw SQL,
still cannot inject a newline, a ``;`` comment or a ``${...}`` substitution into a unit).
Every refusal raises ``RenderError`` naming the object and the field.
"""

from __future__ import annotations

import re
import urllib.parse

from django.utils.translation import gettext as _

from ..validators import parse_number_expression, parse_pattern

LATIN_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,79}$")
DIGITS_RE = re.compile(r"^[0-9]{1,32}$")
DIALABLE_RE = re.compile(r"^\+?[0-9*#]{1,32}$")
HOST_RE = re.compile(r"^[A-Za-z0-9.-]{1,253}$")
SIP_USER_SAFE = "-_.!~*'()&=+$,?/"  # RFC 3261 user part, unescaped characters
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
# Characters a dialplan application argument must never carry literally: comments, argument
# and expression syntax, quoting. They are percent-encoded in URLs.
URL_SAFE = "-._~:/?#@!&+=%*"


class RenderError(ValueError):
    """The model holds something that cannot be rendered safely; str() names what and where."""


def _refuse(what: str, value: object, why: str) -> RenderError:
    return RenderError(
        _("%(what)s: %(why)s (%(value)s)") % {"what": what, "why": why, "value": repr(value)}
    )


def name(value: str, what: str) -> str:
    """A Latin name (section, context, queue, endpoint names)."""
    if not LATIN_NAME_RE.match(value or ""):
        raise _refuse(what, value, _("not a Latin name (letters, digits, '_' and '-')"))
    return value


def digits(value: str, what: str) -> str:
    if not DIGITS_RE.match(value or ""):
        raise _refuse(what, value, _("not a number of decimal digits"))
    return value


def dialable(value: str, what: str) -> str:
    if not DIALABLE_RE.match(value or ""):
        raise _refuse(what, value, _("not a number (digits, '*', '#', a leading '+')"))
    return value


def host(value: str, what: str) -> str:
    if not HOST_RE.match(value or "") or value.startswith(("-", ".")):
        raise _refuse(what, value, _("not a host name or IPv4 address"))
    return value


def pattern(value: str, what: str) -> str:
    """An extension: a literal number or an Asterisk pattern, parsed as the validators do."""
    try:
        parse_pattern(value)
    except Exception as exc:
        raise _refuse(what, value, _("not a valid number or Asterisk pattern")) from exc
    return value


def expression(value: str, what: str) -> str:
    """A number expression: digits, ${EXTEN}, ${EXTEN:n}, ${EXTEN:n:m} only."""
    try:
        parse_number_expression(value)
    except Exception as exc:
        raise _refuse(what, value, _("not a safe number expression")) from exc
    return value


def config_value(value: str, what: str) -> str:
    """A value in a ``key = value`` line (pjsip.conf): one line, ``;`` escaped as ``\\;``."""
    if CONTROL_RE.search(value):
        raise _refuse(what, value, _("control characters (e.g. a line break) are not allowed"))
    if value != value.strip():
        raise _refuse(what, value, _("leading or trailing spaces would be lost"))
    if value.startswith(("#", "[")):
        raise _refuse(what, value, _("must not start with '#' or '['"))
    return value.replace(";", "\\;")


def sip_user(value: str, what: str) -> str:
    """A user part inside a SIP URI, percent-encoded where needed."""
    if CONTROL_RE.search(value) or not value:
        raise _refuse(what, value, _("empty or holds control characters"))
    return urllib.parse.quote(value, safe=SIP_USER_SAFE).replace(";", "%3B")


def url_argument(value: str, what: str) -> str:
    """A URL as a dialplan argument: everything with a meaning to Asterisk percent-encoded."""
    if CONTROL_RE.search(value):
        raise _refuse(what, value, _("control characters are not allowed"))
    return urllib.parse.quote(value, safe=URL_SAFE)


def comment(value: str) -> str:
    """Free text for a ``; comment``: one line, no ``;``, at most 120 characters."""
    text = CONTROL_RE.sub(" ", value or "").replace(";", ",").replace("\\", "/")
    return " ".join(text.split())[:120]
