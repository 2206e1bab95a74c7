"""The text mode: a topic's flow written as Asterisk dialplan, parsed and checked on save.

A text flow is stored as ``{"version": 1, "dialplan": "<text>"}``. The text holds only
``exten =>`` and ``same =>`` lines (and ``;`` comments): it becomes the body of the topic's own
context, entered at ``s,1``. Every line is checked against an allow-list of applications, each
with the arguments it may take; sounds, groups, schedules and workplaces are referred to by
their names in the admin and resolved; patterns go through the admin's pattern parser; every
jump stays inside the topic. Nothing else is accepted: no context headers, no ``#include`` or
``#exec``, no ``include =>``/``switch =>``, no function but ``CALLERID(num|name)``, no
technology string but a known workplace (``PJSIP/<number>``) or the routes
(``Local/<number>@uzor-routes``). Every problem names its line.

Three Uzor applications read like Asterisk's own: ``VoiceMail(<mailbox>[,<greeting>[,<max
seconds>]])`` records a message to an admin mailbox (as the voicemail node does),
``GotoIfClosed(<schedule>[&<schedule>...]?<target>)`` jumps when any schedule says non-working,
and ``DialOperator(<agent>[,<ring>])`` rings the workplace where the operator is logged in (as
the transfer to an operator does; on when not logged in or not answered).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ..validators import parse_pattern
from .graph import AGENT_NUMBER
from .validate import FlowError, Problem, Refs, check_flow

MAX_TEXT = 100_000
MAX_LINES = 2_000
ROUTES_CONTEXT = "uzor-routes"
SPECIAL_EXTENSIONS = ("s", "i", "t")

_LINE = re.compile(r"^(?P<key>[A-Za-z]+)\s*=>?\s*(?P<value>.*)$")
_PRIORITY = re.compile(r"^(?P<priority>[0-9]+|n)(?:\((?P<label>[^)]*)\))?$")
_LABEL = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,49}$")
_APP = re.compile(r"^(?P<app>[A-Za-z]+)\s*(?:\((?P<args>.*)\))?$")
_SOUND = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,79}$")
_LATIN = _SOUND
_WRITABLE = re.compile(r"^(?P<inherit>_{0,2})(?P<name>[A-Z][A-Z0-9_]{0,31})$")
_READABLE = r"(?:[A-Za-z][A-Za-z0-9_]{0,39}|CALLERID\((?:num|name)\))"
_REFERENCE = re.compile(r"\$\{" + _READABLE + r"\}")
_LITERAL = re.compile(r"^[\w .:/@+=*#-]*$")
_DIALABLE = re.compile(r"^\+?[0-9*#]{1,32}$")
_NUMBER = re.compile(r"^[0-9]{1,5}(?:\.[0-9]{1,3})?$")
_EXPRESSION_TOKEN = re.compile(
    r"[ \t]+|\$\{" + _READABLE + r"\}|\"(?:[\w .:/@+=*#-]|\$\{" + _READABLE + r"\})*\""
    r"|[0-9]+|[A-Za-z_]+|!=|<=|>=|[=<>&|+*/%()-]"
)


@dataclass(frozen=True)
class Target:
    """A jump: ``label`` (same extension), ``extension,label`` or ``extension,1``."""

    extension: str | None
    priority: str  # "1" or a label


@dataclass
class Step:
    """One checked line: where it stands and what the compiler needs from it."""

    line: int
    extension: str
    label: str | None
    app: str
    args: list[str]
    targets: list[Target] = field(default_factory=list)
    starts: bool = False  # an exten => line
    sounds: list[str] = field(default_factory=list)
    schedules: list[str] = field(default_factory=list)


@dataclass
class Script:
    steps: list[Step]
    extensions: dict[str, set[str]]  # extension -> its labels


class DialplanTextError(FlowError):
    """The problems of a text flow, each naming its line."""


def is_dialplan_flow(data: Any) -> bool:
    return isinstance(data, dict) and "dialplan" in data


def dialplan_flow(text: str) -> dict[str, Any]:
    return {"version": 1, "dialplan": text}


def check_any_flow(data: Any, refs: Refs) -> dict[str, Any]:
    """A graph or a text flow checked (FlowError otherwise), as it is stored: a custom graph
    flow, or ``{"version": 1, "dialplan": ...}``."""
    if is_dialplan_flow(data):
        check_dialplan(data, refs)
        return dialplan_flow(data["dialplan"])
    result = check_flow(data, refs).model_dump(mode="json")
    result["standard"] = False
    return result


class _LineError(ValueError):
    pass


def _at(line: int, message: str) -> Problem:
    return Problem(None, _("line %(line)s: %(message)s") % {"line": line, "message": message})


def check_dialplan(data: Any, refs: Refs) -> Script:
    """The checked script of a stored text flow, or DialplanTextError (every problem, each
    with its line)."""
    if not is_dialplan_flow(data) or set(data) - {"version", "dialplan", "standard"}:
        raise DialplanTextError([Problem(None, _("not a dialplan text flow"))])
    if data.get("version", 1) != 1 or data.get("standard") or not isinstance(data["dialplan"], str):
        raise DialplanTextError([Problem(None, _("not a dialplan text flow"))])
    return parse_dialplan(data["dialplan"], refs)


def parse_dialplan(text: str, refs: Refs) -> Script:
    if len(text) > MAX_TEXT or text.count("\n") >= MAX_LINES:
        raise DialplanTextError([Problem(None, _("the text is too long"))])
    problems: list[Problem] = []
    steps: list[Step] = []
    extensions: dict[str, set[str]] = {}
    current: str | None = None
    for number, raw in enumerate(text.splitlines(), 1):
        try:
            step = _parse_line(raw, current, refs)
            if step is not None:
                _register(step, extensions)
        except _LineError as exc:
            problems.append(_at(number, str(exc)))
            current = _recovered_extension(raw, current, extensions)
            continue
        if step is not None:
            step.line, current = number, step.extension
            steps.append(step)
    if not problems and "s" not in extensions:
        problems.append(
            Problem(None, _("the text must define the extension s: calls enter at s,1"))
        )
    for step in steps:
        for target in step.targets:
            message = _target_problem(target, step.extension, extensions)
            if message:
                problems.append(_at(step.line, message))
    if problems:
        raise DialplanTextError(problems)
    return Script(steps, extensions)


def _recovered_extension(
    raw: str, current: str | None, extensions: dict[str, set[str]]
) -> str | None:
    """After a refused line: the extension the next same => lines belong to (a refused
    exten => line still starts one), so one bad line yields one problem."""
    match = re.match(r"^\s*exten\s*=>?\s*([^,;]+),", raw, re.IGNORECASE)
    if not match:
        return current
    extension = match[1].strip()
    extensions.setdefault(extension, set())
    return extension


def _register(step: Step, extensions: dict[str, set[str]]) -> None:
    """Note the step's extension (when it starts one) and label; refuse duplicates."""
    if step.starts:
        if step.extension in extensions:
            raise _LineError(_("the extension %(ext)s is defined twice") % {"ext": step.extension})
        extensions[step.extension] = set()
    labels = extensions[step.extension]
    if step.label:
        if step.label in labels:
            raise _LineError(_("the label %(label)s is used twice") % {"label": step.label})
        labels.add(step.label)


