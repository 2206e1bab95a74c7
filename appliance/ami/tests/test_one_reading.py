"""One reading of the bytes the old AMI readers read differently.

Before ``appliance.ami`` the agency's parser split a line at its first ``": "`` (else its first
``":"``) and skipped a line without a colon, while the admin's Apply client and the test
fixtures' client split at the first ``":"`` and kept a line without a colon as an ``Output``
value. Now every reader (the asyncio protocol, the blocking client, the fixtures) uses the
codec, whose rule is in its docstring; these tests pin that rule for those bytes and for the
other bytes where a reader could go wrong, through the parser and through a socket.
"""

from __future__ import annotations

import socket
import threading

import pytest

from appliance.ami.codec import AMIParser, Message
from appliance.ami.sync import SyncAMIClient

# Each case: the bytes of one message after the banner, and the one reading of them.
CASES: dict[str, tuple[bytes, Message]] = {
    # a key ends at the first ": " (the admin's reader ended it at the first ":")
    "colon inside a key": (
        b"Event: X\r\nA:b: c\r\n\r\n",
        {"Event": "X", "A:b": "c"},
    ),
    # without ": " the key ends at the first ":" and the value keeps what follows unchanged
    "no space after the colon": (
        b"Event: X\r\nAppData:\r\nB:c:d\r\nC:  two spaces\r\n\r\n",
        {"Event": "X", "AppData": "", "B": "c:d", "C": " two spaces"},
    ),
    # a line without a colon is skipped (the admin's reader made it an "Output" value)
    "body line of an old Response: Follows": (
        b"Response: Follows\r\nActionID: a-1\r\nName/username   Host\r\n--END COMMAND--\r\n\r\n",
        {"Response": "Follows", "ActionID": "a-1"},
    ),
    # Output: lines of a Command response, an empty one included, joined with LF in order
    "Output lines of Command": (
        b"Response: Success\r\nActionID: a-2\r\nOutput: one\r\nOutput: \r\nOutput: three\r\n\r\n",
        {"Response": "Success", "ActionID": "a-2", "Output": "one\n\nthree"},
    ),
    # any repeated key is joined the same way, also when not adjacent
    "duplicate keys": (
        b"Event: Newstate\r\nChanVariable: A=1\r\nChannel: PJSIP/x\r\nChanVariable: B=2\r\n\r\n",
        {"Event": "Newstate", "ChanVariable": "A=1\nB=2", "Channel": "PJSIP/x"},
    ),
    # undecodable bytes become U+FFFD; the stream goes on
    "non-UTF-8 bytes": (
        b"Event: Newchannel\r\nCallerIDName: \xd0\xff\r\nExten: 100\r\n\r\n",
        {"Event": "Newchannel", "CallerIDName": "\ufffd\ufffd", "Exten": "100"},
    ),
    # only CRLF ends a line: a lone LF or CR stays inside the value
    "bare LF and CR line endings": (
        b"Event: X\r\nA: one\ntwo\r\nB: three\r\r\n\r\n",
        {"Event": "X", "A": "one\ntwo", "B": "three\r"},
    ),
    # extra CRLFs before a message are no message and no empty key
    "extra CRLF before a message": (
        b"\r\n\r\n\r\nEvent: Y\r\nZ: 1\r\n\r\n",
        {"Event": "Y", "Z": "1"},
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_the_codec_reads_it_one_way(name: str) -> None:
    data, expected = CASES[name]
    parser = AMIParser()
    assert parser.feed(data) == [expected]
    assert parser.pending == 0


def test_a_message_without_its_blank_line_is_held_back_never_guessed() -> None:
    parser = AMIParser()
    assert parser.feed(b"Event: X\r\nA: 1\r\n") == []
    assert parser.pending == len(b"Event: X\r\nA: 1\r\n")
    assert parser.feed(b"\r\n") == [{"Event": "X", "A": "1"}]


def test_the_blocking_client_reads_the_same_bytes_the_same_way() -> None:
    stream = b"".join(data for data, _ in CASES.values())
    listener = socket.create_server(("127.0.0.1", 0))

    def run() -> None:
        conn, _ = listener.accept()
        with conn:
            conn.sendall(b"Asterisk Call Manager/9.0.0\r\n")
            for byte in range(len(stream)):  # one byte at a time: any split reads alike
                conn.sendall(stream[byte : byte + 1])
            conn.recv(1024)  # until the client closes
        listener.close()

    threading.Thread(target=run, daemon=True).start()
    got: list[Message] = []
    with SyncAMIClient("127.0.0.1", listener.getsockname()[1], timeout=10) as ami:
        while len(got) < len(CASES):
            got.extend(ami.read(None))
    assert got == [expected for _, expected in CASES.values()]
