"""The blocking AMI client against a scripted manager socket (a fake; real Asterisk in tests/)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

import pytest

from appliance.ami import sync
from appliance.ami.codec import Message
from appliance.ami.errors import (
    ActionTimeoutError,
    AMIError,
    ConnectFailedError,
    ConnectionLostError,
    LoginFailedError,
    NotConnectedError,
    ProtocolError,
)
from appliance.ami.sync import SyncAMIClient

BANNER = b"Asterisk Call Manager/9.0.0\r\n"
Script = list[bytes | Callable[[bytes], bytes]]


def serve(script: Script, requests: list[bytes] | None = None) -> int:
    """A one-connection server: sends ``script[0]``, then for every later item reads one
    request and answers it (``{id}`` replaced by the request's ActionID); then closes."""
    listener = socket.create_server(("127.0.0.1", 0))

    def run() -> None:
        with listener:
            conn, _ = listener.accept()
            with conn:
                first = script[0]
                conn.sendall(first if isinstance(first, bytes) else first(b""))
                data = b""
                for item in script[1:]:
                    while b"\r\n\r\n" not in data:
                        chunk = conn.recv(4096)
                        if not chunk:
                            return
                        data += chunk
                    request, _, data = data.partition(b"\r\n\r\n")
                    if requests is not None:
                        requests.append(request)
                    action_id = request.split(b"ActionID: ")[1].split(b"\r\n")[0]
                    answer = item if isinstance(item, bytes) else item(request)
                    conn.sendall(answer.replace(b"{id}", action_id))

    threading.Thread(target=run, daemon=True).start()
    port: int = listener.getsockname()[1]
    return port


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


OK = b"Response: Success\r\nActionID: {id}\r\nMessage: Authentication accepted\r\n\r\n"


def test_login_and_an_action_skip_other_messages_and_hand_them_over() -> None:
    port = serve(
        [
            BANNER + b"Event: FullyBooted\r\nStatus: Fully Booted\r\n\r\n",
            b"\r\nEvent: SuccessfulAuth\r\n\r\n" + OK,
            b"Response: Success\r\nActionID: other\r\n\r\n"
            b"Response: Success\r\nActionID: {id}\r\nVariable: X\r\nValue: 42\r\n\r\n",
        ]
    )
    seen: list[Message] = []
    with SyncAMIClient("127.0.0.1", port, timeout=5, on_message=seen.append) as ami:
        assert ami.banner == "Asterisk Call Manager/9.0.0"
        ami.login("uzor", "s3cret")
        assert ami.action("Getvar", {"Variable": "X"})["Value"] == "42"
    assert [m.get("Event") or m.get("ActionID") for m in seen] == [
        "FullyBooted",
        "SuccessfulAuth",
        "other",
    ]


def test_an_event_list_is_collected_to_its_complete_event() -> None:
    port = serve(
        [
            BANNER,
            b"Response: Success\r\nActionID: {id}\r\nEventList: start\r\n\r\n"
            b"Event: CoreShowChannel\r\nActionID: {id}\r\nChannel: PJSIP/a-1\r\n\r\n"
            b"Event: Hangup\r\nChannel: PJSIP/b-2\r\n\r\n"
            b"Event: CoreShowChannel\r\nActionID: {id}\r\nChannel: PJSIP/c-3\r\n\r\n"
            b"Event: CoreShowChannelsComplete\r\nActionID: {id}\r\nEventList: Complete\r\n\r\n",
        ]
    )
    seen: list[Message] = []
    with SyncAMIClient("127.0.0.1", port, timeout=5, on_message=seen.append) as ami:
        response, events = ami.action_list("CoreShowChannels")
    assert response["EventList"] == "start"
    assert [e.get("Channel") for e in events] == ["PJSIP/a-1", "PJSIP/c-3", None]
    assert [e["Event"] for e in seen] == ["Hangup"]


def test_list_values_repeat_a_header_and_line_breaks_are_refused() -> None:
    requests: list[bytes] = []
    port = serve([BANNER, b"Response: Success\r\nActionID: {id}\r\n\r\n"], requests)
    with SyncAMIClient("127.0.0.1", port, timeout=5) as ami:
        with pytest.raises(ValueError, match="line break"):
            ami.action("Getvar", {"Variable": "X\r\nAction: Command"})
        ami.action("Originate", {"Channel": "Local/1@x", "Variable": ["A=1", "B=2"]})
    assert requests == [
        b"Action: Originate\r\nActionID: uzor-2\r\nChannel: Local/1@x\r\n"
        b"Variable: A=1\r\nVariable: B=2"
    ]


def test_an_error_response_is_returned_as_it_is() -> None:
    error = b"Response: Error\r\nActionID: {id}\r\nMessage: No such channel\r\n\r\n"
    with SyncAMIClient("127.0.0.1", serve([BANNER, error]), timeout=5) as ami:
        response = ami.action("Hangup", {"Channel": "x"})
    assert response["Response"] == "Error" and response["Message"] == "No such channel"


def test_a_refused_login_is_a_permanent_error() -> None:
    port = serve(
        [BANNER, b"Response: Error\r\nActionID: {id}\r\nMessage: Authentication failed\r\n\r\n"]
    )
    with (
        SyncAMIClient("127.0.0.1", port, timeout=5) as ami,
        pytest.raises(LoginFailedError, match="'uzor' refused") as refused,
    ):
        ami.login("uzor", "wrong")
    assert not refused.value.retryable


def test_nothing_listening_is_a_retryable_connect_error() -> None:
    with pytest.raises(ConnectFailedError) as failed:
        SyncAMIClient("127.0.0.1", closed_port(), timeout=5)
    assert isinstance(failed.value, NotConnectedError) and failed.value.retryable
    assert isinstance(failed.value.os_error, ConnectionRefusedError)


def test_a_stranger_and_an_endless_banner_are_protocol_errors() -> None:
    with pytest.raises(ProtocolError, match="not an Asterisk manager"):
        SyncAMIClient("127.0.0.1", serve([b"SSH-2.0-OpenSSH_9.2\r\n"]), timeout=5)
    endless = b"x" * (sync.MAX_BANNER + 10)
    with pytest.raises(ProtocolError, match="not an Asterisk manager"):
        SyncAMIClient("127.0.0.1", serve([endless, b""]), timeout=5)


def test_a_message_beyond_the_bound_is_a_protocol_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync, "MAX_MESSAGE", 1000)
    port = serve([BANNER, b"Response: Success\r\nActionID: {id}\r\nOutput: " + b"y" * 5000])
    with (
        SyncAMIClient("127.0.0.1", port, timeout=5) as ami,
        pytest.raises(ProtocolError, match="longer than 1000 bytes"),
    ):
        ami.action("Command", {"Command": "core show help"})


