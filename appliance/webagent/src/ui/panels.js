// Windows over the workplace: the dial window (number, outbound topic, recent calls), the DTMF
// keypad, the help overlay and the settings (volumes, language).
import { useState } from "preact/hooks";

import { activeCall } from "../calls.js";
import { rules } from "../session.js";
import { html } from "./html.js";
import { Btn, LangSwitch } from "./widgets.js";

/** @typedef {{state: import("../state.js").AppState, c: import("../controller.js").Controller, t: import("./html.js").T}} P */

/** @param {{title: string, c: import("../controller.js").Controller, t: import("./html.js").T, children: any, testid: string}} p */
function Dialog({ title, c, t, children, testid }) {
  return html`<div class="dialog" role="dialog" aria-label=${title} data-testid=${testid}>
    <div class="dialog-head"><h2>${title}</h2>
      <button type="button" class="btn btn-ghost" title=${t("btn.close") + " (Esc)"} onClick=${() => c.store.set({ panel: "none" })}>✕</button>
    </div>
    ${children}
  </div>`;
}

/** @param {P} p */
export function DialWindow({ state, c, t }) {
  const [number, setNumber] = useState("");
  const s = state.session;
  if (!s) return null;
  const why = rules(s, state.calls).dial;
  const valid = /^[0-9*#+]{1,32}$/.test(number);
  const submit = (/** @type {Event} */ ev) => {
    ev.preventDefault();
    if (valid && !why) c.dial(number, state.outboundTopic).catch(() => {});
  };
  return html`<${Dialog} title=${t("dial.title")} c=${c} t=${t} testid="dial-window">
    <form class="dial-form" onSubmit=${submit}>
      <label>${t("dial.number")}
        <input data-testid="dial-number" inputmode="tel" autofocus value=${number}
          onInput=${(/** @type {any} */ e) => setNumber(e.currentTarget.value.trim())} />
      </label>
      <label>${t("dial.topic")}
        <select data-testid="dial-topic" value=${state.outboundTopic}
          onChange=${(/** @type {any} */ e) => c.store.set({ outboundTopic: e.currentTarget.value })}>
          ${state.topics.length === 0 && html`<option value="">${t("dial.choose_topic")}</option>`}
          ${state.topics.map((tp) => html`<option value=${tp.prefix}>${tp.description || tp.prefix}</option>`)}
        </select>
      </label>
      <button class="btn btn-primary" type="submit" data-testid="btn-dial" disabled=${!valid || !!why} title=${why ? t(why) : t("btn.dial")}>☎ ${t("btn.dial")}</button>
    </form>
    <h3>${t("dial.recent")}</h3>
    ${state.recent.length === 0
      ? html`<p class="muted">${t("dial.no_recent")}</p>`
      : html`<ul class="recent" data-testid="recent">${state.recent.map((r) => html`<li>
          <button type="button" class="link" onClick=${() => setNumber(r.number)}>${r.number}</button>
          <span class="muted small">${new Date(r.at).toLocaleString(state.lang)}</span></li>`)}</ul>`}
  <//>`;
}

const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"];

/** @param {P} p */
export function Keypad({ state, c, t }) {
  const call = activeCall(state.calls);
  const why = state.session ? rules(state.session, state.calls).dtmf : "why.no_call";
  const press = (/** @type {string} */ key) => call && c.act("dtmf", { call_id: call.callId, digits: key }).catch(() => {});
  return html`<${Dialog} title=${t("dtmf.title")} c=${c} t=${t} testid="keypad">
    <div class="keypad">${KEYS.map((k) => html`<${Btn} t=${t} why=${why} label=${k} testid=${`dtmf-${k}`} onClick=${() => press(k)} />`)}</div>
  <//>`;
}

/** @param {P} p */
export function HelpOverlay({ c, t }) {
  const rows = [["F3", "help.f3"], ["F4", "help.f4"], ["?", "help.question"], ["Esc", "help.escape"], ["Tab", "help.tab"]];
  return html`<${Dialog} title=${t("help.title")} c=${c} t=${t} testid="help">
    <table class="keys">${rows.map(([k, key]) => html`<tr><th><kbd>${k}</kbd></th><td>${t(key)}</td></tr>`)}</table>
  <//>`;
}

/** @param {P} p */
export function Settings({ state, c, t }) {
  return html`<${Dialog} title=${t("settings.title")} c=${c} t=${t} testid="settings">
    <label>${t("settings.mic_volume")}
      <input type="range" min="0" max="1.5" step="0.05" value=${state.micVolume} data-testid="mic-volume"
        onInput=${(/** @type {any} */ e) => c.setMicVolume(Number(e.currentTarget.value))} />
    </label>
    <label>${t("settings.speaker_volume")}
      <input type="range" min="0" max="1" step="0.05" value=${state.speakerVolume} data-testid="speaker-volume"
        onInput=${(/** @type {any} */ e) => c.setSpeakerVolume(Number(e.currentTarget.value))} />
    </label>
    <${LangSwitch} state=${state} c=${c} t=${t} />
  <//>`;
}
