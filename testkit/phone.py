"""The workplace's phone: SIPp registers as the workplace endpoint (digest auth), then answers
the calls the unit sends it with a WebRTC-shaped SDP answer (DTLS fingerprint, ICE, rtcp-mux),
as the webagent's browser phone would. No DTLS handshake happens, but once answered the phone
sends RTP (G.711 silence) the whole call, as a browser does. AMI ``Atxfer`` queues DTMF frames
(the attended-transfer code, then the number) on the workplace's channel; Asterisk emulates each
digit's duration and leaves the next digits queued until the channel is read again, which only
media arriving from the phone triggers: without it the digits after the first stay queued and
the transfer fails after transferdigittimeout ("Dialed '1@Outbound' does not exist").

SIPp binds 127.0.0.2: gateways are identified by address, and the carrier is on 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

from testkit.tools import free_port, require_tool
from testkit.workplace_sipp import FINGERPRINT, SOURCE


def register_scenario(user: str, password: str, contact_port: int) -> str:
    def register(cseq: int, auth: str) -> str:
        return f"""\
  <send retrans="500">
    <![CDATA[
      REGISTER sip:[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]
      From: <sip:{user}@[remote_ip]>;tag=[pid]SIPpTag[call_number]
      To: <sip:{user}@[remote_ip]>
      Call-ID: [call_id]
      CSeq: {cseq} REGISTER
      Contact: <sip:{user}@[local_ip]:{contact_port}>
      Expires: 3600
      Max-Forwards: 70
{auth}      Content-Length: 0

    ]]>
  </send>
"""

    auth = f"      [authentication username={user} password={password}]\n"
    return (
        '<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="workplace register">\n'
        + register(1, "")
        + '  <recv response="401" auth="true"/>\n'
        + register(2, auth)
        + '  <recv response="200"/>\n</scenario>\n'
    )


_ANSWER_SDP = f"""\
      v=0
      o=- 1 1 IN IP4 [local_ip]
      s=-
      c=IN IP4 [local_ip]
      t=0 0
      m=audio [media_port] UDP/TLS/RTP/SAVPF 0
      a=rtpmap:0 PCMU/8000
      a=sendrecv
      a=rtcp-mux
      a=setup:active
      a=fingerprint:sha-256 {FINGERPRINT}
      a=ice-ufrag:uzorTest
      a=ice-pwd:uzorTestIcePassword0123
      a=candidate:1 1 UDP 2130706431 [local_ip] 9 typ host
"""


def answer_scenario(ring_ms: int) -> str:
    """Answer one INVITE after ``ring_ms`` of ringing, then wait for the unit's BYE."""
    reply = """\
  <send>
    <![CDATA[
      SIP/2.0 {code}
      [last_Via:]
      [last_From:]
      [last_To:]{tag}
      [last_Call-ID:]
      [last_CSeq:]
      Contact: <sip:[local_ip]:[local_port];transport=[transport]>
{body}
    ]]>
  </send>
"""
    empty = "      Content-Length: 0\n"
    tag = ";tag=[pid]SIPpTag01[call_number]"
    sdp = "      Content-Type: application/sdp\n      Content-Length: [len]\n\n" + _ANSWER_SDP
    return (
        '<?xml version="1.0" encoding="ISO-8859-1" ?>\n<scenario name="workplace answers">\n'
        '  <recv request="INVITE"/>\n'
        + reply.format(code="180 Ringing", body=empty, tag=tag)
        + f'  <pause milliseconds="{ring_ms}"/>\n'
        + reply.format(code="200 OK", body=sdp, tag=tag)
        + '  <recv request="ACK" optional="false"/>\n'
        + '  <nop><action><exec rtp_stream="silence.wav,-1,0"/></action></nop>\n'
        + '  <recv request="BYE"/>\n'
        + reply.format(code="200 OK", body=empty, tag="")
        + "</scenario>\n"
    )


def write_silence(path: Path, seconds: int = 2) -> None:
    """A mono 8 kHz G.711 u-law WAV of silence (0xFF), what SIPp's rtp_stream plays."""
    data = b"\xff" * (8000 * seconds)
    fmt = struct.pack("<HHIIHH", 7, 1, 8000, 8000, 1, 8)
    path.write_bytes(
        b"RIFF"
        + struct.pack("<I", 4 + 8 + len(fmt) + 8 + len(data))
        + b"WAVE"
        + b"fmt "
        + struct.pack("<I", len(fmt))
        + fmt
        + b"data"
        + struct.pack("<I", len(data))
        + data
    )


class WorkplacePhone:
    """``register()`` once, then ``answer(n)`` starts a SIPp that answers the next n calls."""

    def __init__(self, unit_host: str, unit_port: int, user: str, password: str) -> None:
        require_tool("sipp", "sip-tester")
        self.target = f"{unit_host}:{unit_port}"
        self.user, self.password = user, password
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="uzor-phone-"))
        self.process: subprocess.Popen[str] | None = None

    def _write(self, name: str, text: str) -> Path:
        path = self.dir / name
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # holds the password
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        return path

    def register(self) -> None:
        scenario = self._write(
            "register.xml", register_scenario(self.user, self.password, self.port)
        )
        result = subprocess.run(
            [
                "sipp",
                self.target,
                "-sf",
                str(scenario),
                "-i",
                SOURCE,
                "-p",
                str(free_port()),
                "-m",
                "1",
                "-nostdin",
                "-timeout",
                "20s",
                "-timeout_error",
                "-trace_err",
                "-error_file",
                str(self.dir / "register-errors.log"),
            ],
            capture_output=True,
            text=True,
            timeout=40,
            check=False,
            cwd=self.dir,
        )
        assert result.returncode == 0, result.stdout + result.stderr + self.errors("register")

    def answer(self, calls: int = 1, ring_ms: int = 1000) -> None:
        write_silence(self.dir / "silence.wav")
        scenario = self._write("answer.xml", answer_scenario(ring_ms))
        self.process = subprocess.Popen(
            [
                "sipp",
                "-sf",
                str(scenario),
                "-i",
                SOURCE,
                "-p",
                str(self.port),
                "-mp",
                str(free_port()),
                "-m",
                str(calls),
                "-nostdin",
                "-timeout",
                "120s",
                "-timeout_error",
                "-trace_err",
                "-error_file",
                str(self.dir / "answer-errors.log"),
                "-trace_msg",
                "-message_file",
                str(self.dir / "answer-messages.log"),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=self.dir,
        )

    def wait(self, timeout: float = 60) -> None:
        """The answering SIPp handled its calls without an error."""
        assert self.process is not None
        output, _ = self.process.communicate(timeout=timeout)
        assert self.process.returncode == 0, output + self.errors("answer")
        self.process = None

    def errors(self, what: str) -> str:
        path = self.dir / f"{what}-errors.log"
        return "\n--- SIPp errors ---\n" + path.read_text(errors="replace") if path.exists() else ""

    def close(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            self.process.communicate(timeout=5)  # reaps it and closes its pipe
        shutil.rmtree(self.dir, ignore_errors=True)
