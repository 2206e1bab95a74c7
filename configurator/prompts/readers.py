"""Reading one raw answer: with questionary on a terminal, with ``input()`` from a pipe."""

from __future__ import annotations

import sys
from typing import Any, TextIO

from configurator.core.questions import Kind, Question
from configurator.i18n import _


class PromptAbortedError(Exception):
    """The user pressed Ctrl-C / Ctrl-D or the input ended."""


class PipeReader:
    """Reads answers line by line; nothing is echoed (passwords come from the pipe)."""

    def __init__(self, stdin: TextIO, stdout: TextIO) -> None:
        self.stdin, self.stdout = stdin, stdout

    def read(self, question: Question) -> Any:
        self.stdout.write(self._prompt(question))
        self.stdout.flush()
        first = self._line()
        self.stdout.write(("" if question.secret else first) + "\n")
        if question.kind is Kind.MULTILINE and first.lstrip().startswith("-----BEGIN"):
            lines = [first]
            while "-----END" not in lines[-1]:
                lines.append(self._line())
            return "\n".join(lines)
        if first.strip() == "" and question.default is not None:
            return question.default
        return first

    def _line(self) -> str:
        line = self.stdin.readline()
        if line == "":
            self.stdout.write("\n")
            raise PromptAbortedError(_("The input ended before every question was answered."))
        return line.rstrip("\r\n")

    def _prompt(self, question: Question) -> str:
        if question.kind is Kind.CHOICE:
            options = "\n".join(f"  {c.value} - {c.label}" for c in question.choices)
            return f"{options}\n{question.prompt} [{question.default}]: "
        if question.kind is Kind.CONFIRM:
            return f"{question.prompt} [{'Y/n' if question.default else 'y/N'}] "
        if question.secret or not question.default:
            return f"{question.prompt}: "
        return f"{question.prompt} [{question.default}]: "


class QuestionaryReader:
    """Arrow-key choices, masked passwords, defaults pre-filled."""

    def read(self, question: Question) -> Any:
        import questionary

        default = question.default
        if question.kind is Kind.CONFIRM:
            prompt = questionary.confirm(question.prompt, default=bool(default))
        elif question.kind is Kind.CHOICE:
            choices = [questionary.Choice(c.label, value=c.value) for c in question.choices]
            prompt = questionary.select(question.prompt, choices=choices, default=default)
        elif question.kind is Kind.PASSWORD:
            prompt = questionary.password(question.prompt)
        else:
            prompt = questionary.text(
                question.prompt, default="" if default is None else str(default)
            )
        answer = prompt.ask()
        if answer is None:
            raise PromptAbortedError(_("Cancelled."))
        return answer


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()