def _target_problem(target: Target, here: str, extensions: dict[str, set[str]]) -> str | None:
    extension = target.extension if target.extension is not None else here
    if extension not in extensions:
        return _("the jump goes to the extension %(ext)s, which the text does not define") % {
            "ext": extension
        }
    if target.priority != "1" and target.priority not in extensions[extension]:
        return _(
            "the jump goes to the label %(label)s, which the extension %(ext)s does not have"
        ) % {
            "label": target.priority,
            "ext": extension,
        }
    return None


def _statement(raw: str) -> tuple[str, str] | None:
    """(exten or same, the rest) of a line; None for a blank line or a comment."""
    if "\\" in raw:
        raise _LineError(_("a backslash is not allowed"))
    stripped = raw.strip()
    if stripped.startswith("#"):
        raise _LineError(_("#include, #exec and other directives are not allowed"))
    line = stripped.split(";", 1)[0].strip()
    if not line:
        return None
    if line.startswith("["):
        raise _LineError(_("a context header is not allowed: the text is the topic's own context"))
    match = _LINE.match(line)
    key = match["key"].lower() if match else ""
    if key in ("include", "switch", "eswitch", "lswitch", "ignorepat"):
        raise _LineError(_("%(key)s is not allowed: the flow stays in the topic") % {"key": key})
    if not match or key not in ("exten", "same"):
        raise _LineError(_("expected exten => or same =>"))
    return key, match["value"]


