// The root component: login, the workplace, or the "session ended" screen; global hotkeys.
import { useEffect, useState } from "preact/hooks";

import { translate } from "../i18n/index.js";
import { html } from "./html.js";
import { LoginScreen, EndedScreen } from "./login.js";
import { Workplace } from "./workplace.js";
import { hotkey } from "./hotkeys.js";

/** @param {{store: import("../store.js").Store<import("../state.js").AppState>, controller: import("../controller.js").Controller}} props */
export function App({ store, controller }) {
  const [state, setState] = useState(store.get());
  useEffect(() => store.subscribe(setState), [store]);
  useEffect(() => {
    const onKey = (/** @type {KeyboardEvent} */ ev) => {
      if (hotkey(ev.key, ev.target, store.get(), controller)) ev.preventDefault();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [store, controller]);
  useEffect(() => {
    document.documentElement.lang = state.lang;
    const ringing = state.calls.some((c) => c.state === "ringing") || state.phoneRinging;
    document.title = (ringing ? "🔔 " : "") + translate(state.lang, "app.title");
  }, [state.lang, state.calls, state.phoneRinging]);
  /** @type {import("./html.js").T} */
  const t = (key, params) => translate(state.lang, key, params);
  if (state.phase === "working") return html`<${Workplace} state=${state} c=${controller} t=${t} />`;
  if (state.phase === "ended") return html`<${EndedScreen} state=${state} c=${controller} t=${t} />`;
  return html`<${LoginScreen} state=${state} c=${controller} t=${t} />`;
}
