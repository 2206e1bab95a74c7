"""The agency's dialplan rows as the admin writes them into extensions.conf."""

from pathlib import Path

import pytest

from appliance.contracts.agency_dialplan import (
    AGENCY_DIALPLAN,
    CALLER_HIDDEN_VARIABLE,
    extensions_conf,
)


def test_the_rows_become_extensions_conf_sections() -> None:
    text = extensions_conf()
    assert text.startswith("[uzor-agency-conference]\nexten => _X.,1,NoOp(conference)\n")
    assert " same => n,ConfBridge(${EXTEN})\n same => n,Hangup()\n\n[uzor-agency-hold]\n" in text
    assert " same => n,MusicOnHold(${UZOR_MOH})\n" in text
    assert ' same => n,ExecIf($["${UZOR_UNHELD}" = "1"]?Hangup())\n' in text
    assert "\nexten => operator,1,NoOp(operator)\n same => n,Wait(3600)\n" in text
    assert text.endswith(" same => n,Hangup()")
    lines = [line for line in text.splitlines() if line.startswith(("exten", " same"))]
    assert len(lines) == len(AGENCY_DIALPLAN)


def test_priorities_out_of_order_are_refused() -> None:
    rows = (("c", "s", "1", "NoOp", ""), ("c", "s", "3", "Hangup", ""))
    with pytest.raises(ValueError, match="c,s: priority 3, not 2"):
        extensions_conf(rows)


def test_the_admins_inbound_context_sets_the_hidden_caller_variable_the_agency_reads() -> None:
    template = Path(__file__).resolve().parents[2] / (
        "admin/callcenter/dialplan/templates/extensions.conf.j2"
    )
    # inherited (__): every channel of the call carries it, e.g. after a transfer
    assert f"Set(__{CALLER_HIDDEN_VARIABLE}=1)" in template.read_text(encoding="utf-8")
