// The top bar: the state pill with its timer, the mode control, pause reasons, the operator.
import { clock, displayState, rules, timers } from "../session.js";
import { html } from "./html.js";
import { Btn, codeName } from "./widgets.js";

/** The reasons offered when the administrator defined none (any word is accepted then). */
export const PAUSE_REASONS = ["break", "lunch", "training", "meeting", "technical"];
const ICONS = /** @type {Record<string, string>} */ ({
  ready: "●", pause: "❚❚", outbound_pause: "↗", wrapup: "✎", ringing: "☎", dialing: "↗",
  talking: "☏", hold: "‖", task_waiting: "◷", task: "▶",
});

/** @param {{state: import("../state.js").AppState, c: import("../controller.js").Controller, t: import("./html.js").T}} p */
export function StatePill({ state, t }) {
  const s = state.session;
  if (!s) return null;
  const shown = displayState(s);
  const { elapsed, left } = timers(s, Math.max(state.now, Date.now())); // the ticker may lag a render
  const reason = s.state === "pause" && s.reason && s.reason !== "outbound" ? reasonName(state, s.reason, t) : "";
  return html`<div class=${`pill state-${shown}`} role="status" aria-live="polite" data-testid="state" data-state=${s.state}>
    <span class="pill-icon" aria-hidden="true">${ICONS[shown] ?? "●"}</span>
    <span class="pill-name">${t(`state.${shown}`)}${reason && html`<span class="pill-reason"> · ${reason}</span>`}${s.pending && html`<span class="pill-pending" data-testid="state-pending"
      title=${t("state.pending_hint")}> → ${t("state.pending", { state: t(`state.${s.pending.state}`) })}</span>`}</span>
    <span class="pill-timer" data-testid="state-timer">
      ${left !== null ? t("state.left", { time: clock(left) }) : clock(elapsed)}
    </span>
  </div>`;
}

/** @param {{state: import("../state.js").AppState, c: import("../controller.js").Controller, t: import("./html.js").T}} p */
export function ModeControl({ state, c, t }) {
  const s = state.session;
  if (!s) return null;
  const why = rules(s, state.calls).mode;
  const choose = (/** @type {string} */ mode) => {
    if (mode === s.mode) return;
    const data = mode === "outbound" && state.outboundTopic ? { mode, topic: state.outboundTopic } : { mode };
    c.act("set_mode", data).catch(() => {});
  };
  return html`<div class="segmented" role="radiogroup" aria-label=${t("mode.label")} data-testid="mode">
    ${["inbound", "outbound", "offline"].map((mode) => html`<button type="button" role="radio"
      aria-checked=${String(s.mode === mode)} class=${s.mode === mode ? "on" : ""}
      disabled=${!!why && s.mode !== mode} title=${why ? t(why) : t(`mode.${mode}`)}
      data-testid=${`mode-${mode}`} onClick=${() => choose(mode)}>${t(`mode.${mode}`)}</button>`)}
  </div>`;
}

/** Ready and the pause reasons. @param {{state: import("../state.js").AppState, c: import("../controller.js").Controller, t: import("./html.js").T}} p */
export function StateControls({ state, c, t }) {
  const s = state.session;
  if (!s || s.mode === "offline") return null;
  const r = rules(s, state.calls);
  const current = s.state === "pause" ? s.reason : null;
  const codes = state.pauseReasons.length ? state.pauseReasons.map((x) => x.code) : PAUSE_REASONS;
  return html`<div class="state-controls">
    ${s.mode === "inbound" && html`<${Btn} t=${t} cls="btn-ready" why=${r.ready} label=${t("btn.ready")}
      testid="btn-ready" onClick=${() => c.act("set_state", { state: "ready" }).catch(() => {})} />`}
    <label class="select-label"><span class="sr-only">${t("btn.pause")}</span>
      <select data-testid="pause-reason" disabled=${!!r.pause} title=${r.pause ? t(r.pause) : t("btn.pause")}
        value=${current && codes.includes(current) ? current : ""}
        onChange=${(/** @type {any} */ e) => e.currentTarget.value && c.act("set_state", { state: "pause", reason: e.currentTarget.value }).catch(() => {})}>
        <option value="">${t("btn.pause")}…</option>
        ${codes.map((reason) => html`<option value=${reason}>${reasonName(state, reason, t)}</option>`)}
      </select>
    </label>
  </div>`;
}

/**
 * A pause reason's name: the administrator's in the UI language, else the workplace's own.
 * @param {import("../state.js").AppState} state @param {string} code @param {import("./html.js").T} t
 */
function reasonName(state, code, t) {
  return codeName(state.pauseReasons, code, state.lang) ?? t(`reason.${code}`);
}

/** @param {{state: import("../state.js").AppState, c: import("../controller.js").Controller, t: import("./html.js").T}} p */
export function TopBar({ state, c, t }) {
  const op = state.operator;
  return html`<header class="topbar">
    <${StatePill} state=${state} c=${c} t=${t} />
    <${ModeControl} state=${state} c=${c} t=${t} />
    <${StateControls} state=${state} c=${c} t=${t} />
    <div class="spacer"></div>
    <div class="operator" data-testid="operator">
      ${op?.name && op.name !== op.agent && html`<strong>${op.name}</strong><span class="muted"> · </span>`}<span>${op?.agent}</span>
    </div>
    <button type="button" class="btn btn-ghost" title=${t("btn.settings")} data-testid="btn-settings"
      onClick=${() => c.store.set({ panel: state.panel === "settings" ? "none" : "settings" })}>⚙</button>
    <button type="button" class="btn btn-ghost" title=${t("btn.help") + " (?)"} data-testid="btn-help"
      onClick=${() => c.store.set({ panel: state.panel === "help" ? "none" : "help" })}>?</button>
    <${Btn} t=${t} cls="btn-ghost" label=${t("btn.logout")} testid="btn-logout" onClick=${() => c.logout()} />
  </header>`;
}
