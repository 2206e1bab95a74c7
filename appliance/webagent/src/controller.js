// The workplace's controller: logs in over ACP, starts the phone, keeps the store in step with
// the agency's events and turns the operator's commands into ACP actions.
import { AcpClient, AcpError } from "./acp/client.js";
import { activeCall, applyCallEvent, reconcileCalls, ringingCall } from "./calls.js";
import { actionError, loginError } from "./errors.js";
import { openMicrophone, RingTone } from "./phone/media.js";
import { Phone } from "./phone/phone.js";
import { addRecent, parseRecent, recentKey } from "./recent.js";
import { parseColleagues } from "./colleagues.js";
import { sessionFromSnapshot } from "./session.js";
import { Emitter } from "./emitter.js";
import { translate } from "./i18n/index.js";

const SESSION_KEY = "uzor.session";
const SNAPSHOT_EVENTS = new Set(["set_mode", "set_state", "task_start", "task_finish"]);

export class Controller {
  /**
   * @param {import("./store.js").Store<import("./state.js").AppState>} store
   * @param {{acpUrl: string, speaker: HTMLAudioElement, storage: Storage, session: Storage}} env
   */
  constructor(store, env) {
    this.store = store;
    this.env = env;
    this.acp = new AcpClient({ url: env.acpUrl });
    /** @type {Phone | null} */
    this.phone = null;
    /** @type {import("./phone/media.js").Microphone | null} */
    this.mic = null;
    this.ring = new RingTone();
    /** @type {{attach: (frame: HTMLIFrameElement | null, url: string | null) => void} | null} the script page's API */
    this.scriptHost = null;
    /** @type {Emitter<[{name: string, data: any}]>} every ACP event, for the script page */
    this.events = new Emitter();
    /** @type {import("./state.js").Text | null} the notice that the PBX is unreachable (cleared when it is back) */
    this.pbxNotice = null;
    this.acp.statusChanged.on((acp) => this.store.set({ acp }));
    this.acp.messages.on((msg) => this.onMessage(msg));
    this.acp.resumed.on((result) => {
      this.keepSession(String(result.operator?.agent ?? ""), result.resume);
      this.applyLogin(result);
      this.phone?.recover(); // the link to the server is back: the PBX may be too
    });
    this.acp.resumeFailed.on((err) => this.resumeRefused(err));
  }

  /** Resume the tab's session after a reload, if it had one (with its resume token; the
   * password is never kept). */
  async resume() {
    const saved = this.env.session.getItem(SESSION_KEY);
    if (!saved) return;
    let agent, token;
    try {
      ({ agent, token } = JSON.parse(saved));
    } catch {
      // not ours
    }
    if (typeof agent !== "string" || typeof token !== "string" || !token) {
      this.env.session.removeItem(SESSION_KEY); // e.g. an older page's {agent, password}
      return;
    }
    await this.login(agent, { resume: token });
  }

  /**
   * Log in with the password (the login form) or the session's resume token (a reload).
   * @param {string} agent @param {string | {resume: string}} secret
   */
  async login(agent, secret) {
    const { host, mac, lang } = this.store.get();
    const proof = typeof secret === "string" ? { password: secret } : secret;
    this.store.set({ loginBusy: true, loginError: null });
    let result;
    try {
      await withTimeout(this.acp.connect(), 10000);
      result = await this.acp.login({ agent, ...proof, workplace: host, lang });
    } catch (err) {
      const e = err instanceof AcpError ? err : new AcpError("disconnected", String(err));
      if (this.acp.credentials === null) this.acp.close();
      // a refused token never comes back: the operator logs in with the password (a link that
      // failed keeps it for the next reload)
      if ("resume" in proof && e.code === "login_failed") this.env.session.removeItem(SESSION_KEY);
      this.store.set({ loginBusy: false, loginError: loginError(e, mac) });
      return;
    }
    try {
      this.mic ??= await openMicrophone(navigator.mediaDevices);
    } catch (err) {
      await this.acp.logout().catch(() => {});
      this.store.set({ loginBusy: false, loginError: { key: /** @type {any} */ (err).key } });
      return;
    }
    this.keepSession(agent, result.resume);
    askNotifications();
    this.restoreVolumes();
    this.applyLogin(result);
    this.startPhone(result.sip);
    this.store.set({ loginBusy: false, phase: "working" });
  }

