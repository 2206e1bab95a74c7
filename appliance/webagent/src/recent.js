// The operator's recent outbound calls, remembered in the browser per workplace and agent.

export const RECENT_MAX = 20;

/** @typedef {{number: string, topic: string, at: number}} RecentCall */

/** @param {RecentCall[]} list @param {RecentCall} call @returns {RecentCall[]} */
export function addRecent(list, call) {
  return [call, ...list.filter((c) => c.number !== call.number)].slice(0, RECENT_MAX);
}

/** @param {string} text @returns {RecentCall[]} */
export function parseRecent(text) {
  try {
    const list = JSON.parse(text);
    if (!Array.isArray(list)) return [];
    return list
      .filter((c) => c && typeof c.number === "string" && /^[0-9*#+]{1,32}$/.test(c.number))
      .map((c) => ({ number: c.number, topic: String(c.topic ?? ""), at: Number(c.at) || 0 }))
      .slice(0, RECENT_MAX);
  } catch {
    return [];
  }
}

/** @param {string} workplace @param {string} agent */
export function recentKey(workplace, agent) {
  return `uzor.recent.${workplace}.${agent}`;
}
