"""The plain-prompt shell: each step's heading and text, then its questions one by one with
errors shown right under the question that caused them."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any, TextIO

from configurator.core.questions import Answers, InvalidAnswerError, Kind, Question, check
from configurator.i18n import _
from configurator.prompts.readers import PipeReader, QuestionaryReader, stdin_is_terminal


class PromptShell:
    def __init__(
        self, stdin: TextIO | None = None, stdout: TextIO | None = None, reader: Any = None
    ) -> None:
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        if reader is None:
            interactive = stdin is None and stdin_is_terminal()
            reader = QuestionaryReader() if interactive else PipeReader(self.stdin, self.stdout)
        self.reader = reader

    def say(self, text: str) -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def show_step(self, title: str, intro: str) -> None:
        self.say("")
        self.say(f"== {title} ==")
        if intro:
            self.say(intro)

    def ask(self, questions: Sequence[Question], answers: Answers) -> None:
        keys = [q.key for q in questions]
        index = 0
        while index < len(questions):
            question = questions[index]
            if not question.applies(answers):
                answers.pop(question.key, None)
                index += 1
                continue
            try:
                answers[question.key] = check(question, self.reader.read(question), answers)
            except InvalidAnswerError as exc:
                self.say(f"  ! {exc}")
                if question.retry_from in keys:
                    index = keys.index(question.retry_from)
                continue
            index += 1

    def show_error(self, message: str) -> None:
        self.say(_("Error: {message}").format(message=message))

    def retry(self) -> bool:
        again = Question("retry", Kind.CONFIRM, _("Try this step again (y/n)?"), default=True)
        while True:
            try:
                return bool(check(again, self.reader.read(again), {}))
            except InvalidAnswerError as exc:
                self.say(f"  ! {exc}")
