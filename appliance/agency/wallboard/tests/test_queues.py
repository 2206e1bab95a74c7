from datetime import datetime

from appliance.agency.wallboard.queues import QueueBoard

THRESHOLDS = {"7100": 20, "7200": 5}


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 6, 10, 0).timestamp()

    def __call__(self) -> float:
        return self.now


def board():
    clock, changed = Clock(), []
    queues = QueueBoard(THRESHOLDS.get, lambda figures: changed.append(figures.row()), clock)
    return queues, clock, changed


def join(queues, uid, exten="7100", queue="support"):
    event = {"Event": "QueueCallerJoin", "Queue": queue, "Uniqueid": uid, "Exten": exten}
    queues.on_join("u1", event)


def test_waiting_calls_and_the_longest_wait_follow_join_and_leave() -> None:
    queues, clock, changed = board()
    join(queues, "c1")
    clock.now += 7
    join(queues, "c2")
    row = queues.rows()[0]
    assert (row["name"], row["waiting"], row["oldest_since"]) == ("support", 2, clock.now - 7)
    queues.on_leave("u1", {"Queue": "support", "Uniqueid": "c1"})
    assert queues.rows()[0]["waiting"] == 1 and queues.rows()[0]["oldest_since"] == clock.now
    assert [r["waiting"] for r in changed] == [1, 2, 1]


def test_service_level_uses_each_calls_own_topics_threshold() -> None:
    queues, _clock, _ = board()
    join(queues, "c1", exten="7100")  # threshold 20 s
    join(queues, "c2", exten="7200")  # threshold 5 s
    join(queues, "c3", exten="7100")
    join(queues, "c4", exten="9999")  # unknown topic: the default, 20 s
    queues.on_connect("u1", {"Queue": "support", "Uniqueid": "c1", "HoldTime": "15"})
    queues.on_connect("u1", {"Queue": "support", "Uniqueid": "c2", "HoldTime": "15"})
    queues.on_abandon("u1", {"Queue": "support", "Uniqueid": "c3", "HoldTime": "2"})
    queues.on_connect("u1", {"Queue": "support", "Uniqueid": "c4", "HoldTime": "20"})
    row = queues.rows()[0]
    assert (row["answered"], row["abandoned"], row["waiting"]) == (3, 1, 0)
    assert row["service_level"] == 50.0  # c1 and c4 in time, of 4 that left the queue


def test_no_service_level_before_the_first_call_and_counts_start_again_at_midnight() -> None:
    queues, clock, changed = board()
    join(queues, "c1")
    assert queues.rows()[0]["service_level"] is None
    queues.on_connect("u1", {"Queue": "support", "Uniqueid": "c1", "HoldTime": "1"})
    join(queues, "c2")
    clock.now = datetime(2026, 12, 7, 0, 0, 1).timestamp()
    row = queues.rows()[0]
    assert (row["answered"], row["service_level"], row["waiting"]) == (0, None, 1)
    assert changed[-1]["answered"] == 0  # the pages are told


def test_a_reconnection_relearns_the_units_waiting_calls_from_queue_status() -> None:
    queues, clock, _changed = board()
    join(queues, "gone")
    queues.on_join("u2", {"Queue": "support", "Uniqueid": "other", "Exten": "7100"})
    entries = [
        {"Event": "QueueParams", "Queue": "support"},
        {"Event": "QueueParams", "Queue": "sales"},
        {"Event": "QueueEntry", "Queue": "support", "Uniqueid": "c9", "Wait": "42"},
        {"Event": "QueueMember", "Queue": "support", "Name": "101"},
    ]
    queues.resync("u1", entries)
    rows = {r["name"]: r for r in queues.rows()}
    assert set(rows) == {"sales", "support"}
    assert rows["support"]["waiting"] == 2  # u1's c9 and u2's call; "gone" is gone
    assert rows["support"]["oldest_since"] == clock.now - 42
    queues.lost("u2")
    assert queues.rows()[1]["waiting"] == 1
