// The call panel: the caller (Subscriber, Number or "hidden"), the topic and call timer of each
// call (the second one marked), and the call controls.
import { useState } from "preact/hooks";

import { activeCall, consultation, isHidden } from "../calls.js";
import { clock, rules } from "../session.js";
import { DispositionPicker } from "./disposition.js";
import { html } from "./html.js";
import { Btn } from "./widgets.js";

/** @param {{call: import("../calls.js").Call, index: number, now: number, t: import("./html.js").T}} p */
function CallCard({ call, index, now, t }) {
  const hidden = isHidden(call);
  const started = call.answeredAt ?? call.since;
  const kind = call.direction === "inbound" ? t("call.incoming") : t("call.outgoing");
  return html`<section class=${`call-card call-${call.state}${index > 0 ? " second" : ""}`} data-testid=${`call-${index}`} data-call-id=${call.callId}>
    <div class="call-kind">${index > 0 ? t("call.second") + " · " : ""}${kind} · ${t(`callstate.${call.state}`)}</div>
    <dl class="caller">
      <dt>${t("call.subscriber")}</dt>
      <dd class="big" data-testid="caller-name">${hidden ? t("call.hidden") : call.callerName || "—"}</dd>
      <dt>${t("call.number")}</dt>
      <dd class="big" data-testid="caller-number">${hidden ? t("call.hidden") : call.number}</dd>
      ${(call.topicName || call.topic) && html`<dt>${t("call.topic")}</dt><dd data-testid="call-topic">${[call.topicName, call.topic].filter(Boolean).join(" · ")}</dd>`}
    </dl>
    <div class="call-timer" data-testid="call-timer">${clock((now - started) / 1000)}</div>
  </section>`;
}

/** @param {{state: import("../state.js").AppState, c: import("../controller.js").Controller, t: import("./html.js").T}} p */
export function CallPanel({ state, c, t }) {
  const [target, setTarget] = useState("");
  const s = state.session;
  if (!s) return null;
  const r = rules(s, state.calls);
  const calls = state.calls;
  const active = activeCall(calls);
  const consult = consultation(calls);
  const ringing = calls.some((x) => x.state === "ringing" && x.direction === "inbound") || !!state.phoneRinging;
  const noPhone = state.phone !== "registered" ? "why.no_phone" : null;
  const validTarget = /^[0-9*#+]{1,32}$/.test(target);
  const targetWhy = validTarget ? null : "dial.target";
  const held = calls.find((x) => x.state === "hold");
  const act = (/** @type {string} */ name, /** @type {any} */ data = {}) => c.act(name, data).catch(() => {});
  // a call only the phone knows (a supervisor listening in): shown, and Hang up ends it
  const phoneOnly = calls.length === 0 && !state.phoneRinging ? state.phoneTalking : null;
  return html`<div class="call-panel">
    ${calls.length === 0 && !state.phoneRinging && !phoneOnly && html`<div class="call-empty muted" data-testid="no-call">${t("call.none")}</div>`}
    ${calls.length === 0 && state.phoneRinging && html`<${CallCard} index=${0} now=${state.now} t=${t}
      call=${{ callId: "", direction: "inbound", state: "ringing", number: state.phoneRinging.number, callerName: state.phoneRinging.name, topic: "", topicName: "", scriptUrl: null, group: "", since: state.now, answeredAt: null, consult: false }} />`}
    ${phoneOnly && html`<${CallCard} index=${0} now=${state.now} t=${t}
      call=${{ callId: "", direction: "inbound", state: "talking", number: phoneOnly.number, callerName: phoneOnly.name, topic: "", topicName: "", scriptUrl: null, group: "", since: phoneOnly.since, answeredAt: phoneOnly.since, consult: false }} />`}
    ${calls.map((call, i) => html`<${CallCard} key=${call.callId} call=${call} index=${i} now=${state.now} t=${t} />`)}
    <${DispositionPicker} state=${state} c=${c} t=${t} />
    <div class="controls" role="toolbar" aria-label="call">
      ${ringing && html`<${Btn} t=${t} cls="btn-answer" why=${noPhone} icon="☎" label=${t("btn.answer") + " (F3)"} testid="btn-answer" onClick=${() => c.answer()} />`}
      <${Btn} t=${t} cls="btn-hangup" why=${ringing || phoneOnly ? null : r.hangup} icon="✕" label=${t("btn.hangup") + " (F4)"} testid="btn-hangup" onClick=${() => c.hangup()} />
      ${held && !consult
        ? html`<${Btn} t=${t} why=${r.unhold} label=${t("btn.unhold")} testid="btn-unhold" onClick=${() => act("unhold", { call_id: held.callId })} />`
        : html`<${Btn} t=${t} why=${r.hold} label=${t("btn.hold")} testid="btn-hold" onClick=${() => active && act("hold", { call_id: active.callId })} />`}
      <${Btn} t=${t} why=${calls.length ? null : "why.no_call"} pressed=${state.muted} label=${state.muted ? t("btn.unmute") : t("btn.mute")} testid="btn-mute" onClick=${() => c.setMuted(!state.muted)} />
      <${Btn} t=${t} why=${r.dtmf} label=${t("btn.keypad")} testid="btn-keypad" onClick=${() => c.store.set({ panel: state.panel === "keypad" ? "none" : "keypad" })} />
    </div>
    ${consult
      ? html`<div class="controls two-calls" role="toolbar">
          <${Btn} t=${t} cls="btn-primary" label=${t("btn.complete")} testid="btn-complete" onClick=${() => act("transfer_complete")} />
          <${Btn} t=${t} label=${t("btn.conference")} testid="btn-conference2" onClick=${() => act("conference")} />
          <${Btn} t=${t} label=${t("btn.cancel_consult")} testid="btn-cancel-consult" onClick=${() => act("transfer_cancel")} />
        </div>`
      : html`<div class="transfer">
          <label>${t("dial.target")}
            <input data-testid="transfer-number" inputmode="tel" value=${target} disabled=${!!r.transfer}
              onInput=${(/** @type {any} */ e) => setTarget(e.currentTarget.value.trim())} />
          </label>
          <div class="controls">
            <${Btn} t=${t} why=${r.transfer ?? targetWhy} label=${t("btn.transfer")} testid="btn-transfer" onClick=${() => active && act("transfer_blind", { call_id: active.callId, number: target })} />
            <${Btn} t=${t} why=${r.transfer ?? targetWhy} label=${t("btn.consult")} testid="btn-consult" onClick=${() => active && act("transfer_consult", { call_id: active.callId, number: target })} />
            <${Btn} t=${t} why=${r.transfer ?? targetWhy} label=${t("btn.conference")} testid="btn-conference" onClick=${() => active && act("conference", { call_id: active.callId, number: target })} />
          </div>
        </div>`}
    <div class="controls">
      <${Btn} t=${t} why=${r.dial} icon="⌨" label=${t("btn.dial_window")} testid="btn-dial-window" onClick=${() => c.store.set({ panel: state.panel === "dial" ? "none" : "dial" })} />
      <label class="toggle" title=${t("auto_answer")}>
        <input type="checkbox" data-testid="auto-answer" checked=${s.autoAnswer}
          onChange=${(/** @type {any} */ e) => c.setAutoAnswer(e.currentTarget.checked).catch(() => {})} />
        ${t("auto_answer")}
      </label>
    </div>
  </div>`;
}
