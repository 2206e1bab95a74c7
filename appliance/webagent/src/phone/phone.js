// The WebRTC phone: JsSIP registered with the workplace's SIP account over the WebSocket the
// login result names. Calls are controlled by the agency (ACP); the phone answers, rejects,
// mutes and plays the remote audio.
import JsSIP from "jssip";

import { Emitter } from "../emitter.js";
import { ORIGINATE_WINDOW, answersByItself } from "./policy.js";

/**
 * @typedef {{ws_url: string, domain: string, username: string, password: string, display_name?: string}} SipAccount
 * @typedef {"off" | "connecting" | "registered" | "lost" | "failed"} PhoneStatus
 * @typedef {{session: any, number: string, name: string, answered: boolean}} Line
 */

const PC_CONFIG = { iceServers: [] };

export class Phone {
  /** @param {SipAccount} account @param {{stream: MediaStream}} mic @param {HTMLAudioElement} speaker */
  constructor(account, mic, speaker) {
    this.account = account;
    this.mic = mic;
    this.speaker = speaker;
    /** @type {PhoneStatus} */
    this.status = "off";
    /** @type {Line[]} */
    this.lines = [];
    this.autoAnswer = false;
    this.expectingUntil = 0;
    /** @type {Emitter<[PhoneStatus]>} */
    this.statusChanged = new Emitter();
    /** @type {Emitter<[Line[]]>} */
    this.linesChanged = new Emitter();
    /** @type {any} */
    this.ua = null;
  }

  start() {
    const socket = new JsSIP.WebSocketInterface(this.account.ws_url);
    const ua = new JsSIP.UA({
      sockets: [socket],
      uri: `sip:${this.account.username}@${this.account.domain}`,
      authorization_user: this.account.username,
      password: this.account.password,
      display_name: this.account.display_name || this.account.username,
      register: true,
      session_timers: false,
      connection_recovery_min_interval: 1,
      connection_recovery_max_interval: 15,
      user_agent: "Uzor webagent",
    });
    ua.on("connecting", () => this.setStatus(this.status === "registered" ? "lost" : "connecting"));
    ua.on("disconnected", () => this.setStatus("lost"));
    ua.on("registered", () => this.setStatus("registered"));
    ua.on("unregistered", () => this.status !== "off" && this.setStatus("lost"));
    ua.on("registrationFailed", () => this.setStatus("failed"));
    ua.on("newRTCSession", (/** @type {any} */ e) => e.originator === "remote" && this.onInvite(e));
    this.ua = ua;
    this.setStatus("connecting");
    ua.start();
  }

  /**
   * Register again now, instead of at the next turn of JsSIP's reconnection back-off (up to
   * 15 s between tries): the agency says the PBX unit is back, or the browser is online again.
   * The same UA and socket object is started afresh: stopping it closes the socket, clears
   * JsSIP's pending retry and drops a REGISTER still unanswered (one sent while Asterisk was
   * still booting was seen to stay so: JsSIP would wait 32 s for it, fail, and never try
   * again); starting it connects and registers. Calls the phone lists on a socket that is gone end with it; a
   * socket still connected with a call on it is kept and only a REGISTER is sent (not a second
   * one while one is under way). Nothing happens when registered or off.
   * @returns {boolean} whether a registration was started
   */
  recover() {
    const ua = this.ua;
    if (!ua || this.status === "off" || this.status === "registered") return false;
    if (ua.isConnected() && this.lines.length > 0) {
      ua.register();
    } else {
      ua.stop();
      ua.start();
    }
    return true;
  }

  /** @param {PhoneStatus} status */
  setStatus(status) {
    if (status === this.status) return;
    this.status = status;
    this.statusChanged.emit(status);
  }

  /** The next call to the workplace is the operator's own outbound call: answer it at once. */
  expectOriginate() {
    this.expectingUntil = Date.now() + ORIGINATE_WINDOW;
  }

  /** @param {any} e */
  onInvite(e) {
    const session = e.session;
    const from = session.remote_identity;
    /** @type {Line} */
    const line = { session, number: from?.uri?.user ?? "", name: from?.display_name ?? "", answered: false };
    this.lines = [...this.lines, line];
    session.on("peerconnection", (/** @type {any} */ ev) => this.attachAudio(ev.peerconnection));
    const drop = () => {
      this.lines = this.lines.filter((l) => l !== line);
      this.linesChanged.emit(this.lines);
    };
    session.on("ended", drop);
    session.on("failed", drop);
    session.on("confirmed", () => {
      line.answered = true;
      this.linesChanged.emit(this.lines);
    });
    this.linesChanged.emit(this.lines);
    const why = answersByItself({ autoAnswer: this.autoAnswer, expectingUntil: this.expectingUntil, now: Date.now() });
    if (why === "originate") this.expectingUntil = 0;
    if (why) this.answer(line);
  }

  /** @param {RTCPeerConnection} pc */
  attachAudio(pc) {
    pc.addEventListener("track", (ev) => {
      const stream = ev.streams[0] ?? new MediaStream([ev.track]);
      this.speaker.srcObject = stream;
      this.speaker.play().catch(() => {});
    });
  }

  /** The line ringing unanswered (at most one inbound). */
  ringingLine() {
    return this.lines.find((l) => !l.answered && !l.session.isEstablished()) ?? null;
  }

  /** @param {Line | null} [line] @returns {boolean} whether a call was answered */
  answer(line = this.ringingLine()) {
    if (!line || line.answered) return false;
    line.answered = true;
    line.session.answer({ mediaStream: this.mic.stream, pcConfig: PC_CONFIG });
    return true;
  }

  /** The answered line (the agency's call, or a call only the phone knows: a supervisor's listen). */
  answeredLine() {
    return this.lines.find((l) => l.answered) ?? null;
  }

  /** End the answered calls only the phone knows (no agency call to hang up). @returns {boolean} */
  hangupAnswered() {
    const answered = this.lines.filter((l) => l.answered);
    for (const line of answered) {
      try {
        line.session.terminate();
      } catch {
        // already ended
      }
    }
    return answered.length > 0;
  }

  /** Reject the ringing call (a call that was never answered). */
  reject() {
    const line = this.ringingLine();
    if (!line) return false;
    line.session.terminate({ status_code: 486 });
    return true;
  }

  /** End every call of the phone (logout). */
  hangupAll() {
    for (const line of this.lines) {
      try {
        line.session.terminate();
      } catch {
        // already ended
      }
    }
  }

  /** Inbound/outbound RTP packet counts of the calls (quality view, diagnostics). */
  async rtpStats() {
    let inbound = 0;
    let outbound = 0;
    for (const line of this.lines) {
      const pc = line.session.connection;
      if (!pc) continue;
      const report = await pc.getStats();
      report.forEach((/** @type {any} */ s) => {
        if (s.type === "inbound-rtp" && s.kind === "audio") inbound += s.packetsReceived ?? 0;
        if (s.type === "outbound-rtp" && s.kind === "audio") outbound += s.packetsSent ?? 0;
      });
    }
    return { inbound, outbound };
  }

  stop() {
    this.setStatus("off");
    this.hangupAll();
    try {
      this.ua?.stop();
    } catch {
      // not started
    }
    this.ua = null;
  }
}
