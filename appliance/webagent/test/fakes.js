// Test doubles for the pure modules: a scripted WebSocket and a manual clock.

export class FakeClock {
  constructor() {
    this.now = 0;
    /** @type {{at: number, fn: () => void, id: number}[]} */
    this.timers = [];
    this.nextId = 1;
    this.setTimeout = (/** @type {() => void} */ fn, /** @type {number} */ ms) => {
      const id = this.nextId++;
      this.timers.push({ at: this.now + ms, fn, id });
      return id;
    };
    this.clearTimeout = (/** @type {any} */ id) => {
      this.timers = this.timers.filter((t) => t.id !== id);
    };
  }

  /** Run every timer due within `ms`, in order. @param {number} ms */
  advance(ms) {
    const end = this.now + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.now = next.at;
      next.fn();
    }
    this.now = end;
  }
}

/** A WebSocket whose peer is the test: `sent` holds parsed frames, `reply`/`push` answer. */
export class FakeSocket {
  /** @type {FakeSocket[]} */
  static all = [];

  /** @param {string} url */
  constructor(url) {
    this.url = url;
    /** @type {any[]} */
    this.sent = [];
    this.closed = false;
    /** @type {any} */ this.onopen = null;
    /** @type {any} */ this.onmessage = null;
    /** @type {any} */ this.onclose = null;
    /** @type {any} */ this.onerror = null;
    FakeSocket.all.push(this);
  }

  static last() {
    return FakeSocket.all[FakeSocket.all.length - 1];
  }

  accept() {
    this.onopen?.({});
  }

  /** @param {string} text */
  send(text) {
    this.sent.push(JSON.parse(text));
  }

  /** @param {any} msg */
  push(msg) {
    this.onmessage?.({ data: JSON.stringify(msg) });
  }

  /** Reply to the last action sent (or the one named). @param {any} data @param {string} [name] */
  reply(data, name) {
    const action = name ? this.sent.findLast((m) => m.name === name) : this.sent.at(-1);
    this.push({ type: "event", name: `${action.name}.result`, id: action.id, data });
  }

  /** @param {string} code @param {string} message @param {unknown} [details] */
  fail(code, message, details) {
    const action = this.sent.at(-1);
    const data = details === undefined ? { message } : { message, details };
    this.push({ type: "error", name: code, id: action.id, data });
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.onclose?.({});
  }
}

/** Let pending promise callbacks run. */
export function flush() {
  return new Promise((resolve) => setImmediate(resolve));
}
