"""AMI least privilege (issue 13, item 6), against a real unit: the two AMI users exactly as
``uzor-pbx-setup`` writes them (their sections are taken from the script itself), each refused
what is outside its rights and allowed what its program needs.

The admin's user (``uzor-admin``) reloads modules and reads back; the agency's
(``uzor-agency``) drives calls. Neither may run a CLI command (``!`` runs a shell), edit a
configuration file, or start a shell through ``Originate Application=System`` or a
``SHELL()`` read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from appliance.agency.ami_events import EVENTS
from testkit.ami import AmiClient
from testkit.ami_users import ADMIN_USER, AGENCY_USER, AmiUsers, writes_all_rights_user

TEST_CONTEXT = "uzor-test-privileges"

pytestmark = pytest.mark.integration


@pytest.fixture
def users() -> AmiUsers:
    return AmiUsers()


@pytest.fixture
def unit(asterisk_unit, users):
    assert not writes_all_rights_user(), "uzor-pbx-setup writes the all-rights user [uzor] again"
    ast = asterisk_unit(start=False)
    ast.write_config("manager.d/uzor.conf", users.manager_d())
    ast.write_config(
        f"extensions.d/{TEST_CONTEXT}.conf",
        f"UZOR_REVISION = 7\n\n[{TEST_CONTEXT}]\n"
        "exten => 100,1,Answer()\n same => n,Wait(1)\n same => n,Hangup()\n",
    )
    ast.start()
    return ast


def _client(unit, user: str, secret: str) -> AmiClient:
    client = AmiClient(unit.ami_host, unit.ami_port)
    client.login(user, secret)
    return client


def _local_hangup(event) -> bool:
    return event.name == "Hangup" and event.get("Channel", "").startswith("Local/100@")


def _refused(response) -> bool:
    return response.get("Response") == "Error"


def _common_refusals(ami: AmiClient, unit) -> None:
    """What neither user may do: a CLI command (a shell with ``!``), editing a configuration
    file, a shell through Originate's System application or a SHELL() read."""
    marker = "/tmp/uzor-ami-privilege-test"
    response = ami.action("Command", Command=f"!touch {marker}")
    assert _refused(response) and "Permission denied" in response.get("Message", ""), response
    assert not Path(marker).exists()
    response = ami.action("Command", Command="core show version")
    assert _refused(response), response
    response = ami.action(
        "UpdateConfig",
        SrcFilename="manager.conf",
        DstFilename="manager.conf",
        **{
            "Action-000000": "Append",
            "Cat-000000": "general",
            "Var-000000": "x",
            "Value-000000": "1",
        },
    )
    assert _refused(response) and "Permission denied" in response.get("Message", ""), response
    response = ami.action(
        "Originate",
        Channel=f"Local/100@{TEST_CONTEXT}",
        Application="System",
        Data=f"touch {marker}",
        Async="true",
    )
    assert _refused(response), response
    response = ami.action("Getvar", Variable=f"SHELL(touch {marker})")
    assert _refused(response) or not response.get("Value"), response
    assert not Path(marker).exists()


def test_the_admins_ami_user_reloads_and_reads_back_only(unit, users):
    with _client(unit, ADMIN_USER, users.admin_secret) as ami:
        _common_refusals(ami, unit)
        response = ami.action(
            "Originate",
            Channel=f"Local/100@{TEST_CONTEXT}",
            Context=TEST_CONTEXT,
            Exten="100",
            Priority="1",
        )
        assert _refused(response) and "Permission denied" in response.get("Message", ""), response
        response = ami.action("Reload", Module="pbx_config")
        assert response.get("Response") == "Success", response
        response = ami.action("Getvar", Variable="UZOR_REVISION")
        assert response.get("Response") == "Success" and response.get("Value") == "7", response


def test_the_agencys_ami_user_controls_calls_only(unit, users):
    with _client(unit, AGENCY_USER, users.agency_secret) as ami:
        _common_refusals(ami, unit)
        response = ami.action("Reload", Module="pbx_config")
        assert _refused(response) and "Permission denied" in response.get("Message", ""), response
        response = ami.action("GetConfig", Filename="manager.conf")
        assert _refused(response), response  # the admin's secret, the trunks' passwords
        response = ami.action(
            "DialplanExtensionAdd",
            Context=TEST_CONTEXT,
            Extension="666",
            Priority="1",
            Application="System",
            ApplicationData="id",
        )
        assert _refused(response), response  # the admin renders the agency's dialplan instead
        # what call control needs (appliance/agency/operators/effects.py, asterisk.py and the
        # resync of appliance/ami/manager.py)
        response, _ = ami.action_list("QueueStatus")
        assert response.get("Response") == "Success", response
        response, _ = ami.action_list("CoreShowChannels")
        assert response.get("Response") == "Success", response
        mark = ami.mark()
        response = ami.action(
            "Originate",
            Channel=f"Local/100@{TEST_CONTEXT}",
            Context=TEST_CONTEXT,
            Exten="100",
            Priority="1",
            Async="true",
        )
        assert response.get("Response") == "Success", response
        ami.wait_event(lambda e: e.name == "Newchannel", since=mark)
        _, channels = ami.action_list("CoreShowChannels")  # an action's list is never filtered
        assert any(c.get("Channel", "").startswith("Local/100@") for c in channels), channels
        ami.wait_event(_local_hangup, since=mark)
        # the event filter: of the call's events only those the agency reads reach its user
        names = {event.name for event in ami.events[mark:]}
        assert "Newchannel" in names and names <= EVENTS, names - EVENTS
        response = ami.action("Getvar", Variable="UZOR_REVISION")
        assert response.get("Response") == "Success" and response.get("Value") == "7", response
        # the wallboard's listen / whisper / barge (appliance/agency/wallboard/spy.py): an
        # Originate of the ChanSpy application is call control, not the system right
        mark = ami.mark()
        response = ami.action(
            "Originate",
            Channel=f"Local/100@{TEST_CONTEXT}",
            Application="ChanSpy",
            Data="PJSIP/nobody-00000000,qE",
            Async="true",
        )
        assert response.get("Response") == "Success", response
        ami.wait_event(_local_hangup, since=mark)
