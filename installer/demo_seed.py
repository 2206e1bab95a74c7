"""Demo data: the manual's section 3 walkthrough objects, entered through the admin's own forms.

The objects' form data is testkit/walkthrough.py, the walkthrough test's own. Runs inside the demo
appliance, where testkit.appliance.walkthrough_seed() (make demo, the Ansible e2e test) sends
that module's source along with this script to `uzor-admin shell` (the admin's settings are
loaded). Idempotent: objects that exist are left alone. The walkthrough user "admin" gets its
password from the environment variable UZOR_DEMO_ADMIN_PASSWORD."""

import os
import subprocess
import tempfile
from pathlib import Path

from django.contrib.auth.models import Group as UserGroup
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from appliance.admin.callcenter.models import (
    Context,
    Gateway,
    Group,
    InboundTopic,
    Operator,
    OutboundTopic,
    Route,
    Schedule,
    Sound,
    Transformation,
    Workplace,
)
from testkit import walkthrough

CREATED = []


def add(client, model, data, exists):
    if exists:
        return
    url = reverse(f"admin:callcenter_{model}_add")
    response = client.post(url, data, HTTP_HOST="localhost")
    if response.status_code != 302:
        raise SystemExit(f"demo seed: could not add a {model}: {response.content[:400]!r}")
    CREATED.append(model)


def tone(directory, name, seconds):
    path = Path(directory) / name
    subprocess.run(
        ["sox", "-n", "-r", "44100", "-c", "2", str(path), "synth", str(seconds), "sine", "440"],
        check=True,
        capture_output=True,
    )
    return SimpleUploadedFile(name, path.read_bytes())


def seed_users():
    support, _ = UserGroup.objects.get_or_create(name="support")
    support.permissions.set(Permission.objects.filter(content_type__app_label="callcenter"))
    admin, created = User.objects.get_or_create(username="admin", defaults={"is_staff": True})
    if created:
        admin.set_password(os.environ["UZOR_DEMO_ADMIN_PASSWORD"])
        admin.save()
        admin.groups.add(support)
        CREATED.append("user admin")
    return admin


def seed_sounds(client, directory):
    for name, description, file_name, seconds in walkthrough.SOUNDS:
        data = {
            "name": name,
            "description": description,
            "file": tone(directory, file_name, seconds),
        }
        add(client, "sound", data, Sound.objects.filter(name=name).exists())


def seed_people(client):
    hold = Sound.objects.get(name="hold")
    add(
        client,
        "group",
        walkthrough.group_form(hold.pk),
        Group.objects.filter(name="sales").exists(),
    )
    sales = Group.objects.get(name="sales")
    operator = walkthrough.operator_form(sales.pk)
    exists = Operator.objects.filter(agent_number=walkthrough.OPERATOR).exists()
    add(client, "operator", operator, exists)
    add(
        client,
        "workplace",
        walkthrough.workplace_form(),
        Workplace.objects.filter(number="1").exists(),
    )
    return sales


def seed_topics(client, sales):
    add(
        client,
        "schedule",
        walkthrough.schedule_form(),
        Schedule.objects.filter(name="weekend").exists(),
    )
    inbound = walkthrough.inbound_topic_form(
        weekend=Schedule.objects.get(name="weekend").pk,
        greeting=Sound.objects.get(name="greeting").pk,
        hold=Sound.objects.get(name="hold").pk,
        sales=sales.pk,
    )
    exists = InboundTopic.objects.filter(number=walkthrough.TOPIC).exists()
    add(client, "inboundtopic", inbound, exists)
    exists = OutboundTopic.objects.filter(prefix=walkthrough.OUTBOUND_PREFIX).exists()
    add(client, "outboundtopic", walkthrough.outbound_topic_form(), exists)


def seed_routing(client):
    context = walkthrough.context_form()
    add(client, "context", context, Context.objects.filter(name=context["name"]).exists())
    sipnet = Context.objects.get(name=context["name"])
    # The manual's carrier is sipnet.ru; the demo host has no DNS for it, so a documentation
    # address stands in (the registration simply gets no answer).
    gateway = walkthrough.gateway_form(sipnet.pk, host="198.51.100.10")
    add(client, "gateway", gateway, Gateway.objects.filter(name=gateway["name"]).exists())
    transformation = walkthrough.transformation_form(sipnet.pk)
    add(client, "transformation", transformation, Transformation.objects.exists())
    route = walkthrough.route_form(Gateway.objects.get(name=gateway["name"]).pk)
    add(client, "route", route, Route.objects.filter(pattern=route["pattern"]).exists())


def main():
    client = Client()
    client.force_login(seed_users())
    with tempfile.TemporaryDirectory() as directory:
        seed_sounds(client, directory)
    sales = seed_people(client)
    seed_topics(client, sales)
    seed_routing(client)
    print("demo seed: added " + (", ".join(CREATED) if CREATED else "nothing (already there)"))


main()
