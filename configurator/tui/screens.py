"""The screen of one step: its text, its questions (shown only when they apply), a progress
log, and Back / Next. Next checks every answer (errors shown under the field), then runs the
step in a worker thread and streams its progress into the log."""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Input, Log, RadioSet, Static, Switch

from configurator.core.questions import InvalidAnswerError, Kind, Question, check, coerce
from configurator.core.step import Step, StepError, StepResult
from configurator.core.wizard import apply_step
from configurator.i18n import _
from configurator.tui.fields import CopyField, QuestionField

if TYPE_CHECKING:
    from configurator.tui.app import ConfiguratorApp


class StepScreen(Screen[None]):
    DEFAULT_CSS = """
    StepScreen { layout: vertical; }
    StepScreen #title { text-style: bold; padding: 0 1; background: $primary; color: $text; }
    StepScreen #body { height: 1fr; padding: 0 1; }
    StepScreen #intro { margin-bottom: 1; }
    StepScreen #copy { margin-bottom: 0; }
    StepScreen #copy-hint { color: $text-muted; margin-bottom: 1; }
    StepScreen #intro-after { margin-bottom: 1; }
    StepScreen #log { height: 10; border: round $secondary; }
    StepScreen #buttons { height: auto; align-horizontal: right; padding: 0 1; }
    StepScreen #step-error { color: $error; height: auto; width: 100%; }
    """
    BINDINGS = [
        Binding("ctrl+n", "next", "Next", show=False),
        Binding("escape", "back", "Back", show=False),
    ]

    def __init__(self, step: Step, index: int) -> None:
        super().__init__(name=step.id)
        self.step = step
        self.index = index
        self.busy = False
        self.done = False
        self.log_lines: list[str] = []  # as the step reported them (the log shows them wrapped)

    @property
    def wizard(self) -> ConfiguratorApp:
        return self.app  # type: ignore[return-value]

    def questions(self) -> list[Question]:
        return [q for q in self.wizard.questions_of(self.step) if q.key not in self.wizard.preset]

    def compose(self) -> ComposeResult:
        yield Static(
            f"{self.index + 1}/{len(self.wizard.steps)}  {self.step.title()}",
            id="title",
            markup=False,
        )
        with VerticalScroll(id="body"):
            yield from self._intro()
            for question in self.questions():
                yield QuestionField(question, self.wizard.answers.get(question.key))
            yield Static("", id="step-error", markup=False)
            yield Log(id="log", auto_scroll=True)
        with Horizontal(id="buttons"):
            yield Button(_("Back"), id="back", disabled=self.index == 0)
            yield Button(self._next_label(), id="next", variant="primary")
        yield Static(_("Ctrl+N: next   Esc: back   Ctrl+Q: quit"), id="keys", markup=False)

    def _intro(self) -> ComposeResult:
        """The step's text; a line meant to be copied (the server ID) as a field of its own."""
        intro = self.wizard.intro_of(self.step)
        copy_text = getattr(self.step, "copy_text", None)
        lines = intro.split("\n")
        copyable = copy_text(self.wizard.ctx) if copy_text else None
        if copyable not in lines:
            yield Static(intro, id="intro", markup=False)
            return
        at = lines.index(copyable)
        yield Static("\n".join(lines[:at]).rstrip("\n"), id="intro", markup=False)
        yield CopyField(copyable, id="copy")
        hint = _("Ctrl+C in this field copies it; `uzor-license server-id` prints it too.")
        yield Static(hint, id="copy-hint", markup=False)
        yield Static("\n".join(lines[at + 1 :]).lstrip("\n"), id="intro-after", markup=False)

    def _next_label(self) -> str:
        return _("Finish") if self.index == len(self.wizard.steps) - 1 else _("Next")

    def on_mount(self) -> None:
        self.refresh_visibility()
        self.focus_first()

    def focus_first(self) -> None:
        keep_top = bool(self.query("#copy"))  # the text to copy stays in view above the field
        for field in self.query(QuestionField):
            if field.display:
                field.query_one("#input").focus(scroll_visible=not keep_top)
                return
        self.query_one("#next", Button).focus()

    # Which questions show depends on earlier answers on this screen.
    def current_values(self) -> dict[str, Any]:
        values = dict(self.wizard.answers)
        for field in self.query(QuestionField):
            try:
                values[field.question.key] = coerce(field.question, field.raw_value())
            except InvalidAnswerError:
                values[field.question.key] = field.raw_value()
        return values

    def refresh_visibility(self) -> None:
        values = self.current_values()
        for field in self.query(QuestionField):
            field.display = field.question.applies(values)

    def on_switch_changed(self, _event: Switch.Changed) -> None:
        self.refresh_visibility()

    def on_radio_set_changed(self, _event: RadioSet.Changed) -> None:
        self.refresh_visibility()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter moves to the next visible field; after the last one, to Next."""
        inputs = [f.query_one("#input") for f in self.query(QuestionField) if f.display]
        later = inputs[inputs.index(event.input) + 1 :] if event.input in inputs else []
        (later[0] if later else self.query_one("#next", Button)).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "next":
            self.action_next()
        elif event.button.id == "back":
            self.action_back()

    def on_key(self, event: Any) -> None:
        if event.key not in ("y", "n"):
            return
        only = self.questions()
        if len(only) == 1 and only[0].kind is Kind.CONFIRM:
            self.query_one(Switch).value = event.key == "y"
            event.stop()
            self.action_next()
        elif isinstance(self.focused, Switch):  # a yes/no question among others: y/n answer it
            self.focused.value = event.key == "y"
            event.stop()

    def action_back(self) -> None:
        if not self.busy and self.index > 0:
            self.wizard.pop_screen()

    def action_next(self) -> None:
        if self.busy:
            return
        if self.done and self.index == len(self.wizard.steps) - 1:
            self.wizard.exit(self.wizard.outcome_done())
            return
        answers = self.collect()
        if answers is None:
            return
        self.wizard.answers.update(answers)
        self.set_busy(True)
        self.query_one("#step-error", Static).update("")
        self.run_worker(self._apply, thread=True, exclusive=True)

    def collect(self) -> dict[str, Any] | None:
        """Checked answers of the visible questions, or None after showing the errors."""
        values = dict(self.wizard.answers)
        ok = True
        for field in self.query(QuestionField):
            field.show_error("")
            if not field.question.applies(values):
                values.pop(field.question.key, None)
                continue
            try:
                values[field.question.key] = check(field.question, field.raw_value(), values)
            except InvalidAnswerError as exc:
                field.show_error(str(exc))
                ok = False
        return values if ok else None

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.query_one("#next", Button).disabled = busy
        self.query_one("#back", Button).disabled = busy or self.index == 0

    def write_log(self, line: str) -> None:
        """One progress line, wrapped at word boundaries to the log's width (a Log cuts lines)."""
        self.log_lines.append(line)
        log = self.query_one("#log", Log)
        width = max(log.scrollable_content_region.width - 3, 20)  # room for a scrollbar
        indent = line[: len(line) - len(line.lstrip(" "))]
        parts = textwrap.wrap(line, width, subsequent_indent=indent + "  ", break_on_hyphens=False)
        for part in parts or [""]:
            log.write_line(part)

    def _apply(self) -> None:
        def progress(line: str) -> None:
            self.app.call_from_thread(self.write_log, line)

        try:
            result = apply_step(self.wizard.ctx, self.step, self.wizard.answers, progress)
        except StepError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._finished, result)

    def _failed(self, message: str) -> None:
        self.query_one("#step-error", Static).update(_("Error: {message}").format(message=message))
        self.write_log(_("Error: {message}").format(message=message))
        self.set_busy(False)

    def _finished(self, result: StepResult) -> None:
        self.set_busy(False)
        self.done = True
        self.wizard.transcript.append("\n".join(self.log_lines))
        if result.stop:
            self.wizard.exit(self.wizard.outcome_declined())
        elif self.index == len(self.wizard.steps) - 1:
            self.query_one("#next", Button).focus()
        else:
            self.wizard.advance(self.index + 1)