  /** The tab keeps what resumes its session after a reload: the agent and the session's resume
   * token (never the password). @param {string} agent @param {unknown} token */
  keepSession(agent, token) {
    if (typeof token === "string" && token) this.env.session.setItem(SESSION_KEY, JSON.stringify({ agent, token }));
    else this.env.session.removeItem(SESSION_KEY);
  }

  /** The agency refused to resume the session after a reconnect: back to the login form, with
   * why (the password is asked; nothing is retried by itself). @param {AcpError} err */
  resumeRefused(err) {
    this.end(null);
    this.store.set({ loginError: loginError(err, this.store.get().mac) });
  }

  /** @param {any} result */
  applyLogin(result) {
    const now = Date.now();
    const old = this.store.get();
    const session = sessionFromSnapshot(result.session, now, old.session);
    const topics = Array.isArray(result.outbound_topics) ? result.outbound_topics : [];
    const agent = String(result.operator?.agent ?? "");
    this.store.set({
      operator: { agent, name: String(result.operator?.name ?? "") },
      groups: result.groups ?? [], topics, session, ...workCodes(result),
      calls: reconcileCalls(old.calls, result.session?.calls, now),
      outboundTopic: old.outboundTopic || topics[0]?.prefix || "",
      colleagues: [],
      recent: parseRecent(this.env.storage.getItem(recentKey(old.mac, agent)) ?? "[]"),
    });
    if (this.phone) this.phone.autoAnswer = session.autoAnswer;
    this.events.emit({ name: "session", data: result.session });
  }

  /** @param {import("./phone/phone.js").SipAccount} sip */
  startPhone(sip) {
    if (!this.mic) return;
    this.phone?.stop();
    const phone = new Phone(sip, this.mic, this.env.speaker);
    phone.autoAnswer = this.store.get().session?.autoAnswer ?? false;
    phone.statusChanged.on((status) => this.store.set({ phone: status }));
    phone.linesChanged.on(() => this.onLines());
    this.phone = phone;
    phone.start();
  }

  onLines() {
    const line = this.phone?.ringingLine() ?? null;
    const talking = this.phone?.answeredLine() ?? null;
    const since = this.store.get().phoneTalking?.since ?? Date.now();
    this.store.set({
      phoneRinging: line ? { number: line.number, name: line.name } : null,
      phoneTalking: talking ? { number: talking.number, name: talking.name, since } : null,
    });
    this.updateRinging();
  }

  /** @param {import("./acp/client.js").AcpMessage} msg */
  onMessage(msg) {
    const now = Date.now();
    const data = msg.data ?? {};
    this.events.emit({ name: msg.name, data });
    const s = this.store.get();
    if (msg.name === "state_changed") {
      this.store.set({ session: sessionFromSnapshot(data, now, s.session), calls: reconcileCalls(s.calls, data.calls, now), warning: null });
      if (this.phone && this.store.get().session) this.phone.autoAnswer = /** @type {any} */ (this.store.get().session).autoAnswer;
    } else if (msg.name === "logged_out") {
      const key = data.reason === "replaced" ? "banner.replaced" : "banner.logged_out";
      this.end({ key, params: { message: String(data.message ?? data.reason) } });
      return;
    } else if (msg.name === "work_codes") {
      this.store.set(workCodes(data));
    } else if (msg.name === "maintenance") {
      this.store.set({ maintenance: data.active ? String(data.message ?? "") : null });
    } else if (msg.name === "pause_expiring") {
      this.store.set({ warning: { key: "banner.pause_expiring", params: { seconds: Math.round(data.seconds_left) } } });
    } else if (msg.name === "message") {
      this.store.set({ supervisorMessage: { text: String(data.text), from: String(data.from ?? "") } });
    } else if (msg.name === "license" || msg.name === "pbx_unavailable") {
      const notice = { key: "err.generic", params: { message: String(data.message ?? "") } };
      this.pbxNotice = msg.name === "pbx_unavailable" ? notice : null;
      this.store.set({ notice });
    } else if (msg.name === "pbx_available") {
      this.pbxBack();
    } else {
      this.store.set({ calls: applyCallEvent(s.calls, msg, now) });
    }
    // the first call's data (and script) stay through wrap-up, until the next call
    const first = this.store.get().calls.find((x) => !x.consult);
    if (first && first !== this.store.get().lastCall) this.store.set({ lastCall: first });
    this.updateRinging();
  }

