// The dial window's phone book: the other operators logged in to the agency (ACP `colleagues`).
// Calling a colleague is dialling the colleague's workplace number.

export const COLLEAGUES_REFRESH_MS = 5000;

/** @typedef {{agent: string, name: string, workplace: string, mode: string, state: string, reason: string | null}} Colleague */

const DIALABLE = /^[0-9*#+]{1,32}$/;

/** The agency's answer as a list the window can trust (bad entries are left out). @param {any} result @returns {Colleague[]} */
export function parseColleagues(result) {
  const list = result && Array.isArray(result.colleagues) ? result.colleagues : [];
  return list
    .filter((/** @type {any} */ c) => c && typeof c.agent === "string" && typeof c.workplace === "string"
      && DIALABLE.test(c.workplace) && typeof c.state === "string")
    .map((/** @type {any} */ c) => ({
      agent: c.agent, name: typeof c.name === "string" ? c.name : "", workplace: c.workplace,
      mode: String(c.mode ?? ""), state: c.state, reason: typeof c.reason === "string" ? c.reason : null,
    }));
}

/** The state as the state pill shows it (an outbound pause is its own state). @param {Colleague} c */
export function colleagueState(c) {
  return c.state === "pause" && c.reason === "outbound" ? "outbound_pause" : c.state;
}
