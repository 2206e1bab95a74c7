import assert from "node:assert/strict";
import { test } from "node:test";

import { initialState } from "../src/state.js";
import { Store } from "../src/store.js";

class FakeElement {
  /** @param {string} tagName */
  constructor(tagName) {
    this.tagName = tagName;
    this.isContentEditable = false;
  }
}
/** @type {any} */ (globalThis).HTMLElement = FakeElement;
const { hotkey } = await import("../src/ui/hotkeys.js");

function setup(/** @type {any} */ over = {}) {
  const store = new Store({ ...initialState({ host: "h", hostValid: true, mac: "m", lang: "en", now: 0 }), phase: "working", ...over });
  const done = /** @type {string[]} */ ([]);
  const c = /** @type {any} */ ({ store, answer: () => done.push("answer"), hangup: () => done.push("hangup") });
  return { store, c, done };
}

test("F3 answers, F4 hangs up only with a call, ? toggles the help, Escape closes", () => {
  const { store, c, done } = setup();
  assert.equal(hotkey("F3", null, store.get(), c), true);
  assert.equal(hotkey("F4", null, store.get(), c), true);
  assert.deepEqual(done, ["answer"]); // no call: F4 does nothing but is still ours
  store.set({ calls: [/** @type {any} */ ({ callId: "1", state: "talking" })] });
  hotkey("F4", null, store.get(), c);
  assert.deepEqual(done, ["answer", "hangup"]);
  hotkey("?", null, store.get(), c);
  assert.equal(store.get().panel, "help");
  assert.equal(hotkey("Escape", null, store.get(), c), true);
  assert.equal(store.get().panel, "none");
});

test("? is typed, not taken, in an input; nothing is taken before login", () => {
  const { store, c } = setup();
  assert.equal(hotkey("?", /** @type {any} */ (new FakeElement("INPUT")), store.get(), c), false);
  assert.equal(store.get().panel, "none");
  const before = setup({ phase: "login" });
  assert.equal(hotkey("F3", null, before.store.get(), before.c), false);
  assert.deepEqual(before.done, []);
});

test("F4 hangs up a call only the phone knows (a supervisor listening in)", () => {
  const { store, c, done } = setup();
  store.set({ phoneTalking: { number: "1002", name: "", since: 0 } });
  hotkey("F4", null, store.get(), c);
  assert.deepEqual(done, ["hangup"]);
});
