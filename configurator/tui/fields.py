"""One input widget per question kind, with its error line, reading back a raw answer."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, RadioButton, RadioSet, Switch, TextArea

from configurator.core.questions import Kind, Question


class CopyField(Input):
    """A line of text to copy whole (the server ID): one row that scrolls instead of wrapping,
    so the terminal's selection is one line too; Ctrl+C copies all of it. It cannot be edited."""

    DEFAULT_CSS = "CopyField { width: 100%; }"
    BINDINGS = [Binding("ctrl+c", "copy_all", "Copy", show=False)]

    def __init__(self, text: str, **kwargs: Any) -> None:
        super().__init__(value=text, compact=True, select_on_focus=True, **kwargs)
        self.text = text

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.value != self.text:
            self.value = self.text

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()

    def action_copy_all(self) -> None:
        self.app.copy_to_clipboard(self.text)


def field_id(question: Question) -> str:
    return "q-" + question.key.replace(".", "-").replace("_", "-")


class QuestionField(Vertical):
    """A question's prompt, its input widget and the line where its error is shown."""

    DEFAULT_CSS = """
    QuestionField { height: auto; margin-bottom: 1; }
    QuestionField Label { width: 100%; }  /* prompts and errors wrap to the terminal's width */
    QuestionField .error { color: $error; height: auto; display: none; }
    QuestionField .error.shown { display: block; }
    QuestionField Input { width: 60; }
    QuestionField TextArea { height: 8; }
    QuestionField RadioSet { width: auto; }
    """

    def __init__(self, question: Question, value: Any) -> None:
        super().__init__(id=field_id(question))
        self.question = question
        self.initial = question.default if value is None else value

    def compose(self) -> ComposeResult:
        q = self.question
        yield Label(q.prompt, markup=False)
        if q.kind is Kind.CONFIRM:
            yield Switch(value=bool(self.initial), id="input")
        elif q.kind is Kind.CHOICE:
            with RadioSet(id="input", compact=True):
                for choice in q.choices:
                    yield RadioButton(choice.label, value=choice.value == self.initial)
        elif q.kind is Kind.MULTILINE:
            yield TextArea(str(self.initial or ""), id="input")
        else:
            text = "" if self.initial is None or q.secret else str(self.initial)
            yield Input(value=text, password=q.secret, id="input", compact=True)
        yield Label("", classes="error", id="error", markup=False)

    def raw_value(self) -> Any:
        widget = self.query_one("#input")
        if isinstance(widget, Switch):
            return widget.value
        if isinstance(widget, RadioSet):
            index = widget.pressed_index
            return self.question.choices[index].value if index >= 0 else ""
        if isinstance(widget, TextArea):
            return widget.text
        assert isinstance(widget, Input)
        return widget.value

    def show_error(self, message: str) -> None:
        error = self.query_one("#error", Label)
        error.update(message)
        error.set_class(bool(message), "shown")

    @property
    def error_text(self) -> str:
        return str(self.query_one("#error", Label).content)
