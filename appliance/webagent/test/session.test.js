import assert from "node:assert/strict";
import { test } from "node:test";

import { applyCallEvent } from "../src/calls.js";
import { clock, displayState, rules, sessionFromSnapshot, timers } from "../src/session.js";

const snap = (/** @type {any} */ over) => sessionFromSnapshot({ mode: "inbound", state: "ready", reason: null, state_seconds: 0, limit_seconds: null, ...over }, 100000);

test("timers count up in the state and down to its limit", () => {
  const s = snap({ state: "pause", reason: "lunch", state_seconds: 5, limit_seconds: 895 });
  assert.deepEqual(timers(s, 100000), { elapsed: 5, left: 895 });
  assert.deepEqual(timers(s, 110500), { elapsed: 15, left: 885 });
  assert.deepEqual(timers(s, 10_000_000), { elapsed: 9905, left: 0 });
  assert.equal(timers(snap({}), 100000).left, null);
  assert.equal(clock(65), "01:05");
  assert.equal(clock(3725), "1:02:05");
});

test("Outbound mode's pause is shown as such", () => {
  assert.equal(displayState(snap({ mode: "outbound", state: "pause", reason: "outbound" })), "outbound_pause");
  assert.equal(displayState(snap({ state: "pause", reason: "lunch" })), "pause");
});

test("the manual's rules: Ready only inbound, outbound calls from Pause, nothing modal during a call", () => {
  const ready = rules(snap({}), []);
  assert.equal(ready.ready, "why.already");
  assert.equal(ready.pause, null);
  assert.equal(ready.dial, "why.dial_from_pause");
  assert.equal(ready.mode, null);
  assert.equal(rules(snap({ state: "pause", reason: "break" }), []).dial, null);
  const outbound = rules(snap({ mode: "outbound", state: "pause", reason: "outbound" }), []);
  assert.equal(outbound.ready, "why.ready_inbound_only");
  assert.equal(outbound.dial, null);
  const offline = rules(snap({ mode: "offline", state: "task_waiting", reason: "offline" }), []);
  assert.equal(offline.dial, "why.no_calls_offline");
  assert.equal(offline.pause, "why.no_pause_offline");
  assert.equal(offline.taskStart, null);
  assert.equal(offline.taskFinish, "why.no_task");
  assert.equal(rules(snap({ mode: "offline", state: "task" }), []).taskFinish, null);
});

test("one call: hold, transfer, DTMF; two calls: connect or conference", () => {
  let calls = applyCallEvent([], { name: "call_incoming", data: { call_id: "c", number: "1" } }, 0);
  let r = rules(snap({ state: "ringing" }), calls);
  assert.equal(r.mode, "why.during_call");
  assert.equal(r.hold, "why.no_talking_call");
  assert.equal(r.hangup, null);
  calls = applyCallEvent(calls, { name: "call_answered", data: { call_id: "c" } }, 1);
  r = rules(snap({ state: "talking" }), calls);
  assert.equal(r.hold, null);
  assert.equal(r.transfer, null);
  assert.equal(r.dtmf, null);
  assert.equal(r.twoCalls, "why.no_consultation");
  assert.equal(r.dial, "why.hold_first");
  calls = applyCallEvent(calls, { name: "call_held", data: { call_id: "c" } }, 2);
  assert.equal(rules(snap({ state: "hold" }), calls).dial, null);
  calls = applyCallEvent(calls, { name: "call_dialing", data: { call_id: "c-consult", number: "2" } }, 3);
  r = rules(snap({ state: "dialing" }), calls);
  assert.equal(r.twoCalls, null);
  assert.equal(r.dial, "why.two_calls");
  assert.equal(r.hold, "why.no_talking_call");
});

test("a required disposition keeps Ready, Pause and the mode disabled until it is given", () => {
  const waiting = snap({ state: "wrapup", reason: "wrapup", disposition_call: "L1", disposition_needed: true });
  const r = rules(waiting, []);
  assert.equal(r.ready, "why.disposition_first");
  assert.equal(r.pause, "why.disposition_first");
  assert.equal(r.mode, "why.disposition_first");
  assert.equal(r.disposition, null);
  const given = rules(snap({ state: "wrapup", reason: "wrapup", disposition_call: null }), []);
  assert.equal(given.ready, null);
  assert.equal(given.disposition, "why.no_disposition_call");
  const optional = rules(snap({ state: "ready", disposition_call: "L1", disposition_needed: false }), []);
  assert.equal(optional.disposition, null); // after the wrap-up, until the next call
});

test("a Ready or Pause kept while the PBX is away is part of the session", () => {
  assert.deepEqual(snap({ state: "pause", reason: "lunch", pending: { state: "ready", reason: null } }).pending, { state: "ready", reason: null });
  assert.deepEqual(snap({ pending: { state: "pause", reason: "break" } }).pending, { state: "pause", reason: "break" });
  assert.equal(snap({}).pending, null);
  assert.equal(snap({ pending: null }).pending, null);
  assert.equal(snap({ pending: { state: "talking" } }).pending, null);
});
