// The working screen: top bar, banners, the call panel on the left, the script page in the
// main area, windows on demand.
import { html } from "./html.js";
import { CallPanel } from "./callpanel.js";
import { OfflinePanel } from "./offline.js";
import { DialWindow, HelpOverlay, Keypad, Settings } from "./panels.js";
import { ScriptFrame } from "./script.js";
import { TopBar } from "./topbar.js";
import { ConnectionBanner } from "./widgets.js";

/** @param {{state: import("../state.js").AppState, c: import("../controller.js").Controller, t: import("./html.js").T}} p */
export function Workplace({ state, c, t }) {
  const panels = { dial: DialWindow, keypad: Keypad, help: HelpOverlay, settings: Settings };
  const Panel = state.panel === "none" ? null : panels[state.panel];
  return html`<div class="workplace">
    <${TopBar} state=${state} c=${c} t=${t} />
    <${ConnectionBanner} state=${state} t=${t} />
    ${state.maintenance !== null && html`<div class="banner banner-warn" role="status">${t("banner.maintenance", { message: state.maintenance })}</div>`}
    ${state.warning && html`<div class="banner banner-warn" role="alert" data-testid="warning">${t(state.warning.key, state.warning.params)}</div>`}
    ${state.notice && html`<div class="banner banner-error" role="alert" data-testid="notice">
      ${t(state.notice.key, state.notice.params)}
      <button type="button" class="link" onClick=${() => c.store.set({ notice: null })}>${t("btn.close")}</button></div>`}
    ${state.supervisorMessage && html`<div class="banner banner-info" role="status" data-testid="supervisor-message">
      ${state.supervisorMessage.from && html`<strong>${state.supervisorMessage.from}: </strong>`}${state.supervisorMessage.text}
      <button type="button" class="link" onClick=${() => c.store.set({ supervisorMessage: null })}>${t("btn.close")}</button></div>`}
    <div class="columns">
      <aside class="left">
        <${CallPanel} state=${state} c=${c} t=${t} />
        <${OfflinePanel} state=${state} c=${c} t=${t} />
      </aside>
      <main class="main"><${ScriptFrame} state=${state} c=${c} t=${t} /></main>
    </div>
    ${Panel && html`<${Panel} state=${state} c=${c} t=${t} />`}
  </div>`;
}
