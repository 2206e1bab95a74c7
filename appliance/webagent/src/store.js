// The app's state store: one immutable state object, shallow updates, subscribers.

/** @template S */
export class Store {
  /** @param {S} initial */
  constructor(initial) {
    this.state = initial;
    /** @type {Set<(s: S) => void>} */
    this.subscribers = new Set();
  }

  get() {
    return this.state;
  }

  /** @param {Partial<S> | ((s: S) => Partial<S>)} patch */
  set(patch) {
    const change = typeof patch === "function" ? patch(this.state) : patch;
    this.state = { ...this.state, ...change };
    for (const fn of [...this.subscribers]) fn(this.state);
  }

  /** @param {(s: S) => void} fn @returns {() => void} */
  subscribe(fn) {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }
}
