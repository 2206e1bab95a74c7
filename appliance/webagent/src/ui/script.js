// The main area: the topic's script page in a sandboxed frame, given the call's data; it stays
// through wrap-up (the last call's script) until the next call.
import { useEffect, useRef } from "preact/hooks";

import { activeCall } from "../calls.js";
import { scriptUrlWithCall } from "../scriptapi.js";
import { html } from "./html.js";

/** The script for now: the active (else the last) call's topic script, else in Outbound mode
 * the chosen outbound topic's. @param {import("../state.js").AppState} state */
export function currentScript(state) {
  const mode = state.session?.mode;
  if (mode === "offline") return null;
  const topicScript = (/** @type {string} */ prefix) => state.topics.find((tp) => tp.prefix === prefix)?.script_url ?? null;
  const scriptOf = (/** @type {import("../calls.js").Call} */ call) =>
    call.scriptUrl ?? (call.direction === "outbound" ? topicScript(call.topic) : null);
  const active = activeCall(state.calls);
  if (active && scriptOf(active)) return { url: /** @type {string} */ (scriptOf(active)), call: active };
  if (mode === "outbound" && !active && topicScript(state.outboundTopic)) {
    return { url: /** @type {string} */ (topicScript(state.outboundTopic)), call: null };
  }
  const last = state.lastCall;
  if (!active && last && scriptOf(last)) return { url: /** @type {string} */ (scriptOf(last)), call: last };
  return null;
}

/** @param {{state: import("../state.js").AppState, c: import("../controller.js").Controller, t: import("./html.js").T}} p */
export function ScriptFrame({ state, c, t }) {
  const frame = useRef(/** @type {HTMLIFrameElement | null} */ (null));
  const script = currentScript(state);
  let src = null;
  try {
    src = script ? scriptUrlWithCall(script.url, location.href, script.call, state.operator?.agent ?? "") : null;
  } catch {
    src = null;
  }
  // A script on the app's own origin would escape the sandbox with allow-same-origin: it runs
  // without it (an opaque origin), and the API, which needs to know the origin, stays closed.
  const sameOrigin = !!src && new URL(src).origin === location.origin;
  useEffect(() => {
    c.scriptHost?.attach(frame.current, sameOrigin ? null : src);
  }, [src]);
  if (!src) return html`<div class="script-empty muted" data-testid="script-empty">${t("script.none")}</div>`;
  return html`<iframe ref=${frame} class="script" title=${t("script.title")} src=${src} data-testid="script-frame"
    sandbox=${sameOrigin ? "allow-scripts allow-forms allow-popups" : "allow-scripts allow-forms allow-same-origin allow-popups"} referrerpolicy="no-referrer"
    allow="clipboard-write"></iframe>`;
}
