// The script page's API: the topic's script page (another origin, in a sandboxed frame) calls
// the workplace's functions with postMessage and receives the call and state events. Messages
// are accepted only from the frame's window and the script URL's origin; replies and events
// are posted to that origin only. Protocol: docs/webagent-api.md.

export const API_VERSION = 1;

/** Methods and the check of their params (true when valid). */
const SIGNATURES = /** @type {Record<string, (p: any) => boolean>} */ ({
  getState: () => true,
  setMode: (p) => ["inbound", "outbound", "offline"].includes(p.mode) && optString(p.topic),
  setState: (p) => ["ready", "pause"].includes(p.state) && optString(p.reason),
  call: (p) => isNumber(p.number) && optString(p.topic),
  answer: () => true,
  hangup: (p) => optString(p.callId),
  hold: (p) => optString(p.callId),
  unhold: (p) => optString(p.callId),
  transfer: (p) => isNumber(p.number) && optString(p.callId),
  consult: (p) => isNumber(p.number) && optString(p.callId),
  completeTransfer: () => true,
  cancelTransfer: () => true,
  conference: (p) => p.number === undefined || isNumber(p.number),
  dtmf: (p) => typeof p.digits === "string" && /^[0-9*#A-D]{1,32}$/.test(p.digits) && optString(p.callId),
  setAutoAnswer: (p) => typeof p.enabled === "boolean",
  startTask: (p) => typeof p.project === "string" && p.project.length > 0 && typeof p.activity === "string" && p.activity.length > 0,
  finishTask: () => true,
  hotkey: (p) => p.key === "F3" || p.key === "F4",
});
export const METHODS = Object.keys(SIGNATURES);

/** @param {unknown} v */
function optString(v) {
  return v === undefined || v === null || typeof v === "string";
}

/** @param {unknown} v */
function isNumber(v) {
  return typeof v === "string" && /^[0-9*#+]{1,32}$/.test(v);
}

/** The origin of a script URL, or null when it is not http(s). @param {string} url @param {string} base */
export function originOf(url, base) {
  try {
    const u = new URL(url, base);
    return u.protocol === "https:" || u.protocol === "http:" ? u.origin : null;
  } catch {
    return null;
  }
}

/**
 * The script URL with the call's data added as query parameters (uzor_call_id, uzor_number,
 * uzor_caller_name, uzor_topic, uzor_agent) and the workplace's origin (uzor_origin) to post to.
 * @param {string} url @param {string} base
 * @param {{callId: string, number: string, callerName: string, topic: string} | null} call @param {string} agent
 */
export function scriptUrlWithCall(url, base, call, agent) {
  const u = new URL(url, base);
  if (call) {
    u.searchParams.set("uzor_call_id", call.callId);
    u.searchParams.set("uzor_number", call.number);
    u.searchParams.set("uzor_caller_name", call.callerName);
    u.searchParams.set("uzor_topic", call.topic);
  }
  u.searchParams.set("uzor_agent", agent);
  u.searchParams.set("uzor_origin", new URL(base).origin);
  return u.toString();
}

/**
 * @typedef {(params: any) => any} Handler
 * @typedef {{post: (msg: any, origin: string) => void, source: () => unknown, handlers: Record<string, Handler>}} ApiOptions
 */

export class ScriptApi {
  /** @param {ApiOptions} options */
  constructor(options) {
    this.post = options.post;
    this.source = options.source;
    this.handlers = options.handlers;
    /** @type {string | null} the loaded script's origin; null: nothing accepted */
    this.origin = null;
  }

  /** @param {string | null} origin */
  setOrigin(origin) {
    this.origin = origin;
  }

  /**
   * Handle one message event; refused ones (wrong origin or window, not ours) are ignored.
   * @param {{origin: string, source: unknown, data: any}} ev @returns {Promise<boolean>} accepted
   */
  async receive(ev) {
    const msg = ev.data;
    if (!msg || typeof msg !== "object" || msg.uzor !== API_VERSION || typeof msg.method !== "string") return false;
    if (this.origin === null || ev.origin !== this.origin || ev.source !== this.source()) return false;
    const origin = this.origin;
    const id = msg.id ?? null;
    const params = msg.params && typeof msg.params === "object" ? msg.params : {};
    const check = SIGNATURES[msg.method];
    if (!check) {
      this.post({ uzor: API_VERSION, id, ok: false, error: { code: "unknown_method", message: msg.method } }, origin);
      return true;
    }
    if (!check(params)) {
      this.post({ uzor: API_VERSION, id, ok: false, error: { code: "invalid_params", message: msg.method } }, origin);
      return true;
    }
    try {
      const result = await this.handlers[msg.method](params);
      this.post({ uzor: API_VERSION, id, ok: true, result: result ?? null }, origin);
    } catch (err) {
      const e = /** @type {any} */ (err);
      this.post({ uzor: API_VERSION, id, ok: false, error: { code: String(e?.code ?? "failed"), message: String(e?.message ?? e) } }, origin);
    }
    return true;
  }

  /** Tell the script page an event (only when a script is loaded). @param {string} name @param {any} data */
  emit(name, data) {
    if (this.origin) this.post({ uzor: API_VERSION, event: name, data }, this.origin);
  }
}
