// Test doubles for the phone on the real JsSIP: a WebSocket whose peer is the test (the PBX's
// SIP over WebSocket) and a registrar's answers.

/** A browser WebSocket as JsSIP's WebSocketInterface uses it; `all` lists every one made. */
export class FakeSipSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  /** @type {FakeSipSocket[]} */
  static all = [];

  /** @param {string} url @param {string} [protocol] */
  constructor(url, protocol) {
    this.url = url;
    this.protocol = protocol;
    this.CONNECTING = 0;
    this.OPEN = 1;
    this.CLOSING = 2;
    this.CLOSED = 3;
    this.readyState = 0;
    this.binaryType = "blob";
    /** @type {string[]} */
    this.sent = [];
    this.closedByClient = false;
    /** @type {any} */ this.onopen = null;
    /** @type {any} */ this.onclose = null;
    /** @type {any} */ this.onmessage = null;
    /** @type {any} */ this.onerror = null;
    FakeSipSocket.all.push(this);
  }

  static last() {
    return FakeSipSocket.all[FakeSipSocket.all.length - 1];
  }

  /** The sockets neither closed by the phone nor by the peer. */
  static live() {
    return FakeSipSocket.all.filter((s) => s.readyState !== 3);
  }

  /** The PBX accepts the connection. */
  accept() {
    this.readyState = 1;
    this.onopen?.({});
  }

  /** The PBX goes away (a restart) or refuses the connection: an unclean close. */
  drop() {
    this.readyState = 3;
    this.onclose?.({ wasClean: false, code: 1006, reason: "" });
  }

  /** @param {string} text */
  send(text) {
    if (this.readyState !== 1) throw new Error("send on a socket that is not open");
    this.sent.push(text);
  }

  close() {
    this.closedByClient = true;
    this.readyState = 3;
  }

  /** The SIP requests sent on this socket with the method given. @param {string} method */
  requests(method) {
    return this.sent.filter((text) => text.startsWith(`${method} `));
  }

  /** Answer the last REGISTER sent here with `status` (200: registered for 600 s). @param {number} status */
  answerRegister(status = 200) {
    const request = this.requests("REGISTER").at(-1);
    if (!request) throw new Error("no REGISTER was sent on this socket");
    const reason = status === 200 ? "OK" : status === 403 ? "Forbidden" : "Error";
    this.onmessage?.({ data: response(request, status, reason) });
  }
}

/** A registrar's response to `request`: its Via, From, To (tagged), Call-ID and CSeq, and for
 * a 200 its Contact with an expiry. @param {string} request @param {number} status @param {string} reason */
export function response(request, status, reason) {
  const lines = request.split("\r\n");
  /** @param {string} name */
  const header = (name) => lines.find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`)) ?? "";
  const out = [
    `SIP/2.0 ${status} ${reason}`,
    header("Via"),
    header("From"),
    `${header("To")};tag=registrar1`,
    header("Call-ID"),
    header("CSeq"),
  ];
  if (status === 200) out.push(`${header("Contact")};expires=600`.replace(/;expires=\d+;expires=/, ";expires="));
  out.push("Content-Length: 0", "", "");
  return out.join("\r\n");
}
