"""Demo data: the manual's section 3 walkthrough objects, entered through the admin's own forms.

Runs inside the demo appliance: `uzor-admin shell < demo_seed.py` (the admin's settings are
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

CREATED = []


def management(prefix, rows):
    data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    data.update({f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{key}": value for key, value in row.items()})
    return data


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
    for name, description, file_name, seconds in (
        ("hold", "music", "hold.mp3", 3),
        ("greeting", "hello", "greeting.flac", 1),
    ):
        data = {
            "name": name,
            "description": description,
            "file": tone(directory, file_name, seconds),
        }
        add(client, "sound", data, Sound.objects.filter(name=name).exists())


def seed_people(client):
    hold = Sound.objects.get(name="hold")
    group = {"name": "sales", "hold_sound": str(hold.pk), "priority": "0"}
    group.update({"answer_timeout": "15", "strategy": "rrmemory"})
    add(client, "group", group, Group.objects.filter(name="sales").exists())
    sales = Group.objects.get(name="sales")
    operator = {"agent_number": "101", "last_name": "Иванов", "first_name": "Иван"}
    operator.update({"middle_name": "", "email": "", "phone": "", "password1": "agent-101"})
    operator.update({"password2": "agent-101", "ring_time": "15", "wrapup_time": "10"})
    operator.update({"is_active": "on"})
    operator.update(management("memberships", [{"group": str(sales.pk), "priority": "0"}]))
    add(client, "operator", operator, Operator.objects.filter(agent_number="101").exists())
    workplace = {"number": "1", "description": "", "mac": "E8-03-9A-B5-E0-C9"}
    add(client, "workplace", workplace, Workplace.objects.filter(number="1").exists())
    return sales


def seed_topics(client, sales):
    weekly = [{"weekday": day, "start_time": "00:00", "end_time": "23:59"} for day in ("5", "6")]
    schedule = {"name": "weekend", "description": "Выходные", **management("weekly", weekly)}
    schedule.update(management("dates", [{"date": "2026-06-12", "start_time": "", "end_time": ""}]))
    add(client, "schedule", schedule, Schedule.objects.filter(name="weekend").exists())
    weekend = Schedule.objects.get(name="weekend")
    inbound = {"number": "1000", "description": "Sales line", "name": "Sales", "state": "active"}
    inbound.update({"script_url": "https://app0.example/projects/script_inbound/ReceiveCall.php"})
    inbound.update({"non_working_schedules": [str(weekend.pk)], "group": str(sales.pk)})
    inbound.update({"working_sound": str(Sound.objects.get(name="greeting").pk)})
    inbound.update({"non_working_sound": str(Sound.objects.get(name="hold").pk)})
    inbound.update({"project": "Demo", "project_manager": "Petrov"})
    add(client, "inboundtopic", inbound, InboundTopic.objects.filter(number="1000").exists())
    outbound = {"prefix": "111", "description": "Outbound sales", "name": "", "state": "active"}
    outbound.update({"script_url": "https://app0.example/projects/script_outbound/Service.php"})
    outbound.update({"project": "", "project_manager": ""})
    add(client, "outboundtopic", outbound, OutboundTopic.objects.filter(prefix="111").exists())


def seed_routing(client):
    context = {"name": "from-sipnet", "description": "Sipnet"}
    add(client, "context", context, Context.objects.filter(name="from-sipnet").exists())
    sipnet = Context.objects.get(name="from-sipnet")
    # The manual's carrier is sipnet.ru; the demo host has no DNS for it, so a documentation
    # address stands in (the registration simply gets no answer).
    gateway = {"name": "sipnet", "description": "", "context": str(sipnet.pk)}
    gateway["host"] = "198.51.100.10"
    gateway.update({"port": "5060", "transport": "udp", "username": "0012345"})
    gateway.update({"auth_domain": "sipnet.ru", "password": "carrier-pass", "did": "74951234567"})
    add(client, "gateway", gateway, Gateway.objects.filter(name="sipnet").exists())
    transformation = {"context": str(sipnet.pk), "pattern": "74951234567", "result": "1000"}
    transformation["description"] = "DID"
    add(client, "transformation", transformation, Transformation.objects.exists())
    route = {"pattern": "_89.", "transformation": "${EXTEN}", "caller_id": "74951234567"}
    route.update({"gateway": str(Gateway.objects.get(name="sipnet").pk), "order": "0"})
    route["description"] = "mobile"
    add(client, "route", route, Route.objects.filter(pattern="_89.").exists())


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
