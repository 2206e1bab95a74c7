// When the browser phone answers a call by itself.

/** How long after a dial the phone expects the agency's call to the workplace (ms). */
export const ORIGINATE_WINDOW = 60000;

/**
 * The agency places an operator's outbound call by first calling the workplace: that call is
 * answered at once. An inbound call is answered by itself only with auto-answer on.
 * @param {{autoAnswer: boolean, expectingUntil: number, now: number}} p
 */
export function answersByItself({ autoAnswer, expectingUntil, now }) {
  if (now <= expectingUntil) return "originate";
  if (autoAnswer) return "auto";
  return null;
}
