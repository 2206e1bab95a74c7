// Entry point: read the address, build the store and the controller, render, resume.
import { render } from "preact";

import { readConfig, formatMac } from "./config.js";
import { Controller } from "./controller.js";
import { pickLang } from "./i18n/index.js";
import { ScriptHost } from "./scripthost.js";
import { initialState } from "./state.js";
import { Store } from "./store.js";
import { App } from "./ui/app.js";
import { html } from "./ui/html.js";

const config = readConfig(window.location);
let saved = null;
try {
  saved = localStorage.getItem("uzor.lang");
} catch {
  // storage blocked: the browser's language decides
}
const lang = pickLang(config.lang ?? saved, navigator.languages ?? [navigator.language]);
const store = new Store(initialState({ host: config.host, hostValid: config.hostValid, mac: formatMac(config.host), lang, now: Date.now() }));
const speaker = new Audio();
speaker.autoplay = true;
const controller = new Controller(store, { acpUrl: config.acpUrl, speaker, storage: localStorage, session: sessionStorage });
controller.scriptHost = new ScriptHost(controller, window);
setInterval(() => store.set({ now: Date.now() }), 1000);

const root = document.getElementById("app");
if (root) render(html`<${App} store=${store} controller=${controller} />`, root);
if (config.hostValid) controller.resume();
window.addEventListener("online", () => controller.online());

// Diagnostics for support and the browser tests: RTP packet counts of the current calls.
/** @type {any} */ (window).uzorDiagnostics = {
  rtpStats: () => controller.phone?.rtpStats() ?? Promise.resolve({ inbound: 0, outbound: 0 }),
  state: () => store.get(),
  lines: () => controller.phone?.lines.map((l) => ({ answered: l.answered, established: l.session.isEstablished(), pc: !!l.session.connection })) ?? [],
  micEnabled: () => controller.mic?.stream.getAudioTracks().every((t) => t.enabled) ?? null,
};
