// The phone registers again at once when told the PBX is back (or the browser is online),
// on the real JsSIP: one UA, one live socket, no retry of JsSIP's back-off left behind.
import assert from "node:assert/strict";
import { afterEach, beforeEach, test } from "node:test";

import { Phone } from "../src/phone/phone.js";
import { FakeClock } from "./fakes.js";
import { FakeSipSocket } from "./sip-fakes.js";

const ACCOUNT = { ws_url: "ws://pbx.test:8088/ws", domain: "pbx.test", username: "201", password: "s3cret" };
const real = { setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout, WebSocket: globalThis.WebSocket };

/** @type {Phone[]} every phone a test made, stopped after it */
const phones = [];

/** A phone on the fake socket (not started). */
function newPhone() {
  const phone = new Phone(ACCOUNT, /** @type {any} */ ({ stream: null }), /** @type {any} */ ({}));
  phones.push(phone);
  return phone;
}

/** @type {FakeClock} JsSIP's timers (reconnection back-off, registration refresh, transactions) */
let clock;

beforeEach(() => {
  clock = new FakeClock();
  FakeSipSocket.all = [];
  /** @type {any} */ (globalThis).setTimeout = clock.setTimeout;
  /** @type {any} */ (globalThis).clearTimeout = clock.clearTimeout;
  /** @type {any} */ (globalThis).WebSocket = FakeSipSocket;
});

afterEach(() => {
  for (const phone of phones.splice(0)) phone.stop(); // a ringing call's real setInterval ends too
  globalThis.setTimeout = real.setTimeout;
  globalThis.clearTimeout = real.clearTimeout;
  /** @type {any} */ (globalThis).WebSocket = real.WebSocket;
});

function registeredPhone() {
  const phone = newPhone();
  /** @type {string[]} */
  const seen = [];
  phone.statusChanged.on((s) => seen.push(s));
  phone.start();
  FakeSipSocket.last().accept();
  FakeSipSocket.last().answerRegister(200);
  assert.equal(phone.status, "registered");
  return { phone, seen };
}

/** The PBX restarts: the socket drops, then JsSIP's own retries are refused `times` times, so
 * its back-off grows (the next try up to 15 s away). */
function pbxAway(times = 4) {
  FakeSipSocket.last().drop();
  for (let i = 0; i < times; i += 1) {
    const before = FakeSipSocket.all.length;
    clock.advance(15000); // at most JsSIP's longest interval (connection_recovery_max_interval)
    assert.equal(FakeSipSocket.all.length, before + 1, "JsSIP retried by itself");
    FakeSipSocket.last().drop();
  }
}

test("told the PBX is back, a phone that lost its socket connects and registers at once", () => {
  const { phone, seen } = registeredPhone();
  const ua = phone.ua;
  pbxAway();
  assert.equal(phone.status, "lost");
  const made = FakeSipSocket.all.length;

  assert.equal(phone.recover(), true);
  assert.equal(FakeSipSocket.all.length, made + 1, "a new socket at once, not at the back-off's next turn");
  const socket = FakeSipSocket.last();
  assert.equal(socket.url, ACCOUNT.ws_url);
  assert.deepEqual(FakeSipSocket.live(), [socket], "every earlier socket is closed");
  socket.accept();
  assert.equal(socket.requests("REGISTER").length, 1);
  socket.answerRegister(200);
  assert.equal(phone.status, "registered");
  assert.equal(phone.ua, ua, "the same UA");
  assert.deepEqual(seen.slice(-2), ["connecting", "registered"]);

  clock.advance(60000); // JsSIP's retry that was pending fires no second connection
  assert.equal(FakeSipSocket.all.length, made + 1);
  assert.deepEqual(FakeSipSocket.live(), [socket]);
  assert.equal(phone.status, "registered");
});

test("a restart that is refused again leaves JsSIP's own recovery in charge", () => {
  const { phone } = registeredPhone();
  pbxAway(1);
  assert.equal(phone.recover(), true);
  FakeSipSocket.last().drop(); // the PBX was not quite ready after all
  const made = FakeSipSocket.all.length;
  clock.advance(15000);
  assert.equal(FakeSipSocket.all.length, made + 1, "JsSIP tries again by itself");
  FakeSipSocket.last().accept();
  FakeSipSocket.last().answerRegister(200);
  assert.equal(phone.status, "registered");
  assert.equal(FakeSipSocket.live().length, 1);
});

