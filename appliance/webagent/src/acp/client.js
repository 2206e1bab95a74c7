// ACP client: one WebSocket to the agency, actions as promises, events to listeners, reconnect
// with exponential back-off and session resume (a second `login` with the session's resume token
// from the last login resumes the same operator session on the agency, with no password kept or
// sent; see docs/acp.md).
import { Emitter } from "../emitter.js";

/** An error reply of the agency (`name` is its stable code) or a local failure. */
export class AcpError extends Error {
  /** @param {string} code @param {string} message @param {unknown} [details] */
  constructor(code, message, details) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

/**
 * @typedef {{type: string, name: string, id?: number, data?: any}} AcpMessage
 * @typedef {"idle" | "connecting" | "open" | "lost" | "closed"} LinkStatus
 * @typedef {{agent: string, workplace: string, lang?: string, password?: string, resume?: string}} Credentials
 *   a login with the password, or with the session's resume token (`resume`)
 * @typedef {{agent: string, workplace: string, lang?: string, resume: string}} Resume
 *   what is kept to resume the session after a reconnect (never the password)
 * @typedef {{
 *   url: string,
 *   WebSocket?: any,
 *   setTimeout?: (fn: () => void, ms: number) => any,
 *   clearTimeout?: (handle: any) => void,
 *   random?: () => number,
 *   minDelay?: number, maxDelay?: number, timeout?: number, pingEvery?: number,
 *   quickTries?: number, quickDelay?: number,
 * }} AcpOptions
 */

export class AcpClient {
  /** @param {AcpOptions} options */
  constructor(options) {
    this.url = options.url;
    this.WS = options.WebSocket ?? globalThis.WebSocket;
    this.setTimeout = options.setTimeout ?? ((fn, ms) => globalThis.setTimeout(fn, ms));
    this.clearTimeout = options.clearTimeout ?? ((h) => globalThis.clearTimeout(h));
    this.random = options.random ?? Math.random;
    this.minDelay = options.minDelay ?? 500;
    this.maxDelay = options.maxDelay ?? 15000;
    // an agency restarted by systemd is back within seconds: the first tries come every
    // quickDelay, so a shift is back about a second after it, then the delay doubles
    this.quickTries = options.quickTries ?? 8;
    this.quickDelay = options.quickDelay ?? 1000;
    this.timeout = options.timeout ?? 10000;
    this.pingEvery = options.pingEvery ?? 20000;
    /** @type {LinkStatus} */
    this.status = "idle";
    /** @type {Resume | null} the session to resume after a reconnect */
    this.credentials = null;
    this.attempt = 0;
    this.holdOff = 0; // ms the next reconnect waits at least (the agency's retry_after)
    this.nextId = 1;
    /** @type {Map<number, {resolve: (d: any) => void, reject: (e: AcpError) => void, timer: any}>} */
    this.pending = new Map();
    /** @type {any} */
    this.socket = null;
    this.retryTimer = null;
    this.pingTimer = null;
    /** @type {Emitter<[AcpMessage]>} events, notifications and warnings (not replies) */
    this.messages = new Emitter();
    /** @type {Emitter<[LinkStatus]>} */
    this.statusChanged = new Emitter();
    /** @type {Emitter<[any]>} the login result after an automatic resume */
    this.resumed = new Emitter();
    /** @type {Emitter<[AcpError]>} a resume the agency refused (the session is gone) */
    this.resumeFailed = new Emitter();
  }

  /** Open the link (idempotent); resolves when the socket is open. */
  connect() {
    if (this.status === "open") return Promise.resolve();
    return new Promise((resolve) => {
      const off = this.statusChanged.on((s) => {
        if (s === "open") {
          off();
          resolve(undefined);
        }
      });
      if (this.status === "idle" || this.status === "closed") this.open();
    });
  }

  /** @param {LinkStatus} status */
  setStatus(status) {
    if (this.status === status) return;
    this.status = status;
    this.statusChanged.emit(status);
  }

