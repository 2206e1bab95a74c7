// Binds the script page's API (scriptapi.js) to the frame, the window's messages and the
// controller: the script's calls become the operator's actions, the agency's events go to it.
import { activeCall } from "./calls.js";
import { hotkey } from "./ui/hotkeys.js";
import { ScriptApi, originOf } from "./scriptapi.js";

/** Drop absent values (ACP fields are optional, never null). @param {Record<string, any>} data */
function clean(data) {
  return Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined && v !== null && v !== ""));
}

/** @param {import("./controller.js").Controller} c @returns {Record<string, (p: any) => any>} */
function handlers(c) {
  const act = (/** @type {string} */ name, /** @type {any} */ data = {}) => c.act(name, clean(data));
  return {
    getState: () => {
      const s = c.store.get();
      return { operator: s.operator, mode: s.session?.mode, state: s.session?.state, reason: s.session?.reason ?? null,
        autoAnswer: s.session?.autoAnswer ?? false, task: s.session?.task ?? null, calls: s.calls };
    },
    setMode: (p) => act("set_mode", { mode: p.mode, topic: p.topic }),
    setState: (p) => act("set_state", { state: p.state, reason: p.reason }),
    call: (p) => c.dial(p.number, p.topic ?? undefined),
    answer: () => {
      if (!c.answer()) throw Object.assign(new Error("no call is ringing"), { code: "not_allowed" });
    },
    hangup: (p) => c.hangup(p.callId ?? undefined),
    hold: (p) => act("hold", { call_id: p.callId }),
    unhold: (p) => act("unhold", { call_id: p.callId }),
    transfer: (p) => act("transfer_blind", { number: p.number, call_id: p.callId }),
    consult: (p) => act("transfer_consult", { number: p.number, call_id: p.callId }),
    completeTransfer: () => act("transfer_complete"),
    cancelTransfer: () => act("transfer_cancel"),
    conference: (p) => act("conference", { number: p.number }),
    dtmf: (p) => act("dtmf", { digits: p.digits, call_id: p.callId ?? activeCall(c.store.get().calls)?.callId }),
    setAutoAnswer: (p) => c.setAutoAnswer(p.enabled),
    startTask: (p) => act("task_start", { project: p.project, activity: p.activity }),
    finishTask: () => act("task_finish"),
    hotkey: (p) => {
      hotkey(p.key, null, c.store.get(), c);
    },
  };
}

export class ScriptHost {
  /** @param {import("./controller.js").Controller} controller @param {Window} win */
  constructor(controller, win) {
    /** @type {HTMLIFrameElement | null} */
    this.frame = null;
    this.base = win.location.href;
    this.api = new ScriptApi({
      post: (msg, origin) => this.frame?.contentWindow?.postMessage(msg, origin),
      source: () => this.frame?.contentWindow ?? null,
      handlers: handlers(controller),
    });
    win.addEventListener("message", (ev) => {
      this.api.receive(ev);
    });
    controller.events.on(({ name, data }) => this.api.emit(name, data));
  }

  /** @param {HTMLIFrameElement | null} frame @param {string | null} url */
  attach(frame, url) {
    this.frame = frame;
    this.api.setOrigin(frame && url ? originOf(url, this.base) : null);
  }
}
