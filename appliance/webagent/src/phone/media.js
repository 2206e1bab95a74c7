// The microphone (asked once at login) with an input gain, and the speaker's volume.

/** @typedef {{key: string}} MicError */

/**
 * Ask for the microphone; the stream sent on calls goes through a gain node so the operator's
 * input volume can be set. Throws {key} with the message key of a clear, blocking error.
 * @param {MediaDevices | undefined} devices @param {string} [deviceId]
 */
export async function openMicrophone(devices, deviceId) {
  if (!devices?.getUserMedia) throw { key: "err.mic_insecure" };
  /** @type {MediaStream} */
  let raw;
  try {
    raw = await devices.getUserMedia({
      audio: deviceId ? { deviceId: { exact: deviceId }, echoCancellation: true } : { echoCancellation: true },
    });
  } catch (err) {
    const name = /** @type {any} */ (err)?.name;
    if (name === "NotFoundError" || name === "OverconstrainedError") throw { key: "err.mic_missing" };
    throw { key: "err.mic_denied" };
  }
  return new Microphone(raw);
}

export class Microphone {
  /** @param {MediaStream} raw */
  constructor(raw) {
    this.raw = raw;
    this.muted = false;
    /** @type {AudioContext | null} */
    this.context = null;
    /** @type {GainNode | null} */
    this.gain = null;
    this.stream = raw;
    try {
      const context = new AudioContext();
      const source = context.createMediaStreamSource(raw);
      const gain = context.createGain();
      const out = context.createMediaStreamDestination();
      source.connect(gain).connect(out);
      this.context = context;
      this.gain = gain;
      this.stream = out.stream;
    } catch {
      // No Web Audio: the raw track is sent and the volume stays at 100 %.
    }
  }

  /** @param {number} value 0..1.5 */
  setVolume(value) {
    if (this.gain) this.gain.gain.value = value;
  }

  /** @param {boolean} muted */
  setMuted(muted) {
    this.muted = muted;
    for (const track of this.stream.getAudioTracks()) track.enabled = !muted;
  }

  resume() {
    this.context?.resume().catch(() => {});
  }

  stop() {
    for (const track of this.raw.getTracks()) track.stop();
    this.context?.close().catch(() => {});
  }
}

/** A ring tone made with Web Audio (no file to load): 1 s of two tones, 3 s of silence. */
export class RingTone {
  constructor() {
    /** @type {AudioContext | null} */
    this.context = null;
    /** @type {any} */
    this.timer = null;
    /** @type {string} */
    this.sinkId = "";
  }

  start() {
    if (this.timer) return;
    try {
      this.context ??= new AudioContext();
      this.context.resume().catch(() => {});
    } catch {
      return;
    }
    const ring = () => {
      const ctx = /** @type {AudioContext} */ (this.context);
      const gain = ctx.createGain();
      gain.gain.value = 0.08;
      gain.connect(ctx.destination);
      for (const freq of [440, 480]) {
        const osc = ctx.createOscillator();
        osc.frequency.value = freq;
        osc.connect(gain);
        osc.start();
        osc.stop(ctx.currentTime + 1);
      }
    };
    ring();
    this.timer = setInterval(ring, 4000);
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
  }
}
