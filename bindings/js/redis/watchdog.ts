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
  late: () => Error;
}

/** Rejects the calls it watches that outlive their timeout. */
export class Watchdog {
  readonly #timeout: number;
  readonly #pending = new Set<Pending>();
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(timeout: number) {
    this.#timeout = timeout;
  }

  /** `reply`, or a rejection with `late()` when it has not settled within the timeout. */
  watch<T>(reply: Promise<T>, late: () => Error): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = { deadline: performance.now() + this.#timeout, reject, late };
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
        entry.reject(entry.late());
      }
    }
    if (this.#pending.size === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }
}
