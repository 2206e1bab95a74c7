// The main area: the topic's script page in a sandboxed frame, given the call's data.
import { useEffect, useRef } from "preact/hooks";

import { activeCall } from "../calls.js";
import { html } from "./html.js";

/** The script URL for now: the active call's topic script, else the chosen outbound topic's.
 * @param {import("../state.js").AppState} state @returns {string | null} */
export function currentScriptUrl(state) {
  const call = activeCall(state.calls);
  if (call?.scriptUrl) return call.scriptUrl;
  const topic = state.topics.find((tp) => tp.prefix === (call?.topic || state.outboundTopic));
  return state.session?.mode === "outbound" || call ? (topic?.script_url ?? null) : null;
}

/** @param {{state: import("../state.js").AppState, c: import("../controller.js").Controller, t: import("./html.js").T}} p */
export function ScriptFrame({ state, c, t }) {
  const frame = useRef(/** @type {HTMLIFrameElement | null} */ (null));
  const url = currentScriptUrl(state);
  useEffect(() => {
    c.scriptHost?.attach(frame.current, url);
  }, [url, frame.current]);
  if (!url) return html`<div class="script-empty muted" data-testid="script-empty">${t("script.none")}</div>`;
  return html`<iframe ref=${frame} class="script" title=${t("script.title")} src=${url} data-testid="script-frame"
    sandbox="allow-scripts allow-forms allow-same-origin allow-popups" referrerpolicy="no-referrer"
    allow="clipboard-write"></iframe>`;
}