test("a REGISTER left unanswered while the PBX booted is dropped and sent afresh", () => {
  const phone = newPhone();
  phone.start();
  const booting = FakeSipSocket.last();
  booting.accept(); // the PBX's WebSocket is up, but no answer to the REGISTER comes
  assert.equal(booting.requests("REGISTER").length, 1);
  assert.equal(phone.status, "connecting");

  assert.equal(phone.recover(), true);
  assert.equal(FakeSipSocket.all.length, 2);
  const socket = FakeSipSocket.last();
  assert.deepEqual(FakeSipSocket.live(), [socket], "the socket of the unanswered REGISTER is closed");
  socket.accept();
  assert.equal(socket.requests("REGISTER").length, 1);
  socket.answerRegister(200);
  assert.equal(phone.status, "registered");
  clock.advance(64000); // the dropped REGISTER's timeout (32 s) fails nothing later
  assert.equal(phone.status, "registered");
  assert.equal(FakeSipSocket.all.length, 2);
});

test("a connected phone whose registration was refused starts afresh too", () => {
  const phone = newPhone();
  phone.start();
  FakeSipSocket.last().accept();
  FakeSipSocket.last().answerRegister(403);
  assert.equal(phone.status, "failed");
  assert.equal(phone.recover(), true);
  FakeSipSocket.last().accept();
  FakeSipSocket.last().answerRegister(200);
  assert.equal(phone.status, "registered");
  assert.equal(FakeSipSocket.live().length, 1);
});

test("a connected socket with a call on it is kept: only a REGISTER is sent, not two at once", () => {
  const phone = newPhone();
  phone.start();
  const socket = FakeSipSocket.last();
  socket.accept();
  socket.answerRegister(403);
  ringing(socket);
  assert.equal(phone.lines.length, 1);

  assert.equal(phone.recover(), true);
  assert.equal(FakeSipSocket.all.length, 1, "no new socket");
  assert.equal(phone.lines.length, 1, "the call stays");
  assert.equal(socket.requests("REGISTER").length, 2);
  assert.equal(phone.recover(), true); // again while that REGISTER is under way
  assert.equal(socket.requests("REGISTER").length, 2, "not sent twice");
  socket.answerRegister(200);
  assert.equal(phone.status, "registered");
  assert.equal(phone.lines.length, 1);
});

test("a registered phone, and a stopped one, are left alone", () => {
  const { phone } = registeredPhone();
  const socket = FakeSipSocket.last();
  assert.equal(phone.recover(), false);
  assert.equal(FakeSipSocket.all.length, 1);
  assert.equal(socket.requests("REGISTER").length, 1);

  phone.stop();
  const made = FakeSipSocket.all.length;
  const registers = socket.requests("REGISTER").length; // stop() unregisters (expires 0)
  assert.equal(phone.recover(), false);
  assert.equal(FakeSipSocket.all.length, made);
  assert.equal(socket.requests("REGISTER").length, registers);
});

test("a call the phone still lists when its socket died ends with the restart", () => {
  const { phone } = registeredPhone();
  ringing(FakeSipSocket.last());
  assert.equal(phone.lines.length, 1);
  pbxAway(1);
  assert.equal(phone.recover(), true);
  assert.equal(phone.lines.length, 0, "no ghost line");
  assert.deepEqual(FakeSipSocket.live(), [FakeSipSocket.last()]);
  FakeSipSocket.last().accept();
  FakeSipSocket.last().answerRegister(200);
  assert.equal(phone.status, "registered");
});

/** The PBX calls the phone on `socket`: a line rings. @param {FakeSipSocket} socket */
function ringing(socket) {
  /** @type {any} */ (globalThis).window = { RTCPeerConnection: class {} }; // JsSIP's WebRTC check
  try {
    socket.onmessage({ data: invite() });
  } finally {
    delete (/** @type {any} */ (globalThis).window);
  }
}

/** An INVITE to the phone from the PBX (no SDP offer: JsSIP waits for none until answered). */
function invite() {
  return [
    "INVITE sip:201@pbx.test;transport=ws SIP/2.0",
    "Via: SIP/2.0/WS 127.0.0.1:8088;branch=z9hG4bKinvite1",
    "Max-Forwards: 70",
    'From: "Petrov" <sip:79161234567@pbx.test>;tag=caller1',
    "To: <sip:201@pbx.test>",
    "Call-ID: call-1@pbx.test",
    "CSeq: 1 INVITE",
    "Contact: <sip:asterisk@127.0.0.1:8088;transport=ws>",
    "Content-Length: 0",
    "",
    "",
  ].join("\r\n");
}
