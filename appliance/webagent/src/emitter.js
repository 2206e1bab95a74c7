// A tiny typed-enough event emitter (works in the browser and in node's tests).

/** @template {any[]} A */
export class Emitter {
  constructor() {
    /** @type {Set<(...args: A) => void>} */
    this.listeners = new Set();
  }

  /** @param {(...args: A) => void} fn @returns {() => void} unsubscribe */
  on(fn) {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** @param {A} args */
  emit(...args) {
    for (const fn of [...this.listeners]) fn(...args);
  }
}
