"""The simulated operators' phones: one Asterisk unit ("the farm") registering every workplace
to the unit under load, the way the webagent's phone does: digest auth, DTLS-SRTP, ICE,
AVPF and rtcp-mux (what a ``webrtc = yes`` endpoint demands), over UDP on loopback.

A call to a workplace is answered at once; the farm then sends a 1 kHz tone (real RTP, both
ways encrypted) for the talk time and hangs up, like an operator who ends the conversation.
"""

from __future__ import annotations

from dataclasses import dataclass

FARM_ADDRESS = "127.0.0.3"  # not the carrier's 127.0.0.1: gateways are identified by address


@dataclass(frozen=True)
class Phone:
    number: str  # the workplace's number (endpoint, auth user and contact user on the unit)
    secret: str  # its SIP password


def farm_pjsip(phones: list[Phone], unit_host: str, unit_port: int) -> str:
    """PJSIP of the farm: a registration, an auth and an endpoint per workplace. ``line``
    ties the unit's INVITE to the registration's endpoint (no identify by address)."""
    parts = []
    for phone in phones:
        parts.append(
            f"""
[reg-{phone.number}]
type = registration
outbound_auth = auth-{phone.number}
server_uri = sip:{unit_host}:{unit_port}
client_uri = sip:{phone.number}@{unit_host}:{unit_port}
contact_user = {phone.number}
retry_interval = 2
expiration = 3600
line = yes
endpoint = {phone.number}

[auth-{phone.number}]
type = auth
auth_type = userpass
username = {phone.number}
password = {phone.secret}

[{phone.number}]
type = endpoint
context = farm-answer
disallow = all
allow = ulaw
media_encryption = dtls
dtls_auto_generate_cert = yes
dtls_verify = fingerprint
dtls_setup = actpass
ice_support = yes
use_avpf = yes
rtcp_mux = yes
rtp_symmetric = yes
"""
        )
    return "".join(parts)


def farm_transports(sip_port: int) -> str:
    return f"[transport-udp]\ntype = transport\nprotocol = udp\nbind = {FARM_ADDRESS}:{sip_port}\n"


def farm_extensions(talk_seconds: float) -> str:
    """Answer, talk (a tone as RTP) for ``talk_seconds``, hang up."""
    return f"""[globals]
TALK = {talk_seconds:g}

[farm-answer]
exten => _X.,1,Answer()
 same => n,Set(TIMEOUT(absolute)=${{TALK}})
 same => n,Milliwatt()
 same => n,Hangup()
exten => T,1,Hangup()
"""


def registered(contacts_output: str, phones: list[Phone]) -> int:
    """How many of ``phones`` have a contact on the unit (``pjsip show contacts``)."""
    return sum(
        1
        for line in contacts_output.splitlines()
        if "Contact:" in line
        and "Unavail" not in line
        and line.split()[1].split("/")[0] in {p.number for p in phones}
    )
