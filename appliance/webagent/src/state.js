// The shape of the app's state and its starting value.

/**
 * @typedef {import("./session.js").Session} Session
 * @typedef {import("./calls.js").Call} Call
 * @typedef {import("./i18n/index.js").Lang} Lang
 * @typedef {{key: string, params?: Record<string, string | number>}} Text
 * @typedef {{code: string, name: string, names?: Record<string, string>, max_seconds?: number | null}} WorkCode
 * @typedef {{
 *   phase: "login" | "starting" | "working" | "ended",
 *   lang: Lang,
 *   host: string, hostValid: boolean, mac: string,
 *   loginBusy: boolean, loginError: Text | null,
 *   operator: {agent: string, name: string} | null,
 *   groups: {name: string, description: string}[],
 *   topics: {prefix: string, description: string, script_url: string | null}[],
 *   pauseReasons: WorkCode[],
 *   dispositions: WorkCode[],
 *   dispositionRequired: boolean,
 *   outboundTopic: string,
 *   session: Session | null,
 *   calls: Call[],
 *   acp: import("./acp/client.js").LinkStatus,
 *   phone: import("./phone/phone.js").PhoneStatus,
 *   phoneRinging: {number: string, name: string} | null,
 *   phoneTalking: {number: string, name: string, since: number} | null,
 *   muted: boolean,
 *   ended: Text | null,
 *   notice: Text | null,
 *   warning: Text | null,
 *   maintenance: string | null,
 *   supervisorMessage: {text: string, from: string} | null,
 *   recent: import("./recent.js").RecentCall[],
 *   colleagues: import("./colleagues.js").Colleague[],
 *   pending: string | null,
 *   panel: "none" | "dial" | "keypad" | "help" | "settings",
 *   lastCall: import("./calls.js").Call | null,
 *   micVolume: number, speakerVolume: number,
 *   now: number,
 * }} AppState
 */

/** @param {{host: string, hostValid: boolean, mac: string, lang: Lang, now: number}} p @returns {AppState} */
export function initialState(p) {
  return {
    phase: "login", lang: p.lang, host: p.host, hostValid: p.hostValid, mac: p.mac,
    loginBusy: false, loginError: null, operator: null, groups: [], topics: [],
    pauseReasons: [], dispositions: [], dispositionRequired: false,
    outboundTopic: "", session: null, calls: [], acp: "idle", phone: "off", phoneRinging: null, phoneTalking: null,
    muted: false, ended: null, notice: null, warning: null, maintenance: null,
    supervisorMessage: null, recent: [], colleagues: [], pending: null, panel: "none",
    lastCall: null, micVolume: 1, speakerVolume: 1, now: p.now,
  };
}