  /** The PBX unit is back (the agency's `pbx_available`): its notice goes, and the phone
   * registers now if it is not registered, instead of waiting out JsSIP's back-off. */
  pbxBack() {
    if (this.pbxNotice && this.store.get().notice === this.pbxNotice) this.store.set({ notice: null });
    this.pbxNotice = null;
    this.phone?.recover();
  }

  /** The browser is online again: the links try now instead of at their back-off's next turn. */
  online() {
    this.acp.retryNow();
    this.phone?.recover();
  }

  updateRinging() {
    const { calls, phoneRinging, lang } = this.store.get();
    const ringing = ringingCall(calls);
    if (!ringing && !phoneRinging) lastNotified = "";
    if (ringing || phoneRinging) {
      this.ring.start();
      notifyInBackground(ringing?.number ?? phoneRinging?.number ?? "", lang);
    } else this.ring.stop();
  }

  /** Send an action; a refusal shows the agency's reason. @param {string} name @param {any} [data] */
  async act(name, data = {}) {
    this.store.set({ pending: name, notice: null });
    try {
      const result = await this.acp.request(name, data);
      if (SNAPSHOT_EVENTS.has(name)) {
        const s = this.store.get();
        this.store.set({ session: sessionFromSnapshot(result, Date.now(), s.session), calls: reconcileCalls(s.calls, result.calls, Date.now()) });
      }
      return result;
    } catch (err) {
      const e = err instanceof AcpError ? err : new AcpError("internal", String(err));
      this.store.set({ notice: actionError(e) });
      throw e;
    } finally {
      this.store.set({ pending: null });
    }
  }

  /** F3: answer the ringing call. */
  answer() {
    this.mic?.resume();
    return this.phone?.answer() ?? false;
  }

  /** F4: hang up (reject a call still ringing here). @param {string} [callId] */
  async hangup(callId) {
    const call = callId ? this.store.get().calls.find((c) => c.callId === callId) : activeCall(this.store.get().calls);
    if ((!call || call.state === "ringing") && this.phone?.reject()) return;
    if (call) await this.act("hangup", { call_id: call.callId }).catch(() => {});
    else this.phone?.hangupAnswered(); // a call the agency does not know (a supervisor's listen)
  }

  /** The phone book of the dial window; a failure keeps the last list (the next refresh retries). */
  async loadColleagues() {
    try {
      this.store.set({ colleagues: parseColleagues(await this.acp.request("colleagues", {})) });
    } catch {
      // the link banner already says when the agency is unreachable
    }
  }

  /** @param {string} number @param {string} [topic] */
  async dial(number, topic) {
    const chosen = topic || this.store.get().outboundTopic;
    this.phone?.expectOriginate();
    const result = await this.act("dial", chosen ? { number, topic: chosen } : { number });
    const s = this.store.get();
    const recent = addRecent(s.recent, { number, topic: chosen, at: Date.now() });
    this.env.storage.setItem(recentKey(s.mac, s.operator?.agent ?? ""), JSON.stringify(recent));
    this.store.set({ recent, panel: "none" });
    return result;
  }

