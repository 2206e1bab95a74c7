// The workplace keeps the session's resume token, never the password: a reload or a reconnect
// resumes with the token, and a refused token brings back the login form (no retry loop).
import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";

import { Controller } from "../src/controller.js";
import { initialState } from "../src/state.js";
import { Store } from "../src/store.js";
import { FakeClock, FakeSocket, flush } from "./fakes.js";

const HOST = "52:54:00:12:34:56";
const PASSWORD = "the-operators-password";

/** sessionStorage of one browser tab (kept across a reload). */
class TabStorage {
  constructor() {
    /** @type {Map<string, string>} */
    this.items = new Map();
  }
  /** @param {string} key */
  getItem(key) {
    return this.items.get(key) ?? null;
  }
  /** @param {string} key @param {string} value */
  setItem(key, value) {
    this.items.set(key, String(value));
  }
  /** @param {string} key */
  removeItem(key) {
    this.items.delete(key);
  }
}

/** @type {FakeClock} */
let clock;

beforeEach(() => {
  clock = new FakeClock();
  FakeSocket.all = [];
  /** @type {any} */ (globalThis).WebSocket = FakeSocket;
});

/** A page of the webagent on a tab's storage (a reload is a new page on the same storage). */
function page(/** @type {TabStorage} */ session) {
  const store = new Store(initialState({ host: HOST, hostValid: true, mac: HOST, lang: "en", now: 0 }));
  const speaker = /** @type {any} */ ({ volume: 1 });
  const env = { acpUrl: "ws://agency/ws", speaker, storage: /** @type {any} */ (new TabStorage()), session: /** @type {any} */ (session) };
  const c = new Controller(store, env);
  c.acp.setTimeout = clock.setTimeout;
  c.acp.clearTimeout = clock.clearTimeout;
  c.acp.random = () => 0.5;
  c.mic = /** @type {any} */ ({ setVolume() {}, resume() {}, setMuted() {} });
  c.startPhone = () => {};
  return { c, store };
}

const RESULT = {
  operator: { agent: "1001", name: "Ivan" },
  sip: { username: "201", password: "s", ws_url: "wss://pbx/ws" },
  session: { mode: "inbound", state: "pause", reason: "lunch", since: "2026-01-01T00:00:00Z", calls: [] },
  resumed: false,
  resume: "token-of-the-session",
};

/** Answer the socket's connection and its login. @param {any} reply */
async function answerLogin(reply, fail = false) {
  await flush();
  const sock = FakeSocket.last();
  sock.accept();
  await flush();
  if (fail) sock.fail("login_failed", "the session to resume has ended", { reason: "resume_expired" });
  else sock.reply(reply);
  await flush();
  return sock.sent[0];
}

async function loggedIn(/** @type {TabStorage} */ session) {
  const p = page(session);
  const done = p.c.login("1001", PASSWORD);
  const sent = await answerLogin(RESULT);
  await done;
  return { ...p, sent };
}

test("a login keeps the agent and the session's token in the tab, never the password", async () => {
  const session = new TabStorage();
  const { store, sent } = await loggedIn(session);
  assert.equal(sent.data.password, PASSWORD);
  assert.equal(store.get().phase, "working");
  const kept = session.getItem("uzor.session") ?? "";
  assert.deepEqual(JSON.parse(kept), { agent: "1001", token: "token-of-the-session" });
  assert.equal(kept.includes(PASSWORD), false);
});

test("a reload resumes with the token, no password sent", async () => {
  const session = new TabStorage();
  await loggedIn(session);
  const reloaded = page(session);
  const resuming = reloaded.c.resume();
  const sent = await answerLogin({ ...RESULT, resumed: true });
  await resuming;
  assert.deepEqual(sent.data, { agent: "1001", resume: "token-of-the-session", workplace: HOST, lang: "en" });
  assert.equal(reloaded.store.get().phase, "working");
  assert.equal(reloaded.store.get().session?.reason, "lunch");
});

test("a reload whose token is refused shows the login form with why, and tries no more", async () => {
  const session = new TabStorage();
  await loggedIn(session);
  const reloaded = page(session);
  const resuming = reloaded.c.resume();
  await answerLogin(null, true);
  await resuming;
  const state = reloaded.store.get();
  assert.equal(state.phase, "login");
  assert.deepEqual(state.loginError, { key: "err.resume_expired", params: {} });
  assert.equal(session.getItem("uzor.session"), null);
  const sockets = FakeSocket.all.length;
  clock.advance(60000);
  await flush();
  assert.equal(FakeSocket.all.length, sockets, "no new attempt by itself");
  await page(session).c.resume(); // a further reload has nothing to resume
  assert.equal(FakeSocket.all.length, sockets);
});

test("a tab saved by an older page (agent and password) is forgotten, not used", async () => {
  const session = new TabStorage();
  session.setItem("uzor.session", JSON.stringify({ agent: "1001", password: PASSWORD }));
  await page(session).c.resume();
  assert.equal(FakeSocket.all.length, 0);
  assert.equal(session.getItem("uzor.session"), null);
});

test("a lost link resumes with the token, and a refusal brings back the login form", async () => {
  const session = new TabStorage();
  const { c, store } = await loggedIn(session);
  FakeSocket.last().close();
  clock.advance(1000);
  let sent = await answerLogin({ ...RESULT, resumed: true });
  assert.deepEqual(sent.data, { agent: "1001", resume: "token-of-the-session", workplace: HOST, lang: "en" });
  assert.equal(store.get().phase, "working");

  FakeSocket.last().close(); // the agency restarted and its session is gone
  clock.advance(1000);
  sent = await answerLogin(null, true);
  assert.equal(sent.data.resume, "token-of-the-session");
  assert.equal(store.get().phase, "login");
  assert.deepEqual(store.get().loginError, { key: "err.resume_expired", params: {} });
  assert.equal(session.getItem("uzor.session"), null);
  assert.equal(c.acp.credentials, null);
  const sockets = FakeSocket.all.length;
  clock.advance(60000);
  assert.equal(FakeSocket.all.length, sockets, "no retry loop");
});
