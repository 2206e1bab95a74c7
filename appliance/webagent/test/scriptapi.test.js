import assert from "node:assert/strict";
import { test } from "node:test";

import { METHODS, ScriptApi, originOf, scriptUrlWithCall } from "../src/scriptapi.js";

function api() {
  const frame = { name: "frame" };
  /** @type {{msg: any, origin: string}[]} */
  const posted = [];
  /** @type {any[]} */
  const calls = [];
  const handlers = Object.fromEntries(METHODS.map((m) => [m, (/** @type {any} */ p) => {
    calls.push([m, p]);
    if (m === "hangup") throw Object.assign(new Error("no call"), { code: "not_allowed" });
    return m === "getState" ? { state: "ready" } : undefined;
  }]));
  const a = new ScriptApi({ post: (msg, origin) => posted.push({ msg, origin }), source: () => frame, handlers });
  a.setOrigin("https://crm.example");
  return { a, frame, posted, calls };
}

test("a call from the script's origin and frame runs and is answered to that origin", async () => {
  const { a, frame, posted, calls } = api();
  const ok = await a.receive({ origin: "https://crm.example", source: frame, data: { uzor: 1, id: 4, method: "dtmf", params: { digits: "12#" } } });
  assert.equal(ok, true);
  assert.deepEqual(calls, [["dtmf", { digits: "12#" }]]);
  assert.deepEqual(posted, [{ msg: { uzor: 1, id: 4, ok: true, result: null }, origin: "https://crm.example" }]);
  await a.receive({ origin: "https://crm.example", source: frame, data: { uzor: 1, id: 5, method: "getState" } });
  assert.deepEqual(posted[1].msg.result, { state: "ready" });
});

test("another origin, another window or a foreign message is refused without a reply", async () => {
  const { a, frame, posted, calls } = api();
  assert.equal(await a.receive({ origin: "https://evil.example", source: frame, data: { uzor: 1, method: "hangup" } }), false);
  assert.equal(await a.receive({ origin: "https://crm.example", source: {}, data: { uzor: 1, method: "hangup" } }), false);
  assert.equal(await a.receive({ origin: "https://crm.example", source: frame, data: "hello" }), false);
  a.setOrigin(null);
  assert.equal(await a.receive({ origin: "https://crm.example", source: frame, data: { uzor: 1, method: "hangup" } }), false);
  assert.deepEqual(posted, []);
  assert.deepEqual(calls, []);
});

test("bad params, unknown methods and refusals come back as errors", async () => {
  const { a, frame, posted } = api();
  const send = (/** @type {any} */ data) => a.receive({ origin: "https://crm.example", source: frame, data: { uzor: 1, id: 1, ...data } });
  await send({ method: "call", params: { number: "12; rm" } });
  await send({ method: "format_disk" });
  await send({ method: "hangup" });
  assert.deepEqual(posted.map((p) => p.msg.error.code), ["invalid_params", "unknown_method", "not_allowed"]);
});

test("events go to the script's origin only, and nowhere without a script", () => {
  const { a, posted } = api();
  a.emit("call_incoming", { call_id: "1" });
  a.setOrigin(null);
  a.emit("call_ended", { call_id: "1" });
  assert.deepEqual(posted, [{ msg: { uzor: 1, event: "call_incoming", data: { call_id: "1" } }, origin: "https://crm.example" }]);
});

test("the script URL's origin and the call's data in its query", () => {
  assert.equal(originOf("https://crm.example:8443/s?id=1", "http://x/"), "https://crm.example:8443");
  assert.equal(originOf("javascript:alert(1)", "http://x/"), null);
  const url = scriptUrlWithCall("https://crm.example/s?id=1", "http://x/", { callId: "c1", number: "7916", callerName: "Иван", topic: "7495" }, "101");
  const q = new URL(url).searchParams;
  assert.deepEqual([q.get("id"), q.get("uzor_call_id"), q.get("uzor_number"), q.get("uzor_caller_name"), q.get("uzor_topic"), q.get("uzor_agent"), q.get("uzor_origin")], ["1", "c1", "7916", "Иван", "7495", "101", "http://x"]);
});
