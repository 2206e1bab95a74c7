"""Existing inbound topics get their call flow: the standard flow built from their fields.

The flow is marked ``standard``: the dialplan keeps regenerating it from the topic's greeting,
schedules and group, so these topics work exactly as before until an admin edits the flow.
"""

from django.db import migrations


def fill_standard_flows(apps, schema_editor):
    from appliance.admin.callcenter.callflow.default import standard_flow

    InboundTopic = apps.get_model("callcenter", "InboundTopic")
    for topic in InboundTopic.objects.filter(flow__isnull=True).select_related(
        "working_sound", "non_working_sound", "group"
    ):
        schedules = list(topic.non_working_schedules.order_by("id").values_list("name", flat=True))
        flow = standard_flow(
            topic.working_sound.name if topic.working_sound else None,
            topic.non_working_sound.name if topic.non_working_sound else None,
            topic.group.name if topic.group else None,
            schedules,
        )
        InboundTopic.objects.filter(pk=topic.pk).update(flow=flow)


def clear_standard_flows(apps, schema_editor):
    InboundTopic = apps.get_model("callcenter", "InboundTopic")
    for topic in InboundTopic.objects.exclude(flow__isnull=True):
        if isinstance(topic.flow, dict) and topic.flow.get("standard"):
            InboundTopic.objects.filter(pk=topic.pk).update(flow=None)


class Migration(migrations.Migration):
    dependencies = [
        ("callcenter", "0005_changecounter"),
    ]

    operations = [
        migrations.RunPython(fill_standard_flows, clear_standard_flows),
    ]
