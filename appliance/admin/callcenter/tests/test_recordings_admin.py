"""The Recordings page: only users with callcenter.listen_recording see, play or download a
recording, every listen and download is logged; the retention setting and its clean-up."""

from __future__ import annotations

import datetime
import io
import wave
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from appliance.admin.callcenter.admin_pages.recordings import recording_url
from appliance.admin.callcenter.dialplan.tests.model import make_unit
from appliance.admin.callcenter.models import (
    Operator,
    PbxUnit,
    Recording,
    RecordingAccess,
    RecordingPolicy,
)


def _wav() -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\1\0" * 8000)
    return buffer.getvalue()


pytestmark = pytest.mark.usefixtures("admin_db")


def _recording(call_id: str = "1765000000.12", days_old: int = 0) -> Recording:
    unit = PbxUnit.objects.filter(name="pbx1").first() or make_unit()[0]
    recording = Recording(
        call_id=call_id,
        uniqueid=f"{call_id}9",
        unit=unit,
        direction="inbound",
        topic_number="74950000001",
        agent_number="101",
        started_at=timezone.now() - datetime.timedelta(days=days_old),
        duration=1.0,
        size=100,
        sha256="0" * 64,
    )
    recording.file.save(f"{call_id}.wav", ContentFile(_wav()), save=False)
    recording.save()
    return recording


def _close_file(response: Any) -> None:
    """Close the streamed file (response.close() would also end the test's transaction)."""
    for closer in response._resource_closers:
        closer()


def _client(name: str, *codenames: str) -> Client:
    user = User.objects.create_user(name, password=f"{name}-pass-123", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="callcenter", codename__in=codenames)
    )
    client = Client()
    client.force_login(user)
    return client


def test_without_the_permission_nothing_is_shown_or_played():
    recording = _recording()
    staff = _client("clerk", "view_operator", "view_recordingaccess")
    audio = reverse("admin:callcenter_recording_audio", args=[recording.pk])
    assert staff.get(audio).status_code == 403
    assert staff.get(audio + "?download=1").status_code == 403
    assert staff.get(reverse("admin:callcenter_recording_changelist")).status_code == 403
    assert staff.get(recording_url(recording.call_id)).status_code == 403
    assert not RecordingAccess.objects.exists()


def test_a_listener_sees_the_list_plays_and_downloads_and_each_is_logged():
    recording = _recording()
    Operator(agent_number="101", last_name="Petrova", first_name="Anna").save()
    listener = _client("supervisor", "listen_recording")
    page = listener.get(recording_url(recording.call_id))
    assert page.status_code == 200
    text = page.content.decode()
    assert "101 Petrova Anna" in text and "74950000001" in text and "<audio" in text
    audio = reverse("admin:callcenter_recording_audio", args=[recording.pk])
    played = listener.get(audio)
    assert played.status_code == 200 and played["Content-Type"] == "audio/wav"
    assert b"".join(played.streaming_content)[:4] == b"RIFF"
    _close_file(played)
    saved = listener.get(audio + "?download=1")
    assert saved.status_code == 200 and "attachment" in saved["Content-Disposition"]
    _close_file(saved)
    log = list(RecordingAccess.objects.order_by("id").values_list("username", "action", "call_id"))
    assert log == [
        ("supervisor", "listen", recording.call_id),
        ("supervisor", "download", recording.call_id),
    ]


def test_the_access_log_is_for_admins_and_cannot_be_edited():
    recording = _recording()
    played = _client("supervisor", "listen_recording").get(
        reverse("admin:callcenter_recording_audio", args=[recording.pk])
    )
    _close_file(played)
    root = Client()
    root.force_login(User.objects.create_superuser("root", "r@example.com", "root-pass-123"))
    page = root.get(reverse("admin:callcenter_recordingaccess_changelist"))
    assert page.status_code == 200 and "supervisor" in page.content.decode()
    access = RecordingAccess.objects.get()
    change = root.post(
        reverse("admin:callcenter_recordingaccess_change", args=[access.pk]), {"username": "x"}
    )
    assert change.status_code == 403
    delete = root.post(
        reverse("admin:callcenter_recordingaccess_delete", args=[access.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert RecordingAccess.objects.get().username == "supervisor"


def test_recording_url_filters_the_list_by_call():
    wanted, other = _recording("1765000000.12"), _recording("1765000000.99")
    root = Client()
    root.force_login(User.objects.create_superuser("root", "r@example.com", "root-pass-123"))
    page = root.get(recording_url("1765000000.12")).content.decode()
    audio = reverse("admin:callcenter_recording_audio", args=[wanted.pk])
    assert audio in page
    assert reverse("admin:callcenter_recording_audio", args=[other.pk]) not in page


def test_the_retention_setting_is_one_form_and_the_clean_up_follows_it():
    root = Client()
    root.force_login(User.objects.create_superuser("root", "r@example.com", "root-pass-123"))
    listing = root.get(reverse("admin:callcenter_recordingpolicy_changelist"))
    form = reverse("admin:callcenter_recordingpolicy_change", args=[1])
    assert listing.status_code == 302 and listing["Location"] == form
    assert root.post(form, {"retention_days": "0"}).status_code == 200  # refused: re-shown
    assert root.post(form, {"retention_days": "30"}).status_code == 302
    assert RecordingPolicy.current().retention_days == 30

    old, kept = _recording("1.1", days_old=31), _recording("2.2", days_old=29)
    old_file = Path(old.file.path)
    out = io.StringIO()
    call_command("purge_recordings", stdout=out)
    assert "deleted 1 recording(s) older than 30 day(s)" in out.getvalue()
    assert list(Recording.objects.values_list("call_id", flat=True)) == [kept.call_id]
    assert not old_file.exists() and Path(kept.file.path).exists()