def _position(key: str, value: str, current: str | None) -> tuple[str, str, str]:
    """(extension, priority with its label, application) of an exten => or same => line."""
    if key == "exten":
        parts = value.split(",", 2)
        if len(parts) != 3:
            raise _LineError(_("expected exten => <extension>,1,<Application>(<arguments>)"))
        extension, priority, application = (p.strip() for p in parts)
        _check_extension(extension)
        return extension, priority, application
    if current is None:
        raise _LineError(_("same => before any exten =>"))
    parts = value.split(",", 1)
    if len(parts) != 2:
        raise _LineError(_("expected same => n,<Application>(<arguments>)"))
    return current, parts[0].strip(), parts[1].strip()


def _label(priority: str, expected: str) -> str | None:
    found = _PRIORITY.match(priority)
    if not found or found["priority"] != expected:
        raise _LineError(
            _("the priority must be %(expected)s (optionally with a label: %(expected)s(name))")
            % {"expected": expected}
        )
    label = found["label"]
    if label is not None and not _LABEL.match(label):
        raise _LineError(
            _(
                "the label %(label)s is not allowed: Latin letters, digits and _, "
                "starting with a letter"
            )
            % {"label": label}
        )
    return label


def _parse_line(raw: str, current: str | None, refs: Refs) -> Step | None:
    statement = _statement(raw)
    if statement is None:
        return None
    key, value = statement
    extension, priority, application = _position(key, value, current)
    label = _label(priority, "1" if key == "exten" else "n")
    app_match = _APP.match(application)
    if not app_match:
        raise _LineError(_("expected <Application>(<arguments>)"))
    app = app_match["app"]
    checker = _APPLICATIONS.get(app.lower())
    if checker is None:
        raise _LineError(
            _("the application %(app)s is not allowed (allowed: %(allowed)s)")
            % {"app": app, "allowed": ", ".join(_ALLOWED_NAMES)}
        )
    step = Step(0, extension, label, _CANONICAL[app.lower()], [], starts=key == "exten")
    checker(step, app_match["args"] or "", refs)
    return step


def _check_extension(extension: str) -> None:
    if extension in SPECIAL_EXTENSIONS:
        return
    try:
        parse_pattern(extension)
    except ValidationError as exc:
        raise _LineError(
            _("the extension %(ext)s: %(problem)s")
            % {"ext": extension, "problem": " ".join(exc.messages)}
        ) from exc


# ---- arguments ----


def _split(args: str) -> list[str]:
    """Arguments split at commas (none may hide in parentheses: nothing here needs that)."""
    return [a.strip() for a in args.split(",")] if args.strip() else []


def _count(step: Step, args: list[str], low: int, high: int) -> None:
    if not low <= len(args) <= high:
        raise _LineError(
            _("%(app)s takes %(low)s to %(high)s arguments")
            % {"app": step.app, "low": low, "high": high}
            if low != high
            else _("%(app)s takes %(count)s arguments") % {"app": step.app, "count": low}
        )


def _number(value: str, what: str, low: float, high: float) -> str:
    """``what`` is untranslated (gettext_noop): translated only for the error."""
    if not _NUMBER.match(value) or not low <= float(value) <= high:
        raise _LineError(
            _("%(what)s must be a number from %(low)s to %(high)s")
            % {"what": _(what), "low": low, "high": high}
        )
    return value


