import os
import subprocess
from datetime import date, time

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.deletion import ProtectedError

from appliance.admin.callcenter.models import (
    Context,
    Gateway,
    InboundTopic,
    Membership,
    OutboundTopic,
    PbxUnit,
    Route,
    Schedule,
    Sound,
    SpecificDate,
    Transformation,
    WeeklyRange,
    Workplace,
)

from .factories import make_context, make_gateway, make_group, make_operator, tone_file

pytestmark = [pytest.mark.integration, pytest.mark.usefixtures("admin_db")]


def test_the_builtin_contexts_exist():
    assert Context.inbound().name == "Inbound"
    assert Context.outbound().name == "Outbound"


def test_builtin_contexts_cannot_be_deleted_even_in_bulk():
    with pytest.raises(ProtectedError), transaction.atomic():
        Context.inbound().delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        Context.objects.filter(name="Outbound").delete()
    assert Context.objects.filter(kind__in=["inbound", "outbound"]).count() == 2


def test_builtin_contexts_cannot_be_renamed_and_their_names_are_reserved():
    inbound = Context.inbound()
    inbound.name = "Incoming"
    with pytest.raises(ValidationError, match="renamed"):
        inbound.save()
    with pytest.raises(ValidationError, match="reserved"):
        Context(name="outbound").save()


def test_agent_number_is_unique_and_at_least_three_digits():
    make_operator("101")
    with pytest.raises(ValidationError) as err:
        make_operator("101")
    assert "agent_number" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        make_operator("12")
    assert "agent_number" in err.value.message_dict


def test_operator_password_is_stored_hashed():
    operator = make_operator("102", password="Pa55word!")
    stored = raw_password_column(operator.pk)
    assert "Pa55word!" not in stored
    assert stored.startswith("pbkdf2_sha256$")  # what the agency verifies
    operator.refresh_from_db()
    assert operator.check_password("Pa55word!")
    assert not operator.check_password("wrong")


def raw_password_column(pk):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT password FROM callcenter_operator WHERE id = %s", [pk])
        return cur.fetchone()[0]


def test_operator_joins_groups_with_priority():
    operator, sales, support = make_operator("103"), make_group("sales"), make_group("support")
    Membership(operator=operator, group=sales, priority=1).save()
    Membership(operator=operator, group=support, priority=5).save()
    assert sorted(g.name for g in operator.groups.all()) == ["sales", "support"]
    with pytest.raises(ValidationError):
        Membership(operator=operator, group=sales).save()


def test_workplace_mac_is_normalised_and_unique():
    workplace = Workplace(number="1", mac="E8-03-9A-B5-E0-C9")
    workplace.save()
    workplace.refresh_from_db()
    assert workplace.mac == "e8039ab5e0c9"
    assert len(workplace.sip_secret) >= 24
    assert workplace.agent_url("https://192.168.1.31/") == (
        "https://192.168.1.31/agent/?host=e8039ab5e0c9"
    )
    with pytest.raises(ValidationError) as err:
        Workplace(number="2", mac="e8:03:9a:b5:e0:c9").save()
    assert "mac" in err.value.message_dict


def test_workplace_refuses_a_bad_mac():
    with pytest.raises(ValidationError) as err:
        Workplace(number="3", mac="E8-03-9A-B5-E0").save()
    assert "mac" in err.value.message_dict
    assert not Workplace.objects.filter(number="3").exists()


def test_workplaces_get_different_generated_secrets():
    first = Workplace(number="4", mac="000000000001")
    second = Workplace(number="5", mac="000000000002")
    first.save()
    second.save()
    assert first.sip_secret != second.sip_secret


def test_outbound_prefix_rules():
    OutboundTopic(prefix="111", name="sales calls").save()
    with pytest.raises(ValidationError, match="8"):
        OutboundTopic(prefix="811").save()
    for overlapping in ("11", "1112"):
        with pytest.raises(ValidationError) as err:
            OutboundTopic(prefix=overlapping).save()
        assert "111" in str(err.value.message_dict["prefix"])
    with pytest.raises(ValidationError):
        OutboundTopic(prefix="111").save()
    OutboundTopic(prefix="112").save()
    topic = OutboundTopic.objects.get(prefix="111")
    topic.description = "edited"
    topic.save()  # its own prefix does not clash with itself


def test_schedule_ranges_must_make_sense():
    schedule = Schedule(name="weekend")
    schedule.save()
    WeeklyRange(schedule=schedule, weekday=5, start_time=time(0), end_time=time(23, 59)).save()
    with pytest.raises(ValidationError) as err:
        WeeklyRange(schedule=schedule, weekday=6, start_time=time(22), end_time=time(8)).save()
    assert "end_time" in err.value.message_dict
    SpecificDate(schedule=schedule, date=date(2026, 6, 12)).save()
    with pytest.raises(ValidationError):
        SpecificDate(schedule=schedule, date=date(2026, 6, 13), start_time=time(9)).save()
    assert schedule.weekly.count() == 1 and schedule.dates.get().whole_day


