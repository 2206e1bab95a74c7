// The operator's session (mode, state, timers) and the manual's rules for what is allowed now.
import { MAX_CALLS, consultation } from "./calls.js";

/**
 * @typedef {"inbound" | "outbound" | "offline"} Mode
 * @typedef {"ready" | "pause" | "wrapup" | "ringing" | "dialing" | "talking" | "hold" | "task_waiting" | "task"} State
 * @typedef {{
 *   mode: Mode, state: State, reason: string | null, stateStart: number,
 *   deadline: number | null, autoAnswer: boolean, task: {project: string, activity: string} | null,
 *   dispositionCall: string | null, dispositionNeeded: boolean,
 *   pending: {state: "ready" | "pause", reason: string | null} | null,
 * }} Session
 * @typedef {import("./calls.js").Call} Call
 */

/** Reasons the agency sets itself; an operator cannot choose them. */
export const SYSTEM_REASONS = ["wrapup", "outbound", "offline", "disconnected"];

/**
 * The session as the agency reports it; times become local clock values.
 * @param {any} snap @param {number} now @param {Session | null} [old] @returns {Session}
 */
export function sessionFromSnapshot(snap, now, old = null) {
  const seconds = Number(snap.state_seconds ?? 0);
  const limit = snap.limit_seconds;
  return {
    mode: snap.mode,
    state: snap.state,
    reason: snap.reason ?? null,
    stateStart: now - seconds * 1000,
    deadline: typeof limit === "number" ? now + limit * 1000 : null,
    autoAnswer: typeof snap.auto_answer === "boolean" ? snap.auto_answer : (old?.autoAnswer ?? false),
    task: snap.task === undefined ? (old?.task ?? null) : snap.task,
    dispositionCall: typeof snap.disposition_call === "string" ? snap.disposition_call : null,
    dispositionNeeded: snap.disposition_needed === true,
    pending: pendingOf(snap.pending),
  };
}

/**
 * Ready or Pause pressed while the PBX was unreachable: the agency keeps it and carries it out
 * once the PBX is back (``pending`` of the session); null when nothing waits.
 * @param {any} p @returns {Session["pending"]}
 */
function pendingOf(p) {
  if (!p || (p.state !== "ready" && p.state !== "pause")) return null;
  return { state: p.state, reason: typeof p.reason === "string" ? p.reason : null };
}

/** The pill's state: Pause in Outbound mode waiting to dial is shown as such. @param {Session} s */
export function displayState(s) {
  if (s.state === "pause" && s.reason === "outbound") return "outbound_pause";
  return s.state;
}

/** Seconds in the state, and seconds left before it ends by itself (or null). @param {Session} s @param {number} now */
export function timers(s, now) {
  const elapsed = Math.max(0, Math.floor((now - s.stateStart) / 1000));
  const left = s.deadline === null ? null : Math.max(0, Math.ceil((s.deadline - now) / 1000));
  return { elapsed, left };
}

/** @param {number} seconds */
export function clock(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  const ss = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/**
 * What is allowed now: null when allowed, else the message key of the reason (for disabled
 * controls' hints). Mirrors the agency (which decides; this only keeps buttons honest).
 * @param {Session} s @param {Call[]} calls
 */
export function rules(s, calls) {
  const idle = calls.length === 0;
  const talking = calls.find((c) => c.state === "talking") ?? null;
  const consult = consultation(calls);
  const base = s.state;
  const noCall = idle ? null : "why.during_call";
  const disposition = s.dispositionNeeded ? "why.disposition_first" : null;
  return {
    mode: noCall ?? disposition,
    ready:
      s.mode !== "inbound" ? "why.ready_inbound_only"
      : noCall ?? disposition ?? (base === "ready" ? "why.already" : null),
    pause: s.mode === "offline" ? "why.no_pause_offline" : noCall ?? disposition,
    disposition: !s.dispositionCall ? "why.no_disposition_call" : null,
    dial:
      s.mode === "offline" ? "why.no_calls_offline"
      : calls.length >= MAX_CALLS ? "why.two_calls"
      : idle && base !== "pause" ? "why.dial_from_pause"
      : !idle && !calls.every((c) => c.state === "hold") ? "why.hold_first"
      : null,
    hangup: idle ? "why.no_call" : null,
    hold: talking && !consult ? null : "why.no_talking_call",
    unhold: calls.some((c) => c.state === "hold") && !consult ? null : "why.no_held_call",
    transfer: talking && !consult ? null : "why.no_talking_call",
    twoCalls: consult ? null : "why.no_consultation",
    dtmf: talking ? null : "why.no_talking_call",
    taskStart: s.mode !== "offline" ? "why.offline_only" : base !== "task_waiting" ? "why.task_running" : null,
    taskFinish: base === "task" ? null : "why.no_task",
  };
}