def _sound(step: Step, name: str, refs: Refs) -> None:
    if not _SOUND.match(name):
        raise _LineError(_("%(name)r is not a sound name") % {"name": name})
    if name not in refs.sounds:
        raise _LineError(_("there is no sound named %(name)s") % {"name": name})
    step.sounds.append(name)


def _options(value: str, allowed: str, what: str) -> None:
    if value and not all(c in allowed for c in value):
        raise _LineError(
            _("%(what)s: options may only be %(allowed)s")
            % {"what": what, "allowed": ", ".join(allowed)}
        )


def value_text(value: str) -> str:
    """A value: literal text (letters, digits, space, . : / @ + = * # -) and ${VARIABLE} or
    ${CALLERID(num|name)} references."""
    literal = _REFERENCE.sub("", value)
    if "$" in literal or not _LITERAL.match(literal) or len(value) > 200:
        raise _LineError(
            _(
                "%(value)r: a value may hold letters, digits, space, . : / @ + = * # - and "
                "${VARIABLE} or ${CALLERID(num)}/${CALLERID(name)}, nothing else"
            )
            % {"value": value}
        )
    return value


def expression(value: str) -> str:
    """``$[...]`` with variables, quoted values, numbers and operators only."""
    if not (value.startswith("$[") and value.endswith("]")):
        raise _LineError(_("%(value)r: expected a condition $[...]") % {"value": value})
    body, at = value[2:-1], 0
    while at < len(body):
        token = _EXPRESSION_TOKEN.match(body, at)
        if not token:
            raise _LineError(
                _("%(value)r: %(rest)r is not allowed in a condition")
                % {"value": value, "rest": body[at:]}
            )
        at = token.end()
    return value


def _target(text: str) -> Target:
    parts = [p.strip() for p in text.split(",")]
    if len(parts) == 1 and _LABEL.match(parts[0]):
        return Target(None, parts[0])
    extension_ok = parts[0] in SPECIAL_EXTENSIONS or re.match(r"^[0-9*#+]{1,32}$", parts[0])
    if len(parts) == 2 and extension_ok and (parts[1] == "1" or _LABEL.match(parts[1])):
        return Target(parts[0], parts[1])
    raise _LineError(
        _(
            "the jump %(target)r must stay in the topic: <label>, <extension>,<label> or "
            "<extension>,1"
        )
        % {"target": text}
    )


# ---- the applications ----


def _no_args(step: Step, args: str, refs: Refs) -> None:
    if args.strip():
        raise _LineError(_("%(app)s takes no arguments") % {"app": step.app})


def _hangup(step: Step, args: str, refs: Refs) -> None:
    parts = _split(args)
    _count(step, parts, 0, 1)
    if parts:
        _number(parts[0], gettext_noop("the hang-up cause"), 1, 127)
    step.args = parts


def _wait(step: Step, args: str, refs: Refs) -> None:
    parts = _split(args)
    _count(step, parts, 1, 1)
    step.args = [_number(parts[0], gettext_noop("the wait in seconds"), 0, 3600)]


def _noop(step: Step, args: str, refs: Refs) -> None:
    step.args = [value_text(args.strip())] if args.strip() else []


def _playback(
    step: Step, args: str, refs: Refs, options: tuple[str, ...] = ("skip", "noanswer")
) -> None:
    parts = _split(args)
    _count(step, parts, 1, 2)
    for name in parts[0].split("&"):
        _sound(step, name.strip(), refs)
    if len(parts) == 2 and parts[1] and not all(o in options for o in parts[1].split("&")):
        raise _LineError(
            _("%(app)s: options may only be %(allowed)s")
            % {"app": step.app, "allowed": ", ".join(options)}
        )
    step.args = parts


def _background(step: Step, args: str, refs: Refs) -> None:
    parts = _split(args)
    _count(step, parts, 1, 2)
    for name in parts[0].split("&"):
        _sound(step, name.strip(), refs)
    if len(parts) == 2:
        _options(parts[1], "snm", step.app)
    step.args = parts


