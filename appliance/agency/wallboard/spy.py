"""Listen, whisper and barge: ChanSpy on an operator's live call, rung on the supervisor's phone.

The admin decides (``callcenter.barge``), logs the use and signs a one-time ``spy`` token
(contracts/supervisor_token.py); the agency checks it and builds the Originate only from what it
knows itself: the operator's session and its call's channel on the operator's unit, and the
supervisor's workplace as the admin's database has it. Nothing from the page reaches the dial
string unchecked: the workplace number and the channel name must match strict patterns, and the
channel must be the one the agency follows for the operator's current call.

``Originate Channel=PJSIP/<workplace> Application=ChanSpy Data=<channel>,qE[w|B]``: q no beep, E
ends the spy when the operator's call ends, w whisper (the supervisor speaks to the operator
only), B barge (to both parties). The agency's AMI user needs ``originate`` (write) for this
(not ``system``: ChanSpy is not one of the applications that need it).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from appliance.agency.database import Database
from appliance.agency.i18n import Text, _
from appliance.agency.operators import machine as m
from appliance.agency.operators.service import OperatorService
from appliance.ami.errors import ActionFailedError, AMIError
from appliance.contracts import supervisor_token as tokens

log = logging.getLogger(__name__)
CHANNEL_RE = re.compile(r"^PJSIP/[0-9A-Za-z_-]{1,32}-[0-9a-f]{8}$")
OPTIONS = {"listen": "qE", "whisper": "qEw", "barge": "qEB"}
ORIGINATE_TIMEOUT_MS = "30000"
SPY_CHANNEL_PREFIX = "uzor-spy-"  # the agency's own Originate (events ignore "uzor-" ids)


class SpyRefused(Exception):  # noqa: N818 - reads as what happened
    """Not done; ``error_id`` for programs, ``text`` for the supervisor."""

    def __init__(self, error_id: str, text: Text) -> None:
        super().__init__(str(text))
        self.error_id = error_id
        self.text = text


class Spy:
    def __init__(
        self,
        operators: OperatorService,
        store: Database,
        public_key: Ed25519PublicKey | None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.operators = operators
        self.store = store
        self.public_key = public_key
        self.clock = clock
        self._used: dict[str, float] = {}  # nonce -> expiry

    def check(self, ticket: str) -> dict[str, Any]:
        """The payload of a valid, unused spy token (its nonce is spent now)."""
        if self.public_key is None:
            raise SpyRefused("not_configured", _("the wallboard's public key is not configured"))
        now = self.clock()
        try:
            payload = tokens.verify(self.public_key, ticket, tokens.SPY, now)
        except tokens.TokenError as exc:
            log.warning("spy refused: %s", exc)
            raise SpyRefused("forbidden", _("the permission to listen is not valid")) from exc
        self._used = {nonce: exp for nonce, exp in self._used.items() if exp >= now}
        if payload["nonce"] in self._used:
            raise SpyRefused("forbidden", _("the permission to listen was used already"))
        self._used[payload["nonce"]] = float(payload["exp"])
        return payload

    async def run(self, ticket: str) -> dict[str, Any]:
        payload = self.check(ticket)
        agent, mode, number = payload["agent"], payload["mode"], payload["workplace"]
        session = self.operators.sessions.get(agent)
        if session is None:
            raise SpyRefused("no_call", _("operator {agent} is not logged in", agent=agent))
        talking = [c for c in session.operator.calls if c.state in (m.State.TALKING, m.State.HOLD)]
        leg = session.legs.get(talking[0].call_id) if talking else None
        if leg is None or not CHANNEL_RE.match(leg.channel):
            raise SpyRefused("no_call", _("operator {agent} has no call now", agent=agent))
        if number == session.workplace.number:
            raise SpyRefused("bad_workplace", _("that is the operator's own workplace"))
        workplace = await self.store.workplace_by_number(number)
        if workplace is None:
            raise SpyRefused("bad_workplace", _("no workplace {number}", number=number))
        unit = self.operators.units.get(session.unit)
        if unit is None:
            raise SpyRefused("pbx_unavailable", _("the operator's PBX unit is not connected"))
        headers = {
            "Channel": f"PJSIP/{workplace.number}",
            "Application": "ChanSpy",
            "Data": f"{leg.channel},{OPTIONS[mode]}",
            "CallerID": f'"{mode} {agent}" <{agent}>',
            "Timeout": ORIGINATE_TIMEOUT_MS,
            "ChannelId": f"{SPY_CHANNEL_PREFIX}{uuid.uuid4().hex}",
            "Async": "true",
        }
        try:
            await unit.action("Originate", headers)
        except ActionFailedError as exc:
            reason = exc.response.get("Message", "error")
            raise SpyRefused(
                "pbx_refused", _("the PBX refused the action: {reason}", reason=reason)
            ) from exc
        except AMIError as exc:
            raise SpyRefused(
                "pbx_unavailable", _("the operator's PBX unit is not connected")
            ) from exc
        log.info(
            "spy: %s %s operator %s (%s) from workplace %s",
            payload["sub"],
            mode,
            agent,
            leg.channel,
            workplace.number,
        )
        return {"agent": agent, "mode": mode, "workplace": workplace.number}
