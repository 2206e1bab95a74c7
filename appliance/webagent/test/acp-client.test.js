import assert from "node:assert/strict";
import { beforeEach, test } from "node:test";

import { AcpClient, AcpError } from "../src/acp/client.js";
import { FakeClock, FakeSocket, flush } from "./fakes.js";

/** @type {FakeClock} */
let clock;

function client() {
  return new AcpClient({
    url: "ws://agency/ws",
    WebSocket: FakeSocket,
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    random: () => 0.5,
    minDelay: 100,
    maxDelay: 1000,
    quickTries: 0,
    timeout: 5000,
    pingEvery: 20000,
  });
}

const creds = { agent: "1001", password: "pw", workplace: "52:54:00:12:34:56", lang: "en" };

beforeEach(() => {
  clock = new FakeClock();
  FakeSocket.all = [];
});

test("an action resolves with its .result and an error rejects with the agency's code", async () => {
  const acp = client();
  const opened = acp.connect();
  FakeSocket.last().accept();
  await opened;
  const login = acp.login(creds);
  const sock = FakeSocket.last();
  assert.deepEqual(sock.sent[0], { type: "action", name: "login", id: 1, data: creds });
  sock.reply({ resumed: false });
  assert.deepEqual(await login, { resumed: false });

  const mode = acp.request("set_mode", { mode: "offline" });
  sock.fail("not_allowed", "not now");
  await assert.rejects(mode, (err) => err instanceof AcpError && err.code === "not_allowed");
});

test("events that are not replies go to the listeners", async () => {
  const acp = client();
  const seen = /** @type {string[]} */ ([]);
  acp.messages.on((m) => seen.push(m.name));
  const opened = acp.connect();
  FakeSocket.last().accept();
  await opened;
  FakeSocket.last().push({ type: "event", name: "call_incoming", data: { call_id: "1" } });
  FakeSocket.last().push({ type: "warning", name: "pause_expiring", data: { seconds_left: 30 } });
  assert.deepEqual(seen, ["call_incoming", "pause_expiring"]);
});

test("a lost link reconnects with growing back-off and resumes the session by logging in again", async () => {
  const acp = client();
  const statuses = /** @type {string[]} */ ([]);
  acp.statusChanged.on((s) => statuses.push(s));
  const resumed = /** @type {any[]} */ ([]);
  acp.resumed.on((r) => resumed.push(r));
  const opened = acp.connect();
  FakeSocket.last().accept();
  await opened;
  const login = acp.login(creds);
  FakeSocket.last().reply({ resumed: false, resume: "token-1" });
  await login;
  assert.deepEqual(acp.credentials, { agent: "1001", workplace: "52:54:00:12:34:56", lang: "en", resume: "token-1" });

  const pending = acp.request("hold", {});
  FakeSocket.last().close();
  await assert.rejects(pending, (err) => err instanceof AcpError && err.code === "disconnected");
  assert.equal(acp.status, "lost");

  clock.advance(99);
  assert.equal(FakeSocket.all.length, 1, "waits the back-off first");
  clock.advance(1);
  assert.equal(FakeSocket.all.length, 2);
  FakeSocket.last().close(); // refused again: the delay doubles
  clock.advance(199);
  assert.equal(FakeSocket.all.length, 2);
  clock.advance(1);
  assert.equal(FakeSocket.all.length, 3);

  const sock = FakeSocket.last();
  sock.accept();
  assert.deepEqual(sock.sent[0].name, "login");
  // the session's token, never the password
  assert.deepEqual(sock.sent[0].data, { agent: "1001", workplace: "52:54:00:12:34:56", lang: "en", resume: "token-1" });
  sock.reply({ resumed: true, resume: "token-1" });
  await flush();
  assert.deepEqual(resumed, [{ resumed: true, resume: "token-1" }]);
  assert.deepEqual(statuses, ["connecting", "open", "lost", "open"]);
});

test("the password is not kept after the login: only the session's resume token", async () => {
  const acp = client();
  acp.connect();
  FakeSocket.last().accept();
  await flush();
  const login = acp.login({ ...creds, password: "the-password" });
  FakeSocket.last().reply({ resumed: false, resume: "token-1" });
  await login;
  assert.equal(JSON.stringify(acp.credentials).includes("the-password"), false);
  assert.equal(acp.credentials?.resume, "token-1");
});

