"""A SIP user agent (SIPp) calling as a workplace endpoint: digest auth and a WebRTC-shaped
SDP offer (DTLS fingerprint, ICE, rtcp-mux), which a ``webrtc=yes`` endpoint requires before it
lets the call into the dialplan. No media flows; the test is about signalling and routing.

SIPp binds 127.0.0.2: gateways are identified by address, and the carrier is on 127.0.0.1.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from testkit.tools import free_port, require_tool

SOURCE = "127.0.0.2"
FINGERPRINT = ":".join(f"{b:02X}" for b in range(32))

_HEADERS = """\
      From: <sip:{user}@[local_ip]>;tag=[pid]SIPpTag[call_number]
      To: <sip:[service]@[remote_ip]:[remote_port]>
      Call-ID: [call_id]
"""

_SDP = f"""\
      v=0
      o=- 1 1 IN IP4 [local_ip]
      s=-
      c=IN IP4 [local_ip]
      t=0 0
      a=group:BUNDLE 0
      m=audio [media_port] UDP/TLS/RTP/SAVPF 0
      a=mid:0
      a=rtpmap:0 PCMU/8000
      a=sendrecv
      a=rtcp-mux
      a=setup:actpass
      a=fingerprint:sha-256 {FINGERPRINT}
      a=ice-ufrag:uzorTest
      a=ice-pwd:uzorTestIcePassword0123
      a=candidate:1 1 UDP 2130706431 [local_ip] 9 typ host
"""


def _invite(user: str, cseq: int, auth: str) -> str:
    return f"""\
  <send retrans="500">
    <![CDATA[
      INVITE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
{_HEADERS.format(user=user)}      CSeq: {cseq} INVITE
      Contact: <sip:{user}@[local_ip]:[local_port]>
      Max-Forwards: 70
{auth}      Content-Type: application/sdp
      Content-Length: [len]

{_SDP}    ]]>
  </send>
"""


def _ack(user: str, cseq: int, via: str) -> str:
    return f"""\
  <send>
    <![CDATA[
      ACK sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      {via}
      From: <sip:{user}@[local_ip]>;tag=[pid]SIPpTag[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: {cseq} ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
"""


def scenario(user: str, password: str, final: int) -> str:
    """INVITE, 401, INVITE with credentials, then ``final``: 200 (ACK, BYE) or an error."""
    auth = f"      [authentication username={user} password={password}]\n"
    head = (
        '<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="workplace call">\n'
        + _invite(user, 1, "")
        + '  <recv response="100" optional="true"/>\n  <recv response="401" auth="true"/>\n'
        + _ack(user, 1, "[last_Via:]")
        + _invite(user, 2, auth)
        + '  <recv response="100" optional="true"/>\n  <recv response="180" optional="true"/>\n'
        + '  <recv response="183" optional="true"/>\n'
    )
    if final != 200:
        return (
            head
            + f'  <recv response="{final}"/>\n'
            + _ack(user, 2, "[last_Via:]")
            + ("</scenario>\n")
        )
    bye = f"""\
  <pause milliseconds="500"/>
  <send retrans="500">
    <![CDATA[
      BYE sip:[service]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:{user}@[local_ip]>;tag=[pid]SIPpTag[call_number]
      [last_To:]
      Call-ID: [call_id]
      CSeq: 3 BYE
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv response="200"/>
"""
    return (
        head
        + '  <recv response="200" rrs="true"/>\n'
        + _ack(user, 2, "Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]")
        + bye
        + "</scenario>\n"
    )


def call_as_workplace(
    target: tuple[str, int],
    user: str,
    password: str,
    number: str,
    *,
    final: int,
    timeout: float = 30,
) -> subprocess.CompletedProcess[str]:
    """Run one SIPp call; the scenario (holding the password) is a 0600 temporary file."""
    require_tool("sipp", "sip-tester")
    with tempfile.TemporaryDirectory(prefix="uzor-sipp-") as tmp:
        path = Path(tmp) / "workplace.xml"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(scenario(user, password, final))
        result = subprocess.run(
            [
                "sipp",
                f"{target[0]}:{target[1]}",
                "-sf",
                str(path),
                "-s",
                number,
                "-i",
                SOURCE,
                "-p",
                str(free_port()),
                "-mp",
                str(free_port()),
                "-m",
                "1",
                "-nostdin",
                "-timeout",
                f"{int(timeout)}s",
                "-timeout_error",
                "-trace_err",
                "-error_file",
                str(Path(tmp) / "errors.log"),
            ],
            capture_output=True,
            text=True,
            timeout=timeout + 15,
            check=False,
            cwd=tmp,
        )
        errors = Path(tmp) / "errors.log"
        if errors.exists():
            result.stdout += "\n--- SIPp errors ---\n" + errors.read_text(errors="replace")
        return result
