// The disposition of the call just ended: the administrator's codes, chosen in the wrap-up (or
// after it, until the next call); a required one is marked and keeps Ready disabled until given.
import { rules } from "../session.js";
import { html } from "./html.js";
import { codeName } from "./widgets.js";

/** @param {{state: import("../state.js").AppState, c: import("../controller.js").Controller, t: import("./html.js").T}} p */
export function DispositionPicker({ state, c, t }) {
  const s = state.session;
  if (!s || !s.dispositionCall || state.dispositions.length === 0) return null;
  const why = rules(s, state.calls).disposition;
  const needed = s.dispositionNeeded;
  const choose = (/** @type {string} */ code) => code && c.act("set_disposition", { code }).catch(() => {});
  return html`<section class=${`disposition${needed ? " needed" : ""}`} data-testid="disposition-panel">
    <label class="select-label">
      <span>${t("disposition.label")}${state.dispositionRequired && html` <strong class="required" data-testid="disposition-required">(${t("disposition.required")})</strong>`}</span>
      <select data-testid="disposition" disabled=${!!why} aria-required=${String(state.dispositionRequired)}
        onChange=${(/** @type {any} */ e) => choose(e.currentTarget.value)}>
        <option value="">${t("disposition.choose")}</option>
        ${state.dispositions.map((d) => html`<option value=${d.code}>${codeName(state.dispositions, d.code, state.lang)}</option>`)}
      </select>
    </label>
    ${needed && html`<p class="muted" role="status">${t("why.disposition_first")}</p>`}
  </section>`;
}
