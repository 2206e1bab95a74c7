"""Typed questions a step asks: the shells render them, the answers file fills them.

A question has a dotted ``key`` (``database.host``) that is also its path in the answers file,
a default, an optional validator (returns an error message or None) and an optional condition
on the answers given so far (``when``)."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from configurator.i18n import _

Answers = dict[str, Any]
Validator = Callable[[Any, Mapping[str, Any]], str | None]


class Kind(enum.Enum):
    CONFIRM = "confirm"  # bool
    TEXT = "text"  # str
    PASSWORD = "password"  # noqa: S105 - a kind of question: str, never shown
    CHOICE = "choice"  # one of ``choices`` values
    INTEGER = "integer"  # int
    MULTILINE = "multiline"  # str that may span lines (a pasted license key)


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True)
class Question:
    key: str
    kind: Kind
    prompt: str
    default: Any = None
    choices: tuple[Choice, ...] = ()
    validate: Validator | None = None
    when: Callable[[Mapping[str, Any]], bool] | None = None
    help: str = ""
    required: bool = True
    retry_from: str | None = None  # on a bad answer, ask again from this question's key

    def applies(self, answers: Mapping[str, Any]) -> bool:
        return self.when is None or self.when(answers)

    @property
    def secret(self) -> bool:
        return self.kind is Kind.PASSWORD


class InvalidAnswerError(ValueError):
    """An answer that does not fit its question; ``str()`` is the message for the user."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


def coerce(question: Question, raw: Any) -> Any:
    """Turn what a shell or the answers file gave into the question's type (raises
    InvalidAnswerError with a translated message)."""
    if question.kind is Kind.CONFIRM:
        return _coerce_bool(question, raw)
    if question.kind is Kind.INTEGER:
        try:
            return int(str(raw).strip())
        except ValueError:
            raise InvalidAnswerError(question.key, _("Enter a whole number.")) from None
    text = "" if raw is None else str(raw)
    if question.kind is not Kind.MULTILINE and question.kind is not Kind.PASSWORD:
        text = text.strip()
    if question.kind is Kind.CHOICE and text not in {c.value for c in question.choices}:
        allowed = ", ".join(c.value for c in question.choices)
        raise InvalidAnswerError(
            question.key, _("Choose one of: {choices}.").format(choices=allowed)
        )
    return text


def check(question: Question, raw: Any, answers: Mapping[str, Any]) -> Any:
    """Coerce and validate one answer; returns the value or raises InvalidAnswerError."""
    value = coerce(question, raw)
    if question.required and value in ("", None) and question.kind is not Kind.CONFIRM:
        raise InvalidAnswerError(question.key, _("This field is required."))
    if question.validate is not None:
        error = question.validate(value, answers)
        if error:
            raise InvalidAnswerError(question.key, error)
    return value


_YES = {"y", "yes", "д", "да", "true", "1"}
_NO = {"n", "no", "н", "нет", "false", "0"}


def _coerce_bool(question: Question, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text == "" and isinstance(question.default, bool):
        return question.default
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise InvalidAnswerError(question.key, _("Answer y or n."))


# Validators shared by several steps.

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_IDENTIFIER = re.compile(r"^[A-Za-z0-9_]{1,32}$")


def valid_email(value: Any, _answers: Mapping[str, Any]) -> str | None:
    if value and not _EMAIL.match(str(value)):
        return _("Enter a valid e-mail address.")
    return None


def valid_identifier(value: Any, _answers: Mapping[str, Any]) -> str | None:
    if not _IDENTIFIER.match(str(value)):
        return _("Use 1 to 32 Latin letters, digits or underscores.")
    return None


def valid_port(value: Any, _answers: Mapping[str, Any]) -> str | None:
    if not 1 <= int(value) <= 65535:
        return _("A port is a number from 1 to 65535.")
    return None


def same_as(other_key: str) -> Validator:
    """The answer must equal the answer to ``other_key`` (a password typed twice)."""

    def validator(value: Any, answers: Mapping[str, Any]) -> str | None:
        if value != answers.get(other_key):
            return _("The passwords do not match.")
        return None

    return validator
