"""Human texts the operator service sends terminals (translated on sending, see i18n)."""

from __future__ import annotations

from appliance.agency.acp import outgoing as out
from appliance.agency.acp.outgoing import Outgoing
from appliance.agency.i18n import Text, _
from appliance.ami.errors import (
    ActionTimeoutError,
    AMIError,
    ConnectionLostError,
    NotConnectedError,
)

LOGOUT_MESSAGES = {  # the human text of a forced logout, by its reason
    "pause_timeout": _("the pause lasted longer than allowed: you have been logged out"),
    "supervisor": _("a supervisor ended your session"),
    "replaced": _("you logged in on another terminal: this one is logged out"),
    "maintenance": _("the agency is under maintenance: you have been logged out"),
    "license": _("the license does not allow this session: you have been logged out"),
    "pbx_removed": _("your PBX unit was taken out of service: log in again"),
}


def logged_out(reason: str) -> Outgoing:
    """The ``logged_out`` event: the reason's code and its human text."""
    return out.logged_out(reason, LOGOUT_MESSAGES.get(reason))


def pbx_failure(error: AMIError) -> Text:
    """What a terminal is told when the PBX unit could not run its action."""
    if isinstance(error, NotConnectedError):
        return _("the PBX is unavailable: no connection to it; try again later")
    if isinstance(error, ConnectionLostError):
        return _("the connection to the PBX was lost; the action may not have been carried out")
    if isinstance(error, ActionTimeoutError):
        return _("the PBX did not answer in time; the action may still be carried out")
    return _("the PBX could not carry out the action")
