"""ACP login: credentials against the admin's model, the license's operator limit, resuming.

A second login of the same operator (terminal reconnect, or after an agency restart) resumes the
session with the same state; an older terminal still connected is told ``logged_out: replaced``.
A terminal resumes with the session's resume token instead of the password (operators/resume.py):
no PBKDF2 check, so a whole shift reconnecting after a restart is back in seconds.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from appliance.agency.acp import outgoing as out
from appliance.agency.acp.clients import Client
from appliance.agency.acp.messages import ACPError, Action
from appliance.agency.i18n import Text, _
from appliance.agency.operators import machine as m
from appliance.agency.operators.effects import Locate
from appliance.agency.operators.license_notice import expiry_notice, license_expired
from appliance.agency.operators.resume import new_token, token_matches
from appliance.agency.operators.session import Session, restore_last_leg, restore_operator
from appliance.agency.operators.texts import logged_out, pbx_failure
from appliance.agency.operators.work_codes import offer_for
from appliance.agency.passwords import PasswordChecker, PasswordPoolBusyError
from appliance.ami.errors import AMIError
from appliance.ami.manager import AMIManager

if TYPE_CHECKING:
    from appliance.agency.database import OperatorRecord, WorkplaceRecord
    from appliance.agency.operators.service import OperatorService

log = logging.getLogger(__name__)
INTERFACE = "PJSIP/{number}"


def normalise_mac(text: str) -> str:
    return re.sub(r"[^0-9a-f]", "", text.lower())


class LoginService:
    def __init__(
        self,
        service: OperatorService,
        max_operators: int | None,
        license_not_after: datetime | None,
        license_warn_days: int,
        restored: dict[str, dict[str, Any]],
    ) -> None:
        self.service = service
        self.max_operators = max_operators
        self.license_not_after = license_not_after
        self.license_warn_days = license_warn_days
        # why new logins are refused while the license file no longer passes the check
        self.license_refusal: Text | None = None
        self.restored = restored  # sessions saved before a restart, taken up by their logins
        self.passwords = PasswordChecker()
        self.starting: set[str] = set()  # agents whose new session is being set up

    async def login(self, client: Client, action: Action) -> dict[str, Any]:
        service = self.service
        agent, mac = action.data["agent"], normalise_mac(action.data["workplace"])
        token = action.data.get("resume")
        if token is None:
            checked: OperatorRecord | None = await self._check_password(action, agent)
        else:
            checked = await service.store.operator(agent)  # its token is checked below
        workplace = await service.store.workplace(mac)
        if workplace is None:  # told apart only after the password: a MAC is no secret
            raise ACPError(
                "login_failed",
                _("this workplace is not registered"),
                id=action.id,
                details={"reason": "unknown_workplace"},
            )
        session = service.sessions.get(agent)
        # the token is checked after the last await: the session it is checked against is the
        # one resumed (a logout meanwhile cannot leave it open to a new session)
        record = self._check_resume(action, checked, session, mac, token)
        resumed = session is not None or agent in self.restored
        busy = service.by_interface.get(INTERFACE.format(number=workplace.number))
        if busy is not None and busy.agent != agent:
            raise ACPError(
                "not_allowed",
                _("the workplace is in use by agent {agent}", agent=busy.agent),
                id=action.id,
            )
        if session is None:
            session = await self._new_session(action, record, workplace)
        elif session.workplace.mac != mac:
            raise ACPError(
                "not_allowed",
                _("agent {agent} is logged in at another workplace", agent=agent),
                id=action.id,
            )
        self._bind(session, client)
        if token is None:  # a login with the password hands out a new token: the old one dies
            token, session.resume_hash = new_token()
            service.save(session)
        reply = await self._reply(session, resumed, token)
        notice = expiry_notice(self.license_not_after, self.license_warn_days, service.clock())
        if notice is not None:
            service.notify_client(client, out.license_notice(**notice))
        return reply

    async def _check_password(self, action: Action, agent: str) -> OperatorRecord:
        """The operator's record if the password is right (PBKDF2, in the password pool)."""
        record = await self.service.store.operator(agent)
        try:
            valid = await self.passwords.check(
                action.data["password"], record.password_hash if record else None
            )
        except PasswordPoolBusyError:
            raise ACPError(
                "rate_limited",
                _("the agency is busy checking logins; try again in {seconds} s", seconds=2),
                id=action.id,
                details={"retry_after": 2},
            ) from None
        if record is None or not valid:
            raise ACPError(
                "login_failed",
                _("wrong agent number or password"),
                id=action.id,
                details={"reason": "credentials"},
            )
        return record

    def _check_resume(
        self,
        action: Action,
        record: OperatorRecord | None,
        session: Session | None,
        mac: str,
        token: str | None,
    ) -> OperatorRecord:
        """The operator's record. A login with the password was checked already (``token`` is
        None); a resume is refused unless ``token`` is the resume token of the agent's session at
        this workplace, live (``session``) or saved before a restart (no PBKDF2 here). A wrong
        token and a session that ended are refused alike, as ``resume_expired``: the terminal
        asks for the password."""
        if token is None and record is not None:
            return record
        expected: object
        place: object
        if session is not None:
            expected, place = session.resume_hash, session.workplace.mac
        else:
            saved = self.restored.get(action.data["agent"]) or {}
            expected, place = saved.get("resume_hash"), saved.get("workplace")
        matches = token_matches(token or "", expected)
        if record is None or place != mac or not matches:
            raise ACPError(
                "login_failed",
                _("the session to resume has ended; log in with your password"),
                id=action.id,
                details={"reason": "resume_expired"},
            )
        return record

    async def _new_session(
        self, action: Action, record: OperatorRecord, workplace: WorkplaceRecord
    ) -> Session:
        """A session for an operator who has none. Its place under the license's limit is taken
        before the first await: logins at the same moment cannot all pass the check."""
        agent, service = record.agent, self.service
        if agent in self.starting:
            raise ACPError(
                "not_allowed", _("agent {agent} is logging in already", agent=agent), id=action.id
            )
        self._check_license(action)
        self._check_limit(action)
        self.starting.add(agent)
        reserved = False
        try:
            reserved = await self._reserve(action, agent)
            groups = await service.store.groups_of(record.id)
            unit = self._pick_unit(action)
            interface = INTERFACE.format(number=workplace.number)
            offer = offer_for(service.work_codes.codes, [g.name for g in groups])
            operator = m.Operator(
                agent,
                record.wrapup_seconds,
                service.settings.pause_limit,
                disposition_required=offer.disposition_required,
            )
            session = Session(record, groups, workplace, unit, interface, operator, offer=offer)
            try:
                await self._start(session)
            except AMIError as exc:
                raise ACPError(
                    "pbx_unavailable",
                    pbx_failure(exc),
                    id=action.id,
                    details={"unit": session.unit},
                ) from exc
            reserved = False  # the session keeps its row until it ends
            return session
        finally:
            self.starting.discard(agent)
            if reserved:  # no session after all: the place goes back
                await service.store.drop_session(agent)

    async def _reserve(self, action: Action, agent: str) -> bool:
        """The operator's place under the license's limit across every agency instance sharing
        the database (their session rows, counted under a database lock); True when a place was
        taken for this login, False when none was needed (no limit) or it had one already."""
        if self.max_operators is None:
            return False
        reserved = await self.service.store.reserve_session(agent, self.max_operators)
        if reserved is None:
            raise self._limit_error(action)
        return reserved

    def _check_license(self, action: Action) -> None:
        """New sessions need a license that passes the check now (sessions already running, and
        their terminals coming back, go on)."""
        refusal = self.license_refusal
        if refusal is None and license_expired(self.license_not_after, self.service.clock()):
            refusal = _(
                "the license has expired: new logins are refused until a valid license is installed"
            )
        if refusal is not None:
            raise ACPError("license_expired", refusal, id=action.id)

    def _check_limit(self, action: Action) -> None:
        taken = len(self.service.sessions) + len(self.starting)
        if self.max_operators is not None and taken >= self.max_operators:
            raise self._limit_error(action)

    def _limit_error(self, action: Action) -> ACPError:
        return ACPError(
            "license_limit",
            _(
                "operators logged in at once allowed by the license: {count}; no more can log in",
                count=self.max_operators,
            ),
            id=action.id,
        )

    def _pick_unit(self, action: Action) -> str:
        names = sorted(self.service.units)
        if not names:
            raise ACPError("pbx_unavailable", _("no PBX unit is configured"), id=action.id)
        up = [n for n in names if self.service.units[n].up]
        return (up or names)[0]

    async def _start(self, session: Session) -> None:
        service = self.service
        now = service.clock()
        saved = self.restored.pop(session.agent, None)
        if saved is not None and saved.get("workplace") == session.workplace.mac:
            if saved.get("unit") in service.units:  # else the unit is gone: the one picked
                session.unit = saved["unit"]
            session.operator = replace(
                restore_operator(
                    session.agent,
                    session.record.wrapup_seconds,
                    service.settings.pause_limit,
                    saved,
                ),
                disposition_required=session.offer.disposition_required,
            )
            session.last_leg = restore_last_leg(saved)
            resume_hash = saved.get("resume_hash")
            session.resume_hash = resume_hash if isinstance(resume_hash, str) else None
            session.interval_start = float(saved.get("interval_start", now))
            service.close_restored_interval(session, saved.get("interval"), now)
            service.add(session)
            service.schedule(session)
            try:  # a unit down now gets it from the resync of its reconnection
                await service.perform(session, [Locate()])
            except AMIError as exc:
                log.warning("%s: workplace not published on resume: %s", session.agent, exc)
            return
        operator, effects = m.login(
            session.agent, session.record.wrapup_seconds, service.settings.pause_limit, now
        )
        operator = replace(operator, disposition_required=session.offer.disposition_required)
        session.interval_start = now
        await service.transition(session, lambda _op: (operator, effects))
        service.add(session)

    def _bind(self, session: Session, client: Client) -> None:
        old = session.client
        if old is not None and old is not client:
            self.service.notify_client(old, logged_out("replaced"))
            old.agent = None
        session.client = client
        client.agent = session.agent
        client.workplace = session.workplace.mac

    async def _reply(self, session: Session, resumed: bool, token: str) -> dict[str, Any]:
        service = self.service
        unit = service.units[session.unit]
        topics = await service.store.outbound_topics()
        ws_url, domain = _sip_access(unit, session.client.host if session.client else "")
        return {
            "operator": {"agent": session.agent, "name": session.record.name},
            "sip": {
                "username": session.workplace.number,
                "password": session.workplace.sip_secret,
                "domain": domain,
                "ws_url": ws_url,
                "display_name": session.record.name or session.agent,
            },
            "groups": [{"name": g.name, "description": g.description} for g in session.groups],
            "outbound_topics": [
                {"prefix": t.prefix, "description": t.description, "script_url": t.script_url}
                for t in topics
            ],
            **session.offer.to_acp(session.client.lang if session.client else "en"),
            "session": session.snapshot(service.clock()),
            "resumed": resumed,
            "resume": token,
        }


# a host name or IPv4 address, or a bracketed IPv6 address, with an optional port
_HOST = re.compile(r"([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?")


def _sip_access(unit: AMIManager, public_host: str) -> tuple[str, str]:
    """The unit's SIP WebSocket as the browser reaches it: the admin's URL for the unit, else
    nginx's proxy for it on the server the terminal connected to (``wss://<host>/sip/<unit>``,
    packaging/debian/uzor-agency: uzor-sip-proxies)."""
    host = public_host if _HOST.fullmatch(public_host) else unit.unit.host
    ws_url = unit.unit.ws_url or f"wss://{host}/sip/{unit.unit.name}"
    domain = unit.unit.sip_domain or unit.unit.host
    return ws_url, domain.split(":")[0]