test("a resume answered busy is tried again after the agency's retry_after, with the token", async () => {
  const acp = client();
  const failed = /** @type {string[]} */ ([]);
  acp.resumeFailed.on((e) => failed.push(e.code));
  acp.connect();
  FakeSocket.last().accept();
  await flush();
  const login = acp.login(creds);
  FakeSocket.last().reply({ resume: "token-1" });
  await login;
  FakeSocket.last().close();
  clock.advance(100);
  FakeSocket.last().accept();
  FakeSocket.last().fail("rate_limited", "busy", { retry_after: 2 });
  await flush();
  assert.deepEqual(failed, []);
  assert.equal(acp.status, "lost");
  const sockets = FakeSocket.all.length;
  clock.advance(1999);
  assert.equal(FakeSocket.all.length, sockets, "waits as the agency said");
  clock.advance(1);
  assert.equal(FakeSocket.all.length, sockets + 1);
  FakeSocket.last().accept();
  assert.equal(FakeSocket.last().sent[0].data.resume, "token-1");
});

test("the first tries after a lost link come every second (an agency restart), then the delay doubles", () => {
  const acp = new AcpClient({ url: "ws://agency/ws", WebSocket: FakeSocket, setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout, random: () => 0.5 });
  assert.deepEqual(
    [1, 2, 8, 9, 10, 11, 12, 13, 20].map((attempt) => acp.backoff(attempt)),
    [1000, 1000, 1000, 1000, 2000, 4000, 8000, 15000, 15000],
  );
  acp.connect();
  FakeSocket.last().accept();
  FakeSocket.last().close();
  clock.advance(999);
  assert.equal(FakeSocket.all.length, 1);
  clock.advance(1);
  assert.equal(FakeSocket.all.length, 2);
  FakeSocket.last().close(); // refused again: still a second
  clock.advance(1000);
  assert.equal(FakeSocket.all.length, 3);
});

test("the back-off stops growing at its maximum", async () => {
  const acp = client();
  acp.connect();
  for (let i = 0; i < 8; i++) {
    FakeSocket.last().close();
    clock.advance(1000);
  }
  assert.equal(FakeSocket.all.length, 9);
});

test("a refused resume drops the credentials and tells the app", async () => {
  const acp = client();
  const failed = /** @type {string[]} */ ([]);
  acp.resumeFailed.on((e) => failed.push(e.code));
  acp.connect();
  FakeSocket.last().accept();
  await flush();
  const login = acp.login(creds);
  FakeSocket.last().reply({});
  await login;
  FakeSocket.last().close();
  clock.advance(100);
  FakeSocket.last().accept();
  FakeSocket.last().fail("login_failed", "wrong");
  await flush();
  assert.deepEqual(failed, ["login_failed"]);
  assert.equal(acp.credentials, null);
});

test("an unanswered ping closes the socket so the link reconnects", async () => {
  const acp = client();
  acp.connect();
  const sock = FakeSocket.last();
  sock.accept();
  await flush();
  clock.advance(20000);
  assert.equal(sock.sent.at(-1).name, "ping");
  clock.advance(5000);
  await flush();
  assert.equal(sock.closed, true);
  assert.equal(acp.status, "lost");
});

test("close() and logout() never reconnect", async () => {
  const acp = client();
  acp.connect();
  FakeSocket.last().accept();
  await flush();
  const out = acp.logout();
  FakeSocket.last().reply({});
  await out;
  clock.advance(60000);
  assert.equal(FakeSocket.all.length, 1);
  assert.equal(acp.status, "closed");
  await assert.rejects(acp.request("ping"), (e) => e instanceof AcpError && e.code === "disconnected");
});

test("back online, a lost link tries at once instead of at the back-off's next turn", async () => {
  const acp = client();
  acp.connect();
  FakeSocket.last().accept();
  await flush();
  FakeSocket.last().close();
  for (let i = 0; i < 4; i++) {
    clock.advance(1000);
    FakeSocket.last().close(); // refused: the next try is the maximum (1 s here) away
  }
  const made = FakeSocket.all.length;
  acp.retryNow();
  assert.equal(FakeSocket.all.length, made + 1);
  acp.retryNow(); // a try under way is not doubled
  assert.equal(FakeSocket.all.length, made + 1);
  FakeSocket.last().accept();
  await flush();
  assert.equal(acp.status, "open");
  clock.advance(5000); // the back-off's turn that was pending opens nothing more
  assert.equal(FakeSocket.all.length, made + 1);
  acp.retryNow(); // open: nothing to do
  acp.close();
  acp.retryNow(); // closed for good: still nothing
  assert.equal(FakeSocket.all.length, made + 1);
});
