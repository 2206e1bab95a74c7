"""The answers file (``--answers answers.yaml``) for a run without questions: its schema
(documented in docs/configurator.md), validated with errors naming the file and the key."""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from configurator.core.questions import Answers, InvalidAnswerError, Question, check
from configurator.i18n import _


class AnswersError(Exception):
    """The answers file is unusable; ``str()`` names the file and the key."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _secret_from(values: dict[str, Any], key: str) -> dict[str, Any]:
    """``<key>_file`` instead of ``<key>``: the secret read from a file (one of the two only)."""
    file_key = f"{key}_file"
    if values.get(file_key) is not None:
        if values.get(key) is not None:
            raise ValueError(f"give either {key} or {file_key}, not both")
        try:
            lines = Path(values[file_key]).read_text().splitlines()
            values[key] = lines[0] if lines else ""
        except OSError as exc:
            raise ValueError(f"cannot read {file_key} {values[file_key]}: {exc.strerror}") from exc
    return values


class DatabaseAnswers(_Section):
    mode: Literal["local", "existing"] | None = None
    socket: str | None = None
    host: str | None = None
    port: int | None = None
    admin_user: str | None = None
    admin_password: str | None = None
    admin_password_file: str | None = None
    name: str | None = None
    user: str | None = None

    @model_validator(mode="after")
    def _read_password_file(self) -> DatabaseAnswers:
        self.admin_password = _secret_from(vars(self).copy(), "admin_password")["admin_password"]
        return self


class SuperuserAnswers(_Section):
    create: bool = True
    username: str | None = None
    email: str | None = None
    password: str | None = None
    password_file: str | None = None

    @model_validator(mode="after")
    def _read_password_file(self) -> SuperuserAnswers:
        self.password = _secret_from(vars(self).copy(), "password")["password"]
        return self


class TlsAnswers(_Section):
    mode: Literal["self-signed", "existing"] | None = None
    certificate: str | None = None
    key: str | None = None


class LicenseAnswers(_Section):
    key: str | None = None
    key_file: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> LicenseAnswers:
        if self.key and self.key_file:
            raise ValueError("give either key or key_file, not both")
        return self


class AnswersFile(_Section):
    configure: bool = True
    language: Literal["en", "ru"] | None = None
    database: DatabaseAnswers = DatabaseAnswers()
    superuser: SuperuserAnswers | None = None
    tls: TlsAnswers = TlsAnswers()
    license: LicenseAnswers = LicenseAnswers()

    def flat(self) -> Answers:
        """Answers keyed like the questions (``database.host``), only what the file sets."""
        flat: Answers = {"configure": self.configure}
        for section in ("database", "tls"):
            for key, value in getattr(self, section).model_dump(exclude_none=True).items():
                if not key.endswith("_file"):
                    flat[f"{section}.{key}"] = value
        if self.superuser is None:
            flat["superuser.create"] = False
        else:
            for key, value in self.superuser.model_dump(exclude_none=True).items():
                if not key.endswith("_file"):
                    flat[f"superuser.{key}"] = value
            if self.superuser.password is not None:
                flat["superuser.password_again"] = self.superuser.password
        license_key = self.license.key or self.license.key_file
        if license_key:
            flat["license.key"] = license_key
        return flat


def load_answers(path: Path) -> AnswersFile:
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as exc:
        raise AnswersError(f"{path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise AnswersError(f"{path}: not valid YAML: {exc}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise AnswersError(f"{path}: expected a mapping of sections at the top level")
    try:
        return AnswersFile.model_validate(data)
    except ValidationError as exc:
        raise AnswersError(_describe(path, exc)) from exc


def _describe(path: Path, exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"]) or "(top level)"
        message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
        problems.append(f"{path}: {key}: {message}")
    return "\n".join(problems)


class AnswersShell:
    """Answers every question from the file, falling back to the question's default; a
    missing required answer or a bad value stops the run naming the key."""

    def __init__(self, source: Path, given: Mapping[str, Any], progress: Any) -> None:
        self.source = source
        self.given = dict(given)
        self.progress = progress

    def show_step(self, title: str, intro: str) -> None:
        self.progress(f"== {title} ==")

    def ask(self, questions: Sequence[Question], answers: Answers) -> None:
        for question in questions:
            if not question.applies(answers):
                continue
            raw = self.given.get(question.key, question.default)
            if raw is None:
                raise AnswersError(
                    _("{file}: {key}: this answer is required").format(
                        file=self.source, key=question.key
                    )
                )
            try:
                answers[question.key] = check(question, raw, answers)
            except InvalidAnswerError as exc:
                raise AnswersError(f"{self.source}: {question.key}: {exc}") from exc

    def show_error(self, message: str) -> None:
        print(_("Error: {message}").format(message=message), file=sys.stderr, flush=True)

    def retry(self) -> bool:
        return False
