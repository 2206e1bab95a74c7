"""Small builders of valid objects for the admin tests (real rows in MariaDB)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from appliance.admin.callcenter.models import Context, Gateway, Group, Operator


def tone_file(tmp_path: Path, name: str = "tone.mp3", seconds: float = 1.0) -> SimpleUploadedFile:
    """A real audio file made by sox (44.1 kHz stereo), as an upload."""
    path = tmp_path / name
    subprocess.run(
        ["sox", "-n", "-r", "44100", "-c", "2", str(path), "synth", str(seconds), "sine", "440"],
        check=True,
        capture_output=True,
    )
    return SimpleUploadedFile(name, path.read_bytes())


def make_group(name: str = "sales") -> Group:
    group = Group(name=name)
    group.save()
    return group


def make_operator(agent_number: str = "101", password: str = "s3cret-pass") -> Operator:  # noqa: S107
    operator = Operator(agent_number=agent_number, last_name="Ivanov", first_name="Ivan")
    operator.set_password(password)
    operator.save()
    return operator


def make_context(name: str = "from-sipnet") -> Context:
    context = Context(name=name)
    context.save()
    return context


def make_gateway(name: str = "sipnet", context: Context | None = None) -> Gateway:
    gateway = Gateway(name=name, context=context or make_context(), host="sipnet.ru")
    gateway.save()
    return gateway
