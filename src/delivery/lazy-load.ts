// Something loaded on first use — an AWS SDK module, or a client built from one — so that nodes never using a
// delivery never carry it. A load that succeeded is kept; one that failed is not: a transient failure of one
// import() (a file briefly unreadable mid-deploy, memory pressure) must cost one delivery attempt, not stop
// streaming, push sync or every sync trigger on this node until it restarts.
export class Lazy<T> {
  private readonly load: () => Promise<T>;
  private pending: Promise<T> | undefined;

  constructor(load: () => Promise<T>) {
    this.load = load;
  }

  /** The loaded value; callers arriving while a load is under way share it. */
  get(): Promise<T> {
    this.pending ??= (async () => this.load())().catch((error: unknown) => {
      this.pending = undefined;
      throw error;
    });
    return this.pending;
  }

  /** The load under way or done, if any was started (to close what was loaded, and only that). */
  started(): Promise<T> | undefined {
    return this.pending;
  }
}
