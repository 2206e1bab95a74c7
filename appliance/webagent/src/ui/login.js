// The login screen (agent number + password; the workplace comes from the link) and the
// screen shown when the session ended (logged out by the server, or replaced by another tab).
import { useState } from "preact/hooks";

import { formatMac } from "../config.js";
import { html } from "./html.js";
import { LangSwitch } from "./widgets.js";

/** @param {{state: import("../state.js").AppState, c: import("../controller.js").Controller, t: import("./html.js").T}} p */
export function LoginScreen({ state, c, t }) {
  const [agent, setAgent] = useState("");
  const [password, setPassword] = useState("");
  const hostProblem = !state.host ? t("login.no_host") : !state.hostValid ? t("login.bad_host", { host: state.host }) : null;
  const submit = (/** @type {Event} */ ev) => {
    ev.preventDefault();
    if (!hostProblem && agent && password) c.login(agent.trim(), password);
  };
  const error = state.loginError ? t(state.loginError.key, state.loginError.params) : null;
  return html`
    <main class="login">
      <form class="card login-card" onSubmit=${submit} aria-labelledby="login-title">
        <div class="brand"><img src="favicon.svg" alt="" width="36" height="36" /><span>Uzor</span></div>
        <h1 id="login-title">${t("login.title")}</h1>
        ${hostProblem
          ? html`<p class="alert alert-error" role="alert" data-testid="login-error">${hostProblem}</p>`
          : html`<p class="muted" data-testid="workplace">${t("login.workplace", { mac: formatMac(state.host) })}</p>`}
        <label>${t("login.agent")}
          <input name="agent" inputmode="numeric" autocomplete="username" pattern="[0-9]{3,16}" required
            autofocus value=${agent} onInput=${(/** @type {any} */ e) => setAgent(e.currentTarget.value)} />
        </label>
        <label>${t("login.password")}
          <input name="password" type="password" autocomplete="current-password" required
            value=${password} onInput=${(/** @type {any} */ e) => setPassword(e.currentTarget.value)} />
        </label>
        ${error && html`<p class="alert alert-error" role="alert" data-testid="login-error">${error}</p>`}
        <p class="muted small">${t("login.mic_explain")}</p>
        <button class="btn btn-primary btn-wide" type="submit" disabled=${state.loginBusy || !!hostProblem}>
          ${state.loginBusy ? t("login.busy") : t("login.submit")}
        </button>
        <${LangSwitch} state=${state} c=${c} t=${t} />
      </form>
    </main>`;
}

/** @param {{state: import("../state.js").AppState, c: import("../controller.js").Controller, t: import("./html.js").T}} p */
export function EndedScreen({ state, c, t }) {
  const why = state.ended ? t(state.ended.key, state.ended.params) : "";
  return html`
    <main class="login">
      <div class="card login-card">
        <div class="brand"><img src="favicon.svg" alt="" width="36" height="36" /><span>Uzor</span></div>
        <p class="alert alert-warn" role="alert" data-testid="ended">${why}</p>
        <button class="btn btn-primary btn-wide" onClick=${() => c.store.set({ phase: "login", ended: null })}>
          ${t("login.submit")}
        </button>
      </div>
    </main>`;
}
