"""The agency's AMI events: what it subscribes to, what its dispatchers allow and what
uzor-pbx-setup's event filter lets through are the same set."""

from __future__ import annotations

import re
from unittest.mock import MagicMock

import pytest

from appliance.agency.ami_events import EVENTS
from appliance.agency.operators.call_log import CallLog
from appliance.agency.operators.events import CallEvents
from appliance.agency.wallboard.board import Wallboard
from appliance.ami.dispatch import Dispatcher
from appliance.ami.manager import AMIManager, UnitAccess
from testkit.ami_users import AGENCY_USER, AmiUsers


class _Recording(Dispatcher):
    def __init__(self) -> None:
        super().__init__(EVENTS)
        self.names: set[str | None] = set()

    def subscribe(self, name, handler) -> None:  # type: ignore[no-untyped-def]
        super().subscribe(name, handler)
        self.names.add(name)


def _subscribed() -> set[str | None]:
    dispatcher = _Recording()
    unit = AMIManager(UnitAccess("pbx1", "127.0.0.1", 5038, "u", "s"), MagicMock(), dispatcher)
    CallEvents(MagicMock(), MagicMock()).attach(unit)
    Wallboard({}, MagicMock(), MagicMock(), None, default_language="en").attach(unit)
    CallLog(MagicMock(), MagicMock(), MagicMock(), MagicMock(), MagicMock()).attach(unit)
    return dispatcher.names


def test_the_agency_reads_exactly_the_events_of_its_filter() -> None:
    assert _subscribed() == EVENTS


def test_uzor_pbx_setup_filters_the_agencys_user_to_those_events() -> None:
    section = AmiUsers().section(AGENCY_USER)
    filters = re.findall(r"^eventfilter\((.*)\) =$", section, re.MULTILINE)
    assert filters == [f"action(include),name({name})" for name in sorted(EVENTS)]


def test_a_dispatcher_refuses_an_event_its_link_does_not_get() -> None:
    dispatcher = Dispatcher(frozenset({"Hangup"}))
    dispatcher.subscribe("Hangup", print)
    with pytest.raises(ValueError, match="Newstate"):
        dispatcher.subscribe("Newstate", print)
    with pytest.raises(ValueError, match="any"):
        dispatcher.subscribe(None, print)