  /** @param {boolean} enabled */
  async setAutoAnswer(enabled) {
    await this.act("auto_answer", { enabled });
    const session = this.store.get().session;
    if (session) this.store.set({ session: { ...session, autoAnswer: enabled } });
    if (this.phone) this.phone.autoAnswer = enabled;
  }

  /** @param {boolean} muted */
  setMuted(muted) {
    this.mic?.setMuted(muted);
    this.store.set({ muted });
  }

  /** @param {number} value */
  setMicVolume(value) {
    this.mic?.setVolume(value);
    this.store.set({ micVolume: value });
    this.saveVolumes();
  }

  /** @param {number} value */
  setSpeakerVolume(value) {
    this.env.speaker.volume = Math.min(1, Math.max(0, value));
    this.store.set({ speakerVolume: value });
    this.saveVolumes();
  }

  /** The volumes are remembered per workplace. */
  saveVolumes() {
    const { mac, micVolume, speakerVolume } = this.store.get();
    this.env.storage.setItem(`uzor.volume.${mac}`, JSON.stringify({ micVolume, speakerVolume }));
  }

  restoreVolumes() {
    try {
      const saved = JSON.parse(this.env.storage.getItem(`uzor.volume.${this.store.get().mac}`) ?? "{}");
      const clamp = (/** @type {unknown} */ v, /** @type {number} */ max) => (typeof v === "number" && v >= 0 && v <= max ? v : 1);
      this.mic?.setVolume(clamp(saved.micVolume, 1.5));
      this.env.speaker.volume = clamp(saved.speakerVolume, 1);
      this.store.set({ micVolume: clamp(saved.micVolume, 1.5), speakerVolume: clamp(saved.speakerVolume, 1) });
    } catch {
      // nothing remembered
    }
  }

  async logout() {
    this.env.session.removeItem(SESSION_KEY);
    await this.acp.logout().catch(() => {});
    this.end(null);
  }

  /** The session is over here: stop the phone and the link, keep the page. @param {import("./state.js").Text | null} why */
  end(why) {
    this.env.session.removeItem(SESSION_KEY);
    this.acp.credentials = null;
    this.acp.close();
    this.phone?.stop();
    this.phone = null;
    this.ring.stop();
    this.store.set({ phase: why ? "ended" : "login", ended: why, session: null, calls: [], lastCall: null, phone: "off", phoneRinging: null, phoneTalking: null });
  }
}

/** @param {Promise<any>} promise @param {number} ms */
function withTimeout(promise, ms) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new AcpError("timeout", "timeout")), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * The pause reasons and dispositions offered (login.result, the work_codes notification).
 * @param {any} data
 */
export function workCodes(data) {
  return {
    pauseReasons: Array.isArray(data.pause_reasons) ? data.pause_reasons : [],
    dispositions: Array.isArray(data.dispositions) ? data.dispositions : [],
    dispositionRequired: data.disposition_required === true,
  };
}

/** Ask once (the login click is the user gesture) to notify ringing calls in the background. */
function askNotifications() {
  try {
    if (typeof Notification !== "undefined" && Notification.permission === "default") {
      Notification.requestPermission().catch(() => {});
    }
  } catch {
    // not available here
  }
}

let lastNotified = "";
/** @param {string} number @param {string} lang */
function notifyInBackground(number, lang) {
  if (typeof document === "undefined" || !document.hidden || lastNotified === number) return;
  lastNotified = number;
  if (typeof Notification === "undefined" || Notification.permission !== "granted") return;
  const text = translate(lang === "ru" ? "ru" : "en", "notify.ringing", { number });
  try {
    new Notification("Uzor", { body: text, tag: "uzor-ringing" });
  } catch {
    // notifications not available in this context
  }
}
