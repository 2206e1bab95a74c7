"""Validators for the call-center model: every refusal names what is wrong.

Asterisk patterns (``_`` prefix, ``X Z N``, ``[1-5]``/``[135]`` classes, ``.`` and ``!`` at the end)
are parsed, not matched with a loose regex, so malformed ones are refused before Asterisk sees
them. Number expressions are limited to a safe subset: literal digits, ``${EXTEN}``,
``${EXTEN:n}`` and ``${EXTEN:n:m}``.
"""

from __future__ import annotations

import re
import ssl
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from appliance.ami.tls import CertificateTextError, PinnedCertificate
from appliance.contracts import work_codes

AGENT_NUMBER_RE = re.compile(r"^[0-9]{3,}$")
LATIN_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
DIGITS_RE = re.compile(r"^[0-9]+$")
DIALABLE_RE = re.compile(r"^\+?[0-9*#]+$")
LITERAL_RE = re.compile(r"^[0-9*#]+$")
MAC_SEPARATORS_RE = re.compile(r"[\s:.\-]")
HEX12_RE = re.compile(r"^[0-9a-f]{12}$")
HOST_RE = re.compile(
    r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
IPV4_RE = re.compile(r"^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$")
EXTEN_EXPR_RE = re.compile(r"\$\{EXTEN(?::(-?[0-9]+)(?::([0-9]+))?)?\}")
PATTERN_CLASS_LETTERS = {"X": "0-9", "Z": "1-9", "N": "2-9"}


def validate_agent_number(value: str) -> None:
    if not AGENT_NUMBER_RE.match(value or ""):
        raise ValidationError(
            _("The agent number must be at least three decimal digits, e.g. 101."),
            code="agent_number",
        )


def validate_latin_name(value: str) -> None:
    if not LATIN_NAME_RE.match(value or ""):
        raise ValidationError(
            _(
                "Use Latin letters, digits, '_' and '-' only, starting with a letter "
                "(Asterisk needs such names): %(value)s"
            ),
            code="latin_name",
            params={"value": value},
        )


# PJSIP object names a gateway must not take: the anonymous identifier's endpoint, the unit's
# transports and global objects, and the uzor- prefix kept for generated objects.
RESERVED_SIP_NAMES = frozenset({"anonymous", "global", "system", "default"})
RESERVED_SIP_PREFIXES = ("transport-", "uzor-", "uzor_")


def is_reserved_sip_name(value: str) -> bool:
    name = (value or "").lower()
    return name in RESERVED_SIP_NAMES or name.startswith(RESERVED_SIP_PREFIXES)


def validate_digits(value: str) -> None:
    if not DIGITS_RE.match(value or ""):
        raise ValidationError(
            _("Use decimal digits only: %(value)s"), code="digits", params={"value": value}
        )


def validate_dialable(value: str) -> None:
    if not DIALABLE_RE.match(value or ""):
        raise ValidationError(
            _("Use digits, '*', '#' and a leading '+' only: %(value)s"),
            code="number",
            params={"value": value},
        )


def normalize_mac(value: str) -> str:
    """Any common MAC format -> 12 lower-case hex digits (E8-03-9A-B5-E0-C9 -> e8039ab5e0c9)."""
    cleaned = MAC_SEPARATORS_RE.sub("", (value or "").strip()).lower()
    if not HEX12_RE.match(cleaned):
        raise ValidationError(
            _(
                "Not a MAC address: %(value)s. Enter 12 hexadecimal digits (0-9, A-F), "
                "with or without separators, e.g. E8-03-9A-B5-E0-C9."
            ),
            code="mac",
            params={"value": value},
        )
    return cleaned


def validate_mac(value: str) -> None:
    normalize_mac(value)


def validate_host(value: str) -> None:
    """A DNS name or a dotted IPv4 address."""
    value = value or ""
    if re.match(r"^[0-9.]+$", value):
        if not IPV4_RE.match(value):
            raise ValidationError(
                _("Not a valid IPv4 address: %(value)s"), code="host", params={"value": value}
            )
        return
    if not HOST_RE.match(value):
        raise ValidationError(
            _("Not a host name or IPv4 address: %(value)s"), code="host", params={"value": value}
        )


def validate_ami_certificate(value: str) -> None:
    """Exactly one PEM certificate (a unit's AMI certificate to pin), or nothing."""
    if not (value or "").strip():
        return
    try:
        PinnedCertificate(value)
    except (CertificateTextError, ssl.SSLError) as exc:
        raise ValidationError(
            _(
                "Not one PEM certificate: paste the whole file uzor-pbx-setup wrote "
                "(--ami-cert-out), from -----BEGIN CERTIFICATE----- to "
                "-----END CERTIFICATE-----."
            ),
            code="certificate",
        ) from exc


def validate_outbound_prefix(value: str) -> None:
    validate_digits(value)
    if value.startswith("8"):
        raise ValidationError(
            _(
                "An outbound prefix must not start with 8: 8 starts every long-distance number "
                "in Russia."
            ),
            code="prefix_8",
        )


def overlapping_prefix(prefix: str, others: list[str]) -> str | None:
    """The first other prefix that is a prefix of ``prefix`` or has ``prefix`` as its prefix."""
    for other in others:
        if other.startswith(prefix) or prefix.startswith(other):
            return other
    return None


def validate_dialplan_pattern(value: str) -> None:
    """A literal number (digits, * # +) or an Asterisk pattern starting with '_'."""
    parse_pattern(value)


def parse_pattern(value: str) -> list[str]:
    """Split an extension pattern into tokens; raise ValidationError when it is malformed.

    Tokens: a literal character, ``X``/``Z``/``N``, a class ``[...]``, or a final ``.``/``!``.
    """
    if not value:
        raise ValidationError(_("Enter a number or a pattern."), code="pattern")
    if not value.startswith("_"):
        validate_dialable(value)
        return list(value)
    body = value[1:]
    if not body:
        raise ValidationError(
            _("The pattern %(value)s has nothing after '_'."),
            code="pattern",
            params={"value": value},
        )
    tokens: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char in ".!":
            if index != len(body) - 1:
                raise ValidationError(
                    _("In %(value)s, '%(char)s' may only be the last character."),
                    code="pattern",
                    params={"value": value, "char": char},
                )
            if not tokens:
                raise ValidationError(
                    _("The pattern %(value)s matches everything; put at least one digit first."),
                    code="pattern",
                    params={"value": value},
                )
            tokens.append(char)
            index += 1
        elif char == "[":
            end = body.find("]", index)
            if end == -1:
                raise ValidationError(
                    _("In %(value)s, '[' is not closed by ']'."),
                    code="pattern",
                    params={"value": value},
                )
            _check_class(body[index + 1 : end], value)
            tokens.append(body[index : end + 1])
            index = end + 1
        elif char.upper() in PATTERN_CLASS_LETTERS or char in "0123456789*#+":
            tokens.append(char.upper() if char.upper() in PATTERN_CLASS_LETTERS else char)
            index += 1
        else:
            raise ValidationError(
                _("In %(value)s, '%(char)s' is not allowed in a pattern."),
                code="pattern",
                params={"value": value, "char": char},
            )
    return tokens


def _check_class(content: str, pattern: str) -> None:
    if not content:
        raise ValidationError(
            _("In %(value)s, '[]' is empty."), code="pattern", params={"value": pattern}
        )
    if not re.match(r"^([0-9](-[0-9])?)+$", content):
        raise ValidationError(
            _("In %(value)s, [%(content)s] must list digits or ranges of digits such as 1-5."),
            code="pattern",
            params={"value": pattern, "content": content},
        )
    for start, end in re.findall(r"([0-9])-([0-9])", content):
        if start > end:
            raise ValidationError(
                _("In %(value)s, the range %(start)s-%(end)s goes backwards."),
                code="pattern",
                params={"value": pattern, "start": start, "end": end},
            )


class ExpressionPart(NamedTuple):
    """One piece of a number expression: literal text, or a slice of ${EXTEN}."""

    literal: str | None
    offset: int | None = None
    length: int | None = None


def parse_number_expression(value: str) -> list[ExpressionPart]:
    """Split a number expression into literal digits and ${EXTEN} slices.

    Allowed: literal digits (and * #, a leading +), ``${EXTEN}``, ``${EXTEN:n}``,
    ``${EXTEN:n:m}``. Anything else (other variables, functions, spaces) is refused.
    """
    if not value:
        raise ValidationError(_("Enter a number or ${EXTEN}."), code="expression")
    parts: list[ExpressionPart] = []
    position = 0
    for match in EXTEN_EXPR_RE.finditer(value):
        _append_literal(parts, value[position : match.start()], value)
        offset = int(match.group(1)) if match.group(1) is not None else None
        length = int(match.group(2)) if match.group(2) is not None else None
        parts.append(ExpressionPart(None, offset, length))
        position = match.end()
    _append_literal(parts, value[position:], value)
    return parts


def _append_literal(parts: list[ExpressionPart], text: str, whole: str) -> None:
    if not text:
        return
    allowed = DIALABLE_RE if not parts else LITERAL_RE
    if not allowed.match(text):
        raise ValidationError(
            _(
                "%(value)s: only digits, ${EXTEN}, ${EXTEN:n} and ${EXTEN:n:m} are allowed "
                "here (found %(text)s)."
            ),
            code="expression",
            params={"value": whole, "text": text},
        )
    parts.append(ExpressionPart(text))


def validate_number_expression(value: str) -> None:
    parse_number_expression(value)


def validate_caller_id(value: str) -> None:
    if value and not DIALABLE_RE.match(value):
        raise ValidationError(
            _("A caller ID is a number: digits and an optional leading '+' (%(value)s)."),
            code="caller_id",
            params={"value": value},
        )


def validate_disposition_code(value: str) -> None:
    """A code ACP carries (``set_disposition``): its pattern, checked here before the agency."""
    if not work_codes.is_code(value):
        raise ValidationError(
            _(
                "Use lower-case Latin letters, digits, '_' and '-' only, up to 32 characters "
                "(e.g. lunch): %(value)s"
            ),
            code="work_code",
            params={"value": value},
        )


def validate_pause_reason_code(value: str) -> None:
    """A disposition's rules, and none of the pause reasons the agency sets by itself."""
    validate_disposition_code(value)
    if value in work_codes.SYSTEM_PAUSE_REASONS:
        raise ValidationError(
            _(
                "'%(value)s' is the system's own pause reason (reserved: %(reserved)s); "
                "choose another code."
            ),
            code="reserved_pause_reason",
            params={"value": value, "reserved": ", ".join(sorted(work_codes.SYSTEM_PAUSE_REASONS))},
        )