  open() {
    this.setStatus(this.attempt === 0 ? "connecting" : "lost");
    let socket;
    try {
      socket = new this.WS(this.url);
    } catch {
      this.scheduleRetry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => this.onOpen(socket);
    socket.onmessage = (/** @type {{data: any}} */ ev) => this.onFrame(ev.data);
    socket.onclose = () => this.onClose(socket);
    socket.onerror = () => {};
  }

  /** @param {any} socket */
  async onOpen(socket) {
    if (socket !== this.socket) return;
    const resuming = this.credentials !== null && this.attempt > 0;
    this.attempt = 0;
    this.setStatus("open");
    this.schedulePing();
    if (!resuming || !this.credentials) return;
    const credentials = this.credentials;
    try {
      const result = await this.request("login", credentials);
      if (this.credentials === credentials) this.credentials = resumeOf(credentials, result);
      this.resumed.emit(result);
    } catch (err) {
      if (!(err instanceof AcpError) || err.code === "disconnected" || err.code === "timeout") return;
      if (err.code === "rate_limited") {
        // busy, not refused: the token is tried again on a new link when the agency says
        this.holdOff = 1000 * Number(/** @type {any} */ (err.details)?.retry_after ?? 1);
        this.socket?.close();
        return;
      }
      this.credentials = null;
      this.resumeFailed.emit(err);
    }
  }

  /** @param {any} socket */
  onClose(socket) {
    if (socket !== this.socket) return;
    this.socket = null;
    this.clearTimeout(this.pingTimer);
    this.failPending(new AcpError("disconnected", "connection lost"));
    if (this.status === "closed") return;
    this.scheduleRetry();
  }

  scheduleRetry() {
    this.attempt += 1;
    this.setStatus("lost");
    const base = this.backoff(this.attempt);
    const delay = Math.max(this.holdOff, Math.round(base * (0.75 + 0.5 * this.random())));
    this.holdOff = 0;
    this.retryTimer = this.setTimeout(() => this.open(), delay);
  }

  /** The delay before try ``attempt`` (1 = the first after the link was lost), before jitter.
   * @param {number} attempt */
  backoff(attempt) {
    if (attempt <= this.quickTries) return this.quickDelay;
    const from = this.quickTries ? this.quickDelay : this.minDelay;
    return Math.min(this.maxDelay, from * 2 ** (attempt - this.quickTries - 1));
  }

  /** Try to connect now rather than at the back-off's next turn (the browser is online again);
   * nothing to do unless the link is lost and waiting for that turn. */
  retryNow() {
    if (this.status !== "lost" || this.socket) return;
    this.clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.open();
  }

  schedulePing() {
    this.clearTimeout(this.pingTimer);
    this.pingTimer = this.setTimeout(async () => {
      if (this.status !== "open") return;
      try {
        await this.request("ping", {});
        this.schedulePing();
      } catch (err) {
        // No answer: the link is dead even if the socket has not noticed yet.
        if (err instanceof AcpError && err.code === "timeout") this.socket?.close();
      }
    }, this.pingEvery);
  }

  /** @param {string} text */
  onFrame(text) {
    /** @type {AcpMessage} */
    let msg;
    try {
      msg = JSON.parse(String(text));
    } catch {
      return;
    }
    if (!msg || typeof msg !== "object") return;
    const waiter = typeof msg.id === "number" ? this.pending.get(msg.id) : undefined;
    if (waiter && (msg.type === "error" || msg.name.endsWith(".result"))) {
      this.pending.delete(/** @type {number} */ (msg.id));
      this.clearTimeout(waiter.timer);
      if (msg.type === "error") {
        const data = msg.data ?? {};
        waiter.reject(new AcpError(msg.name, String(data.message ?? msg.name), data.details));
      } else waiter.resolve(msg.data ?? {});
      return;
    }
    this.messages.emit(msg);
  }

  /**
   * Send an action and wait for its reply.
   * @param {string} name @param {Record<string, any>} [data] @returns {Promise<any>}
   */
  request(name, data = {}) {
    if (this.status !== "open" || !this.socket) {
      return Promise.reject(new AcpError("disconnected", "not connected"));
    }
    const id = this.nextId++;
    const socket = this.socket;
    return new Promise((resolve, reject) => {
      const timer = this.setTimeout(() => {
        this.pending.delete(id);
        reject(new AcpError("timeout", `no reply to ${name}`));
      }, this.timeout);
      this.pending.set(id, { resolve, reject, timer });
      socket.send(JSON.stringify({ type: "action", name, id, data }));
    });
  }

  /** Log in (with the password or a resume token); the session's resume token is kept to resume
   * it after a reconnect (the password is not).
   * @param {Credentials} credentials */
  async login(credentials) {
    const result = await this.request("login", credentials);
    this.credentials = resumeOf(credentials, result);
    return result;
  }

  async logout() {
    this.credentials = null;
    try {
      await this.request("logout", {});
    } finally {
      this.close();
    }
  }

  /** @param {AcpError} error */
  failPending(error) {
    for (const [id, waiter] of this.pending) {
      this.clearTimeout(waiter.timer);
      waiter.reject(error);
      this.pending.delete(id);
    }
  }

  /** Close for good (no reconnect). */
  close() {
    this.setStatus("closed");
    this.clearTimeout(this.retryTimer);
    this.clearTimeout(this.pingTimer);
    const socket = this.socket;
    this.socket = null;
    this.failPending(new AcpError("disconnected", "closed"));
    socket?.close();
  }
}

/**
 * What resumes the session a login result belongs to: the login's agent and workplace with the
 * token the agency handed out.
 * @param {Credentials} credentials @param {any} result @returns {Resume}
 */
function resumeOf(credentials, result) {
  const { agent, workplace, lang } = credentials;
  const resume = String(result?.resume ?? credentials.resume ?? "");
  return lang === undefined ? { agent, workplace, resume } : { agent, workplace, lang, resume };
}
