import assert from "node:assert/strict";
import { test } from "node:test";

import { activeCall, applyCallEvent, consultation, reconcileCalls, ringingCall } from "../src/calls.js";

const incoming = {
  name: "call_incoming",
  data: { call_id: "c1", number: "+74950000001", caller_name: "Ivan", topic: { prefix: "100", description: "Sales" }, script_url: "https://s.example/a", group: "sales" },
};

test("an incoming call rings with its caller, topic and script, then talks, holds and ends", () => {
  let calls = applyCallEvent([], incoming, 1000);
  assert.equal(calls.length, 1);
  assert.deepEqual(
    { ...calls[0] },
    { callId: "c1", direction: "inbound", state: "ringing", number: "+74950000001", callerName: "Ivan", topic: "100", topicName: "Sales", scriptUrl: "https://s.example/a", group: "sales", since: 1000, answeredAt: null, consult: false },
  );
  assert.equal(ringingCall(calls)?.callId, "c1");
  calls = applyCallEvent(calls, { name: "call_answered", data: { call_id: "c1" } }, 2000);
  assert.equal(calls[0].state, "talking");
  assert.equal(calls[0].answeredAt, 2000);
  assert.equal(ringingCall(calls), null);
  calls = applyCallEvent(calls, { name: "call_held", data: { call_id: "c1" } }, 3000);
  assert.equal(calls[0].state, "hold");
  calls = applyCallEvent(calls, { name: "call_unheld", data: { call_id: "c1" } }, 4000);
  assert.equal(calls[0].state, "talking");
  calls = applyCallEvent(calls, { name: "call_ended", data: { call_id: "c1" } }, 5000);
  assert.deepEqual(calls, []);
});

test("a consultation holds the first call and the second is the active one", () => {
  let calls = applyCallEvent([], incoming, 0);
  calls = applyCallEvent(calls, { name: "call_answered", data: { call_id: "c1" } }, 1);
  calls = applyCallEvent(calls, { name: "transfer_progress", data: { call_id: "c1", stage: "consulting", number: "102" } }, 2);
  calls = applyCallEvent(calls, { name: "call_dialing", data: { call_id: "c1-consult", number: "102" } }, 2);
  assert.deepEqual(calls.map((c) => [c.callId, c.state]), [["c1", "hold"], ["c1-consult", "dialing"]]);
  assert.equal(activeCall(calls)?.callId, "c1-consult");
  assert.equal(consultation(calls)?.held.callId, "c1");
});

test("the agency's list decides which calls exist and keeps what events told", () => {
  const calls = applyCallEvent([], incoming, 0);
  const merged = reconcileCalls(calls, [
    { call_id: "c1", direction: "inbound", state: "talking", number: "+74950000001" },
    { call_id: "x-consult", direction: "outbound", state: "dialing", number: "5" },
  ], 10);
  assert.equal(merged[0].callerName, "Ivan");
  assert.equal(merged[0].answeredAt, 10);
  assert.equal(merged[1].consult, true);
  assert.deepEqual(reconcileCalls(merged, [], 11), []);
  assert.equal(reconcileCalls(merged, undefined, 11), merged);
});

test("events for unknown calls and other messages change nothing", () => {
  const calls = applyCallEvent([], incoming, 0);
  assert.deepEqual(applyCallEvent(calls, { name: "call_held", data: { call_id: "zz" } }, 1), calls);
  assert.equal(applyCallEvent(calls, { name: "state_changed", data: {} }, 1), calls);
});

test("recent calls: newest first, one entry per number, bad stored data ignored", async () => {
  const { addRecent, parseRecent, RECENT_MAX } = await import("../src/recent.js");
  let list = addRecent([], { number: "1", topic: "9", at: 1 });
  list = addRecent(list, { number: "2", topic: "9", at: 2 });
  list = addRecent(list, { number: "1", topic: "8", at: 3 });
  assert.deepEqual(list.map((c) => c.number), ["1", "2"]);
  assert.deepEqual(parseRecent(JSON.stringify(list)), list);
  assert.deepEqual(parseRecent("{"), []);
  assert.deepEqual(parseRecent('[{"number":"<script>"},{"number":"5","at":"x"}]'), [{ number: "5", topic: "", at: 0 }]);
  for (let i = 0; i < 30; i++) list = addRecent(list, { number: String(i + 10), topic: "", at: i });
  assert.equal(list.length, RECENT_MAX);
});
