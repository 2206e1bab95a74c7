"""The call flow of an inbound topic in its admin form: standard, custom (the graph, drawn by the
visual editor or typed as YAML/JSON) or dialplan text (callflow/dialplan_text.py); templates.
Every flow is checked on the server; problems are reported per node, with the line of the text
that names the node, or per line of the dialplan text. Switching between the modes is explicit:
switching to dialplan text converts the graph, and leaving it must be confirmed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..callflow.dialplan_text import check_any_flow, dialplan_flow, is_dialplan_flow
from ..callflow.text import TextError, flow_to_text, located, text_to_flow
from ..callflow.to_dialplan import graph_to_dialplan
from ..callflow.validate import FlowError, Problem, Refs, check_flow
from ..models import FlowTemplate, InboundTopic

STANDARD, CUSTOM, DIALPLAN = "standard", "custom", "dialplan"
TEXT_WIDGET = forms.Textarea(
    attrs={"rows": 24, "cols": 100, "spellcheck": "false", "class": "uzor-flow-text"}
)
DIALPLAN_WIDGET = forms.Textarea(
    attrs={"rows": 24, "cols": 100, "spellcheck": "false", "class": "uzor-flow-dialplan"}
)


def checked_flow(
    text: str, problems: list[Problem] | None = None
) -> tuple[dict[str, Any] | None, list[str]]:
    """(flow data, []) or (None, located problems) for the text of a flow; the problems
    themselves are appended to ``problems`` (for the visual editor's nodes)."""
    problems = problems if problems is not None else []
    try:
        data = text_to_flow(text)
    except TextError as exc:
        problems.append(Problem(None, str(exc)))
        return None, [str(exc)]
    try:
        result = check_any_flow(data, Refs.from_db())
    except FlowError as exc:
        problems.extend(exc.problems)
        return None, [located(text, p) for p in exc.problems]
    return result, []


def checked_dialplan(text: str) -> tuple[dict[str, Any] | None, list[str]]:
    """(text flow, []) or (None, the problems, each with its line)."""
    try:
        return check_any_flow(dialplan_flow(text), Refs.from_db()), []
    except FlowError as exc:
        return None, [p.message for p in exc.problems]


def converted_dialplan(text: str, problems: list[Problem]) -> tuple[str | None, list[str]]:
    """The graph flow of ``text`` (YAML/JSON) written as dialplan text, or its problems."""
    data, located_problems = checked_flow(text, problems)
    if data is None or is_dialplan_flow(data):
        return (data or {}).get("dialplan"), located_problems
    return graph_to_dialplan(check_flow(data, Refs.from_db())), []


class InboundTopicForm(forms.ModelForm):  # type: ignore[type-arg]  # stubs-only generic
    flow_mode = forms.ChoiceField(
        label=_("Call flow"),
        choices=[
            (STANDARD, _("Standard: non-working time, greeting and group from the fields above")),
            (CUSTOM, _("Custom: the flow below (the visual editor, or its YAML/JSON)")),
            (
                DIALPLAN,
                _(
                    "Dialplan text: the flow written as Asterisk dialplan (for advanced admins; "
                    "choosing it converts the flow above)"
                ),
            ),
        ],
        widget=forms.RadioSelect,
        initial=STANDARD,
        required=False,  # a form posted without it keeps the topic's flow as it is
    )
    flow_text = forms.CharField(
        label=_("Flow (YAML or JSON)"),
        required=False,
        strip=False,
        widget=TEXT_WIDGET,
        help_text=_(
            "Nodes: start, play, schedule, menu, queue, transfer, voicemail, set, hangup; "
            "each output names the id of the next node. Checked on save."
        ),
    )
    flow_dialplan = forms.CharField(
        label=_("Flow as dialplan text"),
        required=False,
        strip=False,
        widget=DIALPLAN_WIDGET,
        help_text=_(
            "Used when Dialplan text is selected: exten => and same => lines of the topic's own "
            "context, entered at s,1. Allowed: Answer, Ringing, Progress, Wait, NoOp, Playback, "
            "Background, WaitExten, Read, Queue, Dial (PJSIP/<workplace> or "
            "Local/<number>@uzor-routes), VoiceMail(<mailbox>,<greeting>,<seconds>), Set, Goto, "
            "GotoIf, GotoIfClosed(<schedules>?<label>), Hangup. Sounds, groups, schedules and "
            "workplaces by their names. Left empty, it is converted from the flow above. "
            "Checked on save."
        ),
    )
    drop_dialplan = forms.BooleanField(
        label=_("Drop the dialplan text"),
        required=False,
        help_text=_(
            "Needed to switch a topic from dialplan text to the standard or custom flow; the "
            "text stays in the topic's history."
        ),
    )
    flow_template = forms.ModelChoiceField(
        label=_("Replace the flow with a template"),
        queryset=FlowTemplate.objects.all(),
        required=False,
        help_text=_("Sets the custom flow to the template's flow."),
    )
    save_as_template = forms.CharField(
        label=_("Save the flow as a template named"),
        max_length=100,
        required=False,
    )

    class Meta:
        model = InboundTopic
        fields = ["number"]  # the admin adds its fieldsets' fields

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topic = self.instance
        current = topic.current_flow() if topic.pk else topic.standard_flow()
        self.was_dialplan = bool(topic.pk) and is_dialplan_flow(current)
        self.initial_dialplan = current["dialplan"] if self.was_dialplan else ""
        if self.was_dialplan:  # the graph field shows what the standard flow would be
            current = topic.standard_flow()
        self.initial_text = flow_to_text(current)
        self.fields["flow_text"].initial = self.initial_text
        self.fields["flow_dialplan"].initial = self.initial_dialplan
        self.fields["flow_mode"].initial = (
            STANDARD
            if topic.pk is None or topic.flow_is_standard
            else DIALPLAN
            if self.was_dialplan
            else CUSTOM
        )
        if "flow_text" in self.initial:  # a clone's initial data
            self.initial_text = str(self.initial["flow_text"])
        if "flow_dialplan" in self.initial:
            self.initial_dialplan = str(self.initial["flow_dialplan"])
        self.flow_data: dict[str, Any] | None = None
        self.flow_problems: list[Problem] = []

    def clean_save_as_template(self) -> str:
        name = str(self.cleaned_data.get("save_as_template") or "").strip()
        if name and FlowTemplate.objects.filter(name=name).exists():
            raise forms.ValidationError(_("A template with this name exists already."))
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        mode = cleaned.get("flow_mode")
        text = str(cleaned.get("flow_text") or "")
        template = cleaned.get("flow_template")
        edited = _normalized(text) != _normalized(self.initial_text)
        if not mode:
            keep = self.instance.pk and not self.instance.flow_is_standard
            self.flow_data = dict(self.instance.flow) if keep else None
            return cleaned
        if mode == DIALPLAN:
            self._clean_dialplan(cleaned, text, edited)
            return cleaned
        if not self._may_leave_dialplan(cleaned):
            return cleaned
        if mode == STANDARD:
            if template is not None or edited:
                self.add_error(
                    "flow_mode",
                    _(
                        "The flow was edited or a template chosen, but the standard flow is "
                        "selected: choose Custom to keep the changes, or undo them."
                    ),
                )
            self.flow_data = None
            return cleaned
        if template is not None:
            if edited:
                self.add_error(
                    "flow_template",
                    _("Choose a template or edit the text, not both (the edits would be lost)."),
                )
                return cleaned
            text = flow_to_text(template.flow)
        data, problems = checked_flow(text, self.flow_problems)
        if problems:
            self.add_error("flow_text" if template is None else "flow_template", problems)
        self.flow_data = data
        return cleaned

    def _may_leave_dialplan(self, cleaned: dict[str, Any]) -> bool:
        """Standard or custom is chosen: never drop the dialplan text (stored, or typed in
        this form) without the admin's confirmation."""
        dialplan = str(cleaned.get("flow_dialplan") or "")
        typed = _normalized(dialplan) != _normalized(self.initial_dialplan)
        if (self.was_dialplan or typed) and not cleaned.get("drop_dialplan"):
            self.add_error(
                "flow_mode",
                _(
                    "The flow is dialplan text (or its text was edited), but another mode is "
                    'selected: choose Dialplan text to keep the text, or tick "Drop the '
                    'dialplan text" to replace it.'
                ),
            )
            return False
        template = cleaned.get("flow_template")
        if template is not None and is_dialplan_flow(template.flow):
            self.add_error(
                "flow_template",
                _("This template is dialplan text: choose Dialplan text to use it."),
            )
            return False
        return True

    def _clean_dialplan(self, cleaned: dict[str, Any], text: str, edited: bool) -> None:
        dialplan = str(cleaned.get("flow_dialplan") or "")
        template = cleaned.get("flow_template")
        typed = _normalized(dialplan) != _normalized(self.initial_dialplan)
        if template is not None:
            if typed or edited:
                self.add_error(
                    "flow_template",
                    _("Choose a template or edit the text, not both (the edits would be lost)."),
                )
                return
            if is_dialplan_flow(template.flow):
                dialplan = str(template.flow["dialplan"])
            else:
                converted, problems = converted_dialplan(flow_to_text(template.flow), [])
                if converted is None:
                    self.add_error("flow_template", problems)
                    return
                dialplan = converted
        elif not dialplan.strip():  # switching to text: the graph (posted or current) converted
            converted, problems = converted_dialplan(text, self.flow_problems)
            if converted is None:
                self.add_error("flow_text", problems)
                return
            dialplan = converted
        elif edited:
            self.add_error(
                "flow_mode",
                _(
                    "The graph was edited, but Dialplan text is selected: choose Custom to keep "
                    'the graph (ticking "Drop the dialplan text"), or undo the changes.'
                ),
            )
            return
        data, problems = checked_dialplan(dialplan)
        if problems:
            self.add_error("flow_dialplan" if template is None else "flow_template", problems)
        self.flow_data = data

    def apply_flow(self, topic: InboundTopic) -> None:
        """Put the cleaned flow on the topic before it is saved (None: standard)."""
        topic.flow = self.flow_data


def _normalized(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


class FlowTemplateForm(forms.ModelForm):  # type: ignore[type-arg]  # stubs-only generic
    flow_text = forms.CharField(label=_("Flow (YAML or JSON)"), strip=False, widget=TEXT_WIDGET)

    class Meta:
        model = FlowTemplate
        fields = ["name", "description"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["flow_text"].initial = flow_to_text(self.instance.flow)
        else:
            from ..callflow.default import standard_flow

            self.fields["flow_text"].initial = flow_to_text(standard_flow(None, None, None, []))

    def _post_clean(self) -> None:
        if "flow_text" not in self.errors:  # the model checks the flow the text gave
            super()._post_clean()  # type: ignore[misc]  # Django's private hook, unstubbed

    def clean_flow_text(self) -> str:
        text = str(self.cleaned_data["flow_text"])
        data, problems = checked_flow(text)
        if problems:
            raise forms.ValidationError(problems)
        self.instance.flow = data
        return text