def _wait_exten(step: Step, args: str, refs: Refs) -> None:
    parts = _split(args)
    _count(step, parts, 0, 1)
    if parts:
        _number(parts[0], gettext_noop("the wait in seconds"), 0, 600)
    step.args = parts


def _read(step: Step, args: str, refs: Refs) -> None:
    """Read(VARIABLE,<sound>,<max digits>,,<attempts>,<timeout>)"""
    parts = _split(args)
    _count(step, parts, 1, 6)
    parts += [""] * (6 - len(parts))
    _writable(parts[0])
    if parts[1]:
        _sound(step, parts[1], refs)
    if parts[2]:
        _number(parts[2], gettext_noop("the number of digits"), 0, 32)
    if parts[3]:
        raise _LineError(_("Read: options are not allowed"))
    if parts[4]:
        _number(parts[4], gettext_noop("the number of attempts"), 1, 10)
    if parts[5]:
        _number(parts[5], gettext_noop("the timeout in seconds"), 1, 60)
    step.args = parts


def _queue(step: Step, args: str, refs: Refs) -> None:
    """Queue(<group>[,<options>[,,,<timeout>]])"""
    parts = _split(args)
    _count(step, parts, 1, 5)
    parts += [""] * (5 - len(parts))
    group = parts[0]
    if not _LATIN.match(group) or group not in refs.groups:
        raise _LineError(_("there is no group named %(name)s") % {"name": group})
    _options(parts[1], "tTkKhHnr", step.app)
    if parts[2] or parts[3]:
        raise _LineError(_("Queue: only the group, the options and the timeout are allowed"))
    if parts[4]:
        _number(parts[4], gettext_noop("the queue timeout in seconds"), 1, 86400)
    step.args = parts


def _dial(step: Step, args: str, refs: Refs) -> None:
    """Dial(PJSIP/<workplace>[,<ring>]) or Dial(Local/<number>@uzor-routes[,<ring>])"""
    parts = _split(args)
    _count(step, parts, 1, 2)
    target = parts[0]
    workplace = re.fullmatch(r"PJSIP/([0-9]{1,32})", target)
    external = re.fullmatch(r"Local/([^@]*)@" + re.escape(ROUTES_CONTEXT), target)
    if workplace:
        if workplace[1] not in refs.workplaces:
            raise _LineError(
                _("there is no workplace numbered %(number)s") % {"number": workplace[1]}
            )
    elif external:
        if not _DIALABLE.match(external[1]):
            raise _LineError(_("%(number)r is not a number to dial") % {"number": external[1]})
    else:
        raise _LineError(
            _(
                "Dial may only call a workplace (PJSIP/<number>) or a number through the routes "
                "(Local/<number>@%(routes)s)"
            )
            % {"routes": ROUTES_CONTEXT}
        )
    if len(parts) == 2 and parts[1]:
        _number(parts[1], gettext_noop("the ring time in seconds"), 1, 300)
    step.args = parts


def _dial_operator(step: Step, args: str, refs: Refs) -> None:
    """DialOperator(<agent number>[,<ring>]): Uzor's, rings the operator's workplace"""
    parts = _split(args)
    _count(step, parts, 1, 2)
    if not re.fullmatch(AGENT_NUMBER, parts[0]):
        raise _LineError(
            _("%(number)r is not an agent number (3 to 16 digits)") % {"number": parts[0]}
        )
    if len(parts) == 2 and parts[1]:
        _number(parts[1], gettext_noop("the ring time in seconds"), 1, 300)
    step.args = parts


def _voicemail(step: Step, args: str, refs: Refs) -> None:
    """VoiceMail(<mailbox>[,<greeting>[,<max seconds>]])"""
    parts = _split(args)
    _count(step, parts, 1, 3)
    parts += [""] * (3 - len(parts))
    if not _LATIN.match(parts[0]):
        raise _LineError(
            _("%(name)r is not a mailbox name (Latin letters, digits, _ and -)")
            % {"name": parts[0]}
        )
    if parts[1]:
        _sound(step, parts[1], refs)
    parts[2] = (
        _number(parts[2], gettext_noop("the message length in seconds"), 5, 600)
        if parts[2]
        else "120"
    )
    step.args = parts


