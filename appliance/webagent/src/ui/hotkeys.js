// Keyboard: F3 answers, F4 hangs up, ? shows the help, Escape closes a window.
import { activeCall } from "../calls.js";

/**
 * Run the hotkey; true when the key was ours.
 * @param {string} key @param {EventTarget | null} target
 * @param {import("../state.js").AppState} state @param {import("../controller.js").Controller} c
 */
export function hotkey(key, target, state, c) {
  if (state.phase !== "working") return false;
  if (key === "F3") {
    c.answer();
    return true;
  }
  if (key === "F4") {
    if (activeCall(state.calls) || state.phoneRinging || state.phoneTalking) c.hangup();
    return true;
  }
  if (key === "Escape" && state.panel !== "none") {
    c.store.set({ panel: "none" });
    return true;
  }
  const typing = target instanceof HTMLElement && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
  if (key === "?" && !typing) {
    c.store.set({ panel: state.panel === "help" ? "none" : "help" });
    return true;
  }
  return false;
}