def test_no_answer_in_time_is_a_timeout() -> None:
    port = serve([BANNER, b"Event: Noise\r\n\r\n", b""])
    with (
        SyncAMIClient("127.0.0.1", port, timeout=5) as ami,
        pytest.raises(ActionTimeoutError, match="Ping in time") as late,
    ):
        ami.action("Ping", timeout=0.2)
    assert isinstance(late.value, AMIError) and not late.value.retryable


def test_a_connection_closed_while_waiting_is_lost_not_retried() -> None:
    port = serve([BANNER, b"Response: Success\r\nActionID: {id}\r\n"])  # then closes
    with (
        SyncAMIClient("127.0.0.1", port, timeout=5) as ami,
        pytest.raises(ConnectionLostError, match="closed the connection") as lost,
    ):
        ami.action("Reload")
    assert lost.value.os_error is None and not lost.value.retryable


def test_closing_ends_a_read_in_another_thread_as_a_lost_connection() -> None:
    ami = SyncAMIClient("127.0.0.1", serve([BANNER, b""]), timeout=5)
    errors: list[BaseException] = []

    def reader() -> None:
        try:
            ami.read(None)
        except BaseException as exc:  # handed to the test thread
            errors.append(exc)

    thread = threading.Thread(target=reader)
    thread.start()
    ami.send("Ping")  # answered by nothing: the reader is blocked in recv
    ami.close()
    thread.join(5)
    assert [type(error) for error in errors] == [ConnectionLostError]