def _writable(target: str) -> re.Match[str]:
    match = _WRITABLE.match(target)
    if not match or match["name"].startswith("UZOR_"):
        raise _LineError(
            _(
                "%(name)r cannot be set: a variable is Latin capitals, digits and _ (not UZOR_*), "
                "or CALLERID(name)"
            )
            % {"name": target}
        )
    return match


def _set(step: Step, args: str, refs: Refs) -> None:
    """Set(VARIABLE=<value or $[...]>) or Set(CALLERID(name)=<value>)"""
    name, equals, value = args.partition("=")
    name, value = name.strip(), value.strip()
    if not equals:
        raise _LineError(_("expected Set(<variable>=<value>)"))
    if name != "CALLERID(name)":
        _writable(name)
    if value.startswith("$["):
        expression(value)
    else:
        value_text(value)
    step.args = [name, value]


def _goto(step: Step, args: str, refs: Refs) -> None:
    step.targets = [_target(args.strip())]
    step.args = [args.strip()]


def _goto_if(step: Step, args: str, refs: Refs) -> None:
    """GotoIf($[...]?<target>[:<target>])"""
    condition, question, rest = args.partition("?")
    if not question:
        raise _LineError(_("expected GotoIf($[<condition>]?<target>[:<target>])"))
    expression(condition.strip())
    targets = [t for t in rest.split(":")]
    if len(targets) > 2 or not any(t.strip() for t in targets):
        raise _LineError(_("expected GotoIf($[<condition>]?<target>[:<target>])"))
    step.targets = [_target(t) for t in targets if t.strip()]
    step.args = [condition.strip(), *(t.strip() for t in targets)]


def _goto_if_closed(step: Step, args: str, refs: Refs) -> None:
    """GotoIfClosed(<schedule>[&<schedule>...]?<target>)"""
    names, question, target = args.partition("?")
    if not question:
        raise _LineError(_("expected GotoIfClosed(<schedule>[&<schedule>]?<target>)"))
    for raw_name in names.split("&"):
        name = raw_name.strip()
        if name not in refs.schedules:
            raise _LineError(_("there is no schedule named %(name)s") % {"name": name})
        step.schedules.append(name)
    step.targets = [_target(target.strip())]
    step.args = [target.strip()]


_Checker = Callable[[Step, str, Refs], None]
_TABLE: list[tuple[str, _Checker]] = [
    ("Answer", _no_args),
    ("Ringing", _no_args),
    ("Progress", _no_args),
    ("Wait", _wait),
    ("NoOp", _noop),
    ("Playback", _playback),
    ("Background", _background),
    ("WaitExten", _wait_exten),
    ("Read", _read),
    ("Queue", _queue),
    ("Dial", _dial),
    ("DialOperator", _dial_operator),
    ("VoiceMail", _voicemail),
    ("Set", _set),
    ("Goto", _goto),
    ("GotoIf", _goto_if),
    ("GotoIfClosed", _goto_if_closed),
    ("Hangup", _hangup),
]
_ALLOWED_NAMES = [name for name, _check in _TABLE]
_APPLICATIONS: dict[str, _Checker] = {name.lower(): check for name, check in _TABLE}
_CANONICAL = {name.lower(): name for name in _ALLOWED_NAMES}


def text_sound_names(data: Any) -> Iterator[str]:
    """The sound names a stored text flow refers to, read tolerantly (lines that do not check
    are skipped)."""
    if not is_dialplan_flow(data) or not isinstance(data.get("dialplan"), str):
        return
    everything = _AnySounds()
    current: str | None = None
    for raw in data["dialplan"].splitlines():
        try:
            step = _parse_line(raw, current, everything)
        except _LineError:
            continue
        if step is not None:
            current = step.extension
            yield from step.sounds


class _AnySounds(Refs):
    """Refs that hold every name (for reading sound names out of a text)."""

    class _All(set[str]):
        def __contains__(self, item: object) -> bool:
            return True

    def __init__(self) -> None:
        super().__init__(self._All(), self._All(), self._All(), self._All())
