// The workplace's answer to "the PBX is back" (the agency's pbx_available), to the browser
// coming back online and to a resumed session: the phone registers now if it is not registered.
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";

import { Controller } from "../src/controller.js";
import { initialState } from "../src/state.js";
import { Store } from "../src/store.js";

/** A phone that counts the calls of `recover`. */
class FakePhone {
  constructor() {
    this.recovered = 0;
    this.autoAnswer = false;
  }

  recover() {
    this.recovered += 1;
    return true;
  }

  ringingLine() {
    return null;
  }

  answeredLine() {
    return null;
  }
}

/** @param {Map<string, string>} map */
function storage(map) {
  return /** @type {any} */ ({
    getItem: (/** @type {string} */ k) => map.get(k) ?? null,
    setItem: (/** @type {string} */ k, /** @type {string} */ v) => map.set(k, v),
    removeItem: (/** @type {string} */ k) => map.delete(k),
  });
}

/** @type {Controller} */
let controller;
/** @type {FakePhone} */
let phone;

beforeEach(() => {
  const store = new Store(initialState({ host: "e8039ab5e0c9", hostValid: true, mac: "E8:03:9A:B5:E0:C9", lang: "en", now: 0 }));
  const env = { acpUrl: "ws://agency/ws", speaker: /** @type {any} */ ({}), storage: storage(new Map()), session: storage(new Map()) };
  controller = new Controller(store, env);
  phone = new FakePhone();
  controller.phone = /** @type {any} */ (phone);
});

const lost = { type: "warning", name: "pbx_unavailable", data: { unit: "pbx1", message: "the connection to the PBX unit pbx1 is lost" } };
const back = { type: "notification", name: "pbx_available", data: { unit: "pbx1", message: "the connection to the PBX unit pbx1 is back" } };

test("the PBX back: its notice goes and the phone registers again at once", () => {
  controller.onMessage(lost);
  assert.equal(controller.store.get().notice?.params?.message, lost.data.message);
  assert.equal(phone.recovered, 0, "nothing to try while the PBX is away");
  controller.onMessage(back);
  assert.equal(controller.store.get().notice, null);
  assert.equal(phone.recovered, 1);
  assert.deepEqual(controller.store.get().calls, [], "not taken for a call event");
});

test("a notice shown since (an action refused) stays when the PBX is back", () => {
  controller.onMessage(lost);
  const refused = { key: "err.generic", params: { message: "not now" } };
  controller.store.set({ notice: refused });
  controller.onMessage(back);
  assert.equal(controller.store.get().notice, refused);
  assert.equal(phone.recovered, 1);
});

test("the script page sees the notification like every ACP event", () => {
  /** @type {string[]} */
  const seen = [];
  controller.events.on((e) => seen.push(e.name));
  controller.onMessage(back);
  assert.deepEqual(seen, ["pbx_available"]);
});

test("back online: the ACP link and the phone try at once", () => {
  let retried = 0;
  controller.acp.retryNow = () => {
    retried += 1;
  };
  controller.online();
  assert.equal(retried, 1);
  assert.equal(phone.recovered, 1);
});

test("a resumed session tries the phone too (the PBX may have come back meanwhile)", () => {
  controller.acp.resumed.emit({ operator: { agent: "101", name: "Ivanova" }, session: { mode: "inbound", state: "ready" } });
  assert.equal(phone.recovered, 1);
  assert.equal(controller.store.get().operator?.agent, "101");
});

test("without a phone (logged out) nothing breaks", () => {
  controller.phone = null;
  controller.onMessage(lost);
  controller.onMessage(back);
  controller.acp.retryNow = () => {};
  controller.online();
  assert.equal(controller.store.get().notice, null);
});
