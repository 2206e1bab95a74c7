// The call model: the operator's calls (at most two) as the agency reports them, kept in
// arrival order, with what the events tell about each (caller, topic, script, timers).

/**
 * @typedef {"ringing" | "dialing" | "talking" | "hold"} CallState
 * @typedef {{
 *   callId: string, direction: "inbound" | "outbound", state: CallState, number: string,
 *   callerName: string, topic: string, topicName: string, scriptUrl: string | null,
 *   group: string, since: number, answeredAt: number | null, consult: boolean,
 * }} Call
 */

export const MAX_CALLS = 2;
export const HIDDEN = "hidden";

/** @param {Partial<Call> & {callId: string}} fields @param {number} now @returns {Call} */
function newCall(fields, now) {
  return {
    direction: "inbound", state: "ringing", number: "", callerName: "", topic: "",
    topicName: "", scriptUrl: null, group: "", since: now, answeredAt: null, consult: false,
    ...fields,
  };
}

/** @param {any} topic @returns {{topic: string, topicName: string}} */
function topicOf(topic) {
  if (!topic || typeof topic !== "object") return { topic: "", topicName: "" };
  const prefix = String(topic.prefix ?? topic.name ?? "");
  return { topic: prefix, topicName: String(topic.description ?? topic.name ?? prefix) };
}

/**
 * Calls after one ACP message (others leave them unchanged).
 * @param {Call[]} calls @param {{name: string, data?: any}} msg @param {number} now
 * @returns {Call[]}
 */
export function applyCallEvent(calls, msg, now) {
  const d = msg.data ?? {};
  const id = String(d.call_id ?? "");
  const update = (/** @type {Partial<Call>} */ patch) =>
    calls.map((c) => (c.callId === id ? { ...c, ...patch } : c));
  const known = calls.some((c) => c.callId === id);
  switch (msg.name) {
    case "call_incoming": {
      const fields = {
        callId: id, direction: /** @type {const} */ ("inbound"), state: /** @type {const} */ ("ringing"),
        number: String(d.number ?? ""), callerName: String(d.caller_name ?? ""),
        scriptUrl: typeof d.script_url === "string" && d.script_url ? d.script_url : null,
        group: String(d.group ?? ""), ...topicOf(d.topic),
      };
      return known ? update(fields) : [...calls, newCall(fields, now)];
    }
    case "call_dialing": {
      const fields = {
        callId: id, direction: /** @type {const} */ ("outbound"), state: /** @type {const} */ ("dialing"),
        number: String(d.number ?? ""), ...topicOf(d.topic),
      };
      return known ? update(fields) : [...calls, newCall(fields, now)];
    }
    case "call_answered":
      return update({ state: "talking", answeredAt: now });
    case "call_held":
      return update({ state: "hold" });
    case "call_unheld":
      return update({ state: "talking" });
    case "call_ended":
      return calls.filter((c) => c.callId !== id);
    case "transfer_progress":
      return d.stage === "consulting" ? update({ state: "hold" }) : calls;
    default:
      return calls;
  }
}

/**
 * Reconcile with the agency's list (login, resume, state_changed): the agency decides which
 * calls exist and their state; what only events told (caller name, topic) is kept.
 * @param {Call[]} calls @param {any[] | undefined} listed @param {number} now @returns {Call[]}
 */
export function reconcileCalls(calls, listed, now) {
  if (!Array.isArray(listed)) return calls;
  return listed.map((item) => {
    const id = String(item.call_id);
    const old = calls.find((c) => c.callId === id);
    const state = /** @type {CallState} */ (item.state);
    const base = old ?? newCall({ callId: id, consult: id.endsWith("-consult") }, now);
    return {
      ...base,
      direction: item.direction === "outbound" ? "outbound" : "inbound",
      state,
      number: String(item.number ?? base.number),
      answeredAt: base.answeredAt ?? (state === "talking" || state === "hold" ? now : null),
    };
  });
}

/** The call the controls act on: talking, else dialing, else ringing, else held. @param {Call[]} calls */
export function activeCall(calls) {
  for (const state of ["talking", "dialing", "ringing", "hold"]) {
    const call = calls.find((c) => c.state === state);
    if (call) return call;
  }
  return null;
}

/** @param {Call[]} calls */
export function ringingCall(calls) {
  return calls.find((c) => c.state === "ringing" && c.direction === "inbound") ?? null;
}

/** A consultation in progress: one call held and another one. @param {Call[]} calls */
export function consultation(calls) {
  const held = calls.find((c) => c.state === "hold");
  const other = calls.find((c) => c !== held);
  return held && other ? { held, other } : null;
}

/** @param {Call} call */
export function isHidden(call) {
  return call.number === HIDDEN;
}
