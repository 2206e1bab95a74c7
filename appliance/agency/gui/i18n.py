"""The GUI's texts, from the agency's catalogue: ``translator(lang)("English text")``."""

from __future__ import annotations

from collections.abc import Callable

from appliance.agency.i18n import DEFAULT_LANGUAGE, N_, choose, from_accept_language, gettext

# The page's labels: the templates' ``_("...")`` texts (xgettext reads only the Python sources;
# a test checks that every text of the templates is listed here).
LABELS = (
    N_("Uzor agency"),
    N_("Log in"),
    N_("API token"),
    N_("Connected terminals"),
    N_("Client"),
    N_("Operator"),
    N_("Address"),
    N_("Mode"),
    N_("State"),
    N_("In state"),
    N_("Message"),
    N_("Send"),
    N_("End session"),
    N_("No terminals are connected."),
    N_("Log out"),
    N_("Maintenance mode: new logins are refused."),
    N_("Log in at /gui/login first."),
    N_("The form has expired; reload the page."),
)
# Notes shown after a redirect (``/gui/?note=Sent.``): translated from the query string.
NOTES = (N_("Sent."), N_("Session ended."), N_("No such client."), N_("Wrong token."))


def language(accept: str, default: str = DEFAULT_LANGUAGE) -> str:
    """The page's language: the browser's Accept-Language (ru or en), else ``default``."""
    return choose(from_accept_language(accept), default)


def translator(lang: str) -> Callable[[str], str]:
    def translate(text: str) -> str:
        return gettext(lang, text)

    return translate


# The session's mode and state as the GUI shows them (the manual's names).
MODES = {"inbound": N_("Inbound"), "outbound": N_("Outbound"), "offline": N_("Offline")}
STATES = {
    "ready": N_("Ready"),
    "pause": N_("Pause"),
    "wrapup": N_("Wrap-up"),
    "ringing": N_("Ringing"),
    "dialing": N_("Dialing"),
    "talking": N_("Talking"),
    "hold": N_("On hold"),
    "task_waiting": N_("Waiting for a task"),
    "task": N_("Task"),
}
