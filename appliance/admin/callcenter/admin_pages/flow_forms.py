"""The call flow of an inbound topic in its admin form: standard or custom, the text mode,
templates. Every flow is checked on the server (callflow/validate.py); problems are reported
per node, with the line of the text that names the node."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..callflow.text import TextError, flow_to_text, located, text_to_flow
from ..callflow.validate import FlowError, Problem, Refs, check_flow
from ..models import FlowTemplate, InboundTopic

STANDARD, CUSTOM = "standard", "custom"
TEXT_WIDGET = forms.Textarea(
    attrs={"rows": 24, "cols": 100, "spellcheck": "false", "class": "uzor-flow-text"}
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
        flow = check_flow(data, Refs.from_db())
    except FlowError as exc:
        problems.extend(exc.problems)
        return None, [located(text, p) for p in exc.problems]
    result = flow.model_dump(mode="json")
    result["standard"] = False
    return result, []


class InboundTopicForm(forms.ModelForm):  # type: ignore[type-arg]
    flow_mode = forms.ChoiceField(
        label=_("Call flow"),
        choices=[
            (STANDARD, _("Standard: non-working time, greeting and group from the fields above")),
            (CUSTOM, _("Custom: the flow below (text mode or the visual editor)")),
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
        self.initial_text = flow_to_text(current)
        self.fields["flow_text"].initial = self.initial_text
        self.fields["flow_mode"].initial = (
            STANDARD if topic.pk is None or topic.flow_is_standard else CUSTOM
        )
        if "flow_text" in self.initial:  # a clone's initial data
            self.initial_text = str(self.initial["flow_text"])
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

    def apply_flow(self, topic: InboundTopic) -> None:
        """Put the cleaned flow on the topic before it is saved (None: standard)."""
        topic.flow = self.flow_data


def _normalized(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


class FlowTemplateForm(forms.ModelForm):  # type: ignore[type-arg]
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
            super()._post_clean()

    def clean_flow_text(self) -> str:
        text = str(self.cleaned_data["flow_text"])
        data, problems = checked_flow(text)
        if problems:
            raise forms.ValidationError(problems)
        self.instance.flow = data
        return text
