"""Admin for inbound and outbound topics (with the topic directory fields)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from ..callflow.dialplan_text import is_dialplan_flow
from ..callflow.text import flow_to_text
from ..models import FlowTemplate, InboundTopic, OutboundTopic
from .apply_dialplan import apply_dialplan_on_all_units
from .base import CallcenterAdmin
from .flow_forms import FlowTemplateForm, InboundTopicForm

if TYPE_CHECKING:  # django-stubs' names for a fieldset's options and for get_fields' answer
    from django.contrib.admin.options import _FieldGroups, _FieldOpts
    from django.utils.functional import _StrOrPromise

FLOW_FIELDS = [
    "flow_mode",
    "flow_text",
    "flow_dialplan",
    "drop_dialplan",
    "flow_template",
    "save_as_template",
]
CLONED_FIELDS = [
    "description",
    "script_url",
    "working_sound",
    "non_working_sound",
    "group",
    "hide_caller_number",
    "service_level_seconds",
    "name",
    "state",
    "project",
    "project_manager",
]

DIRECTORY_FIELDSET: tuple[_StrOrPromise, _FieldOpts] = (
    _("Topic directory"),
    {"fields": ["name", "state", "project", "project_manager"]},
)


@admin.register(InboundTopic)
class InboundTopicAdmin(CallcenterAdmin):
    form = InboundTopicForm
    readonly_fields = ["flow_display", "clone_link"]
    actions = [apply_dialplan_on_all_units]
    list_display = [
        "number",
        "name",
        "description",
        "group",
        "hide_caller_number",
        "state",
        "project",
        "project_manager",
    ]
    list_filter = ["state", "group", "hide_caller_number", "project"]
    search_fields = ["number", "name", "description", "project", "project_manager"]
    list_select_related = ["group"]
    filter_horizontal = ["non_working_schedules"]
    fieldsets = [
        (None, {"fields": ["number", "description", "script_url"]}),
        (
            _("Call handling"),
            {
                "fields": [
                    "non_working_schedules",
                    "working_sound",
                    "non_working_sound",
                    "group",
                    "hide_caller_number",
                    "service_level_seconds",
                    "record_calls",
                ]
            },
        ),
        DIRECTORY_FIELDSET,
    ]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        editable = (
            self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        )
        flow = [*FLOW_FIELDS] if editable else ["flow_display"]
        if obj is not None:
            flow.append("clone_link")
        return [*self.fieldsets, (_("Call flow"), {"fields": flow})]

    @admin.display(description=_("call flow"))
    def flow_display(self, obj: InboundTopic) -> str:
        return format_html("<pre>{}</pre>", flow_display_text(obj.current_flow()))

    @admin.display(description=_("clone"))
    def clone_link(self, obj: InboundTopic) -> str:
        if not obj.pk:
            return "-"
        url = reverse("admin:callcenter_inboundtopic_add") + f"?clone={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, _("Clone this topic with its flow"))

    def render_change_form(  # noqa: PLR0917 - Django's signature
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: Any = None,
    ) -> Any:
        from .flow_editor import editor_config

        editable = (
            self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        )
        adminform = context.get("adminform")
        form = adminform.form if adminform is not None else None
        context["flow_editor"] = editor_config(obj, form, readonly=not editable)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial: dict[str, Any] = super().get_changeform_initial_data(request)
        source_id = request.GET.get("clone", "")
        source = InboundTopic.objects.filter(pk=source_id).first() if source_id.isdigit() else None
        if source is None or not self.has_view_permission(request, source):
            return initial
        for name in CLONED_FIELDS:
            initial[name] = getattr(source, name)
        initial["non_working_schedules"] = list(
            source.non_working_schedules.values_list("pk", flat=True)
        )
        flow = source.current_flow()
        if is_dialplan_flow(flow):
            initial["flow_mode"] = "dialplan"
            initial["flow_dialplan"] = flow["dialplan"]
            flow = source.standard_flow()
        else:
            initial["flow_mode"] = "standard" if source.flow_is_standard else "custom"
        initial["flow_text"] = flow_to_text(flow)
        return initial

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if isinstance(form, InboundTopicForm):
            form.apply_flow(obj)
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        topic = form.instance
        if topic.flow_is_standard:  # the stored copy follows the fields (schedules saved now)
            InboundTopic.objects.filter(pk=topic.pk).update(flow=topic.standard_flow())
        name = form.cleaned_data.get("save_as_template") if hasattr(form, "cleaned_data") else ""
        if name:
            flow = {**topic.current_flow(), "standard": False}
            FlowTemplate(name=name, flow=flow).save()
            self.message_user(
                request,
                _("Saved the flow as the template %(name)s.") % {"name": name},
                messages.SUCCESS,
            )


@admin.register(FlowTemplate)
class FlowTemplateAdmin(CallcenterAdmin):
    form = FlowTemplateForm
    list_display = ["name", "description", "node_count"]
    search_fields = ["name", "description"]
    readonly_fields = ["flow_display"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> _FieldGroups:
        editable = (
            self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        )
        return ["name", "description", "flow_text" if editable else "flow_display"]

    @admin.display(description=_("nodes"))
    def node_count(self, obj: FlowTemplate) -> int:
        return len(obj.flow.get("nodes", [])) if isinstance(obj.flow, dict) else 0

    @admin.display(description=_("call flow"))
    def flow_display(self, obj: FlowTemplate) -> str:
        return format_html("<pre>{}</pre>", flow_display_text(obj.flow))


@admin.register(OutboundTopic)
class OutboundTopicAdmin(CallcenterAdmin):
    actions = [apply_dialplan_on_all_units]
    list_display = ["prefix", "name", "description", "script_url", "state", "project"]
    list_filter = ["state", "project"]
    search_fields = ["prefix", "name", "description", "project", "project_manager"]
    fieldsets = [
        (None, {"fields": ["prefix", "description", "script_url", "record_calls"]}),
        DIRECTORY_FIELDSET,
    ]


def flow_display_text(flow: Any) -> str:
    """A flow as shown read-only: its dialplan text, or the graph as YAML."""
    return str(flow["dialplan"]) if is_dialplan_flow(flow) else flow_to_text(flow)
