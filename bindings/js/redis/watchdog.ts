/**
 * Deadlines for calls in flight, with one timer for all of them instead of one per call: the
 * timer ticks every quarter of the timeout while calls are pending, so a call that gets no
 * reply is rejected between `timeout` and `1.25 × timeout` after it was sent.
 *
 * @module
 */

interface Pending {
  deadline: number;
  reject: (error: Error) => void;
  /** What the call was, for the error that says it got no reply. */
  operation: string;
}

/** Rejects the calls it watches that outlive their timeout. */
export class Watchdog {
  readonly #timeout: number;
  readonly #late: (operation: string) => Error;
  readonly #pending = new Set<Pending>();
  #timer: ReturnType<typeof setInterval> | undefined;

  /** `late(operation)` is the error a call without a reply in time is rejected with. */
  constructor(timeout: number, late: (operation: string) => Error) {
    this.#timeout = timeout;
    this.#late = late;
  }

  /** `reply`, or a rejection with `late(operation)` when it has not settled within the timeout. */
  watch<T>(reply: Promise<T>, operation: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = { deadline: performance.now() + this.#timeout, reject, operation };
      this.#pending.add(entry);
      this.#arm();
      reply.then(
        (value) => {
          this.#pending.delete(entry);
          resolve(value);
        },
        (error: unknown) => {
          this.#pending.delete(entry);
          reject(error);
        },
      );
    });
  }

  #arm(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#tick(), Math.max(5, Math.ceil(this.#timeout / 4)));
    // Never keeps the process alive by itself.
    (this.#timer as { unref?: () => void }).unref?.();
  }

  #tick(): void {
    const now = performance.now();
    for (const entry of this.#pending) {
      if (entry.deadline <= now) {
        this.#pending.delete(entry);
        entry.reject(this.#late(entry.operation));
      }
    }
    if (this.#pending.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}