def test_inbound_topic_with_group_schedules_and_sounds(tmp_path):
    group = make_group("sales")
    sound = Sound(name="hello", file=tone_file(tmp_path))
    sound.save()
    night = Schedule(name="night")
    night.save()
    topic = InboundTopic(
        number="1000",
        group=group,
        working_sound=sound,
        non_working_sound=sound,
        hide_caller_number=True,
        name="Sales",
        project="Demo",
        project_manager="Petrov",
    )
    topic.save()
    topic.non_working_schedules.add(night)
    assert list(night.inbound_topics.all()) == [topic]
    with pytest.raises(ValidationError):
        InboundTopic(number="1000", group=group).save()
    with pytest.raises(ValidationError) as err:
        InboundTopic(number="1001").save()
    assert "group" in err.value.message_dict
    with pytest.raises(ProtectedError), transaction.atomic():
        group.delete()


def test_sound_upload_is_converted_to_8khz_mono_16bit_wav(tmp_path):
    sound = Sound(name="greeting", file=tone_file(tmp_path, "greeting.mp3", seconds=2))
    sound.save()
    assert sound.file.name == "sounds/greeting.wav"
    info = {
        flag: subprocess.run(
            ["soxi", flag, sound.file.path], capture_output=True, text=True, check=True
        ).stdout.strip()
        for flag in ("-r", "-c", "-b", "-t")
    }
    assert info == {"-r": "8000", "-c": "1", "-b": "16", "-t": "wav"}
    assert sound.duration == pytest.approx(2, abs=0.1)
    assert sound.original_filename == "greeting.mp3"


def test_a_non_audio_upload_is_refused_and_nothing_is_saved():
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("song.mp3", b"this is not audio at all" * 100)
    with pytest.raises(ValidationError) as err:
        Sound(name="broken", file=fake).save()
    assert "file" in err.value.message_dict
    assert not Sound.objects.filter(name="broken").exists()


def test_gateway_transformation_and_route():
    gateway = make_gateway("sipnet", make_context("from-sipnet"))
    Transformation(context=gateway.context, pattern="74951234567", result="1000").save()
    Route(
        pattern="_89.", transformation="${EXTEN}", caller_id="74951234567", gateway=gateway
    ).save()
    with pytest.raises(ValidationError) as err:
        Route(pattern="_89.x", gateway=gateway).save()
    assert "pattern" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        Route(pattern="_89.", transformation="${SHELL(id)}", gateway=gateway).save()
    assert "transformation" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        gateway_with(port=70000, context=gateway.context)
    assert "port" in err.value.message_dict
    with pytest.raises(ProtectedError), transaction.atomic():
        gateway.context.delete()


def gateway_with(**fields):
    Gateway(name="other", host="10.0.0.1", **fields).save()


@pytest.mark.parametrize(
    "name", ["anonymous", "ANONYMOUS", "transport-ws", "uzor-routes", "global"]
)
def test_a_gateway_cannot_take_a_name_reserved_on_the_unit(name):
    gateway = make_gateway()
    gateway.name = name
    with pytest.raises(ValidationError) as err:
        gateway.save()
    assert "name" in err.value.message_dict


def test_pbx_unit_token_is_kept_hashed():
    unit = PbxUnit(name="pbx1", address="127.0.0.1", ami_user="uzor", ami_secret="x" * 16)
    token = unit.issue_token()
    unit.save()
    unit.refresh_from_db()
    assert token not in unit.token_hash
    assert unit.check_token(token)
    assert not unit.check_token(token + "x")
    assert not unit.check_token("")


@pytest.mark.parametrize(
    "bad", ["sipnet\n[evil]", "pass\rAction: Originate", "tab\there", "nul\x00"]
)
def test_control_characters_are_refused_in_one_line_fields(bad):
    context = make_context("from-carrier")
    with pytest.raises(ValidationError) as err:
        Gateway(name="gw", context=context, host="10.0.0.1", username="u", password=bad).save()
    assert list(err.value.message_dict) == ["password"]
    unit = PbxUnit(name="pbx9", address="127.0.0.1", ami_user="uzor", ami_secret=bad)
    with pytest.raises(ValidationError) as err:
        unit.save()
    assert "ami_secret" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        OutboundTopic(prefix="555", description=bad).save()
    assert "description" in err.value.message_dict


def test_renaming_a_sound_renames_its_file_and_deleting_removes_it(tmp_path):
    from django.test import TestCase

    sound = Sound(name="first", file=tone_file(tmp_path))
    sound.save()
    old_path = sound.file.path
    sound.name = "second"
    sound.save()
    sound.refresh_from_db()
    assert sound.file.name == "sounds/second.wav"
    assert not os.path.exists(old_path) and os.path.exists(sound.file.path)
    new_path = sound.file.path
    with TestCase.captureOnCommitCallbacks(execute=True):
        sound.delete()
    assert not os.path.exists(new_path)


def test_replacing_a_sounds_file_keeps_one_file(tmp_path):
    sound = Sound(name="hold", file=tone_file(tmp_path, "a.wav", seconds=1))
    sound.save()
    sound.file = tone_file(tmp_path, "b.ogg", seconds=2)
    sound.save()
    sound.refresh_from_db()
    assert sound.file.name == "sounds/hold.wav"
    assert sound.duration == pytest.approx(2, abs=0.1)
    assert sorted(os.listdir(os.path.dirname(sound.file.path))) == ["hold.wav"]
