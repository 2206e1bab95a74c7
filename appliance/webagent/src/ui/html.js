// htm bound to Preact: templates as tagged strings, no JSX build step.
import { h } from "preact";
import htm from "htm";

export const html = htm.bind(h);

/** @typedef {import("../state.js").AppState} AppState */
/** @typedef {import("../controller.js").Controller} Controller */
/** @typedef {(key: string, params?: Record<string, string | number>) => string} T */
