// One holder at a time for the embedded connection, first come first served. The lock is handed straight to
// the next waiter on release, so no newcomer can slip in between two queued transactions.
export class ConnectionLock {
  #held = false;
  readonly #waiters: Array<() => void> = [];

  /** Nobody holds the connection: synchronous work may run on it now, since nothing can interleave with it. */
  get idle(): boolean {
    return !this.#held;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#held) await new Promise<void>((resolve) => this.#waiters.push(resolve));
    else this.#held = true;
    try {
      return await work();
    } finally {
      const next = this.#waiters.shift();
      if (next) next();
      else this.#held = false;
    }
  }
}
