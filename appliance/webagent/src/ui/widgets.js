// Small shared pieces: a button with its disabled reason, the language switch, the banner.
import { LANGS } from "../i18n/index.js";
import { html } from "./html.js";

/**
 * A button disabled with the reason on hover (never hidden), pressed state while pending.
 * @param {{t: import("./html.js").T, why?: string | null, onClick: () => any, cls?: string,
 *   label: string, hint?: string, testid?: string, pressed?: boolean, icon?: string, busy?: boolean}} p
 */
export function Btn({ t, why = null, onClick, cls = "", label, hint, testid, pressed, icon, busy }) {
  const title = why ? t(why) : hint ?? label;
  return html`<button type="button" class=${`btn ${cls}${busy ? " busy" : ""}`} disabled=${!!why}
    title=${title} aria-pressed=${pressed === undefined ? undefined : String(pressed)}
    data-testid=${testid} onClick=${onClick}>${icon && html`<span class="icon" aria-hidden="true">${icon}</span>`}${label}</button>`;
}

/** @param {{state: import("../state.js").AppState, c: import("../controller.js").Controller, t: import("./html.js").T}} p */
export function LangSwitch({ state, c, t }) {
  const choose = (/** @type {string} */ lang) => {
    try {
      localStorage.setItem("uzor.lang", lang);
    } catch {
      // private mode: the choice lasts for this page only
    }
    c.store.set({ lang: /** @type {any} */ (lang) });
  };
  return html`<div class="lang" role="group" aria-label=${t("settings.language")}>
    ${LANGS.map((lang) => html`<button type="button" class=${`link${state.lang === lang ? " active" : ""}`}
      aria-pressed=${String(state.lang === lang)} data-testid=${`lang-${lang}`} onClick=${() => choose(lang)}>${t(`lang.${lang}`)}</button>`)}
  </div>`;
}

/** What is lost, said plainly; the rest of the screen stays (timers keep running). @param {{state: import("../state.js").AppState, t: import("./html.js").T}} p */
export function ConnectionBanner({ state, t }) {
  const server = state.acp === "lost" || state.acp === "connecting";
  const phone = state.phone === "lost" || state.phone === "failed";
  if (!server && !phone) return null;
  const key = server && phone ? "banner.both" : server ? "banner.server" : "banner.phone";
  return html`<div class="banner banner-lost" role="alert" data-testid="banner-lost">${t(key)}</div>`;
}

/**
 * The administrator's name of an offered code in ``lang`` (the agency's ``name`` when it sent
 * no ``names``), or null when ``code`` is not offered.
 * @param {import("../state.js").WorkCode[]} offered @param {string} code @param {string} lang
 */
export function codeName(offered, code, lang) {
  const found = offered.find((x) => x.code === code);
  if (!found) return null;
  return found.names?.[lang] || found.name || code;
}
