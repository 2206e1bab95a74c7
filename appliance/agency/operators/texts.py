"""Human texts the operator service sends terminals (translated on sending, see i18n)."""

from __future__ import annotations

from typing import Any

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


def logged_out(reason: str) -> dict[str, Any]:
    """The data of a ``logged_out`` event: the reason's code and its human text."""
    message = LOGOUT_MESSAGES.get(reason)
    return {"reason": reason} if message is None else {"reason": reason, "message": message}


def pbx_failure(error: AMIError) -> Text:
    """What a terminal is told when the PBX unit could not run its action."""
    if isinstance(error, NotConnectedError):
        return _("the PBX is unavailable: no connection to it; try again later")
    if isinstance(error, ConnectionLostError):
        return _("the connection to the PBX was lost; the action may not have been carried out")
    if isinstance(error, ActionTimeoutError):
        return _("the PBX did not answer in time; the action may still be carried out")
    return _("the PBX could not carry out the action")
