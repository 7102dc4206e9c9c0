/**
 * Deadlines for calls in flight, with one timer for all of them instead of one per call: the
 * timer ticks every eighth of the timeout while calls are pending, so a call that gets no
 * reply is rejected between `timeout` and `1.25 × timeout` after it was sent.
 *
 * Calls are kept in batches, one per interval between two ticks, and the clock is read once
 * per tick rather than once per call: a batch closed at a tick is given up at the first tick at
 * least `timeout` later, so each of its calls has waited at least that long, and at most an
 * eighth (the batch's interval) plus an eighth (the tick after the deadline) longer. A call
 * that settles only marks its entry; the batch goes when it is given up, or when nothing of it
 * is left in flight and the timer stops.
 *
 * @module
 */

interface Pending {
  /** How to give the call up; `undefined` once it has settled or been given up. */
  reject: ((error: Error) => void) | undefined;
  /** What the call was, for the error that says it got no reply. */
  operation: string;
}

/** The calls sent between two ticks, and when the later tick closed the batch. */
interface Batch {
  closedAt: number;
  calls: Pending[];
}

/** Rejects the calls it watches that outlive their timeout. */
export class Watchdog {
  readonly #timeout: number;
  readonly #late: (operation: string) => Error;
  /** The calls sent since the last tick. */
  #open: Pending[] = [];
  /** The batches closed by earlier ticks, oldest first. */
  #closed: Batch[] = [];
  /** How many watched calls have not settled. */
  #inFlight = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** `late(operation)` is the error a call without a reply in time is rejected with. */
  constructor(timeout: number, late: (operation: string) => Error) {
    this.#timeout = timeout;
    this.#late = late;
  }

  /** `reply`, or a rejection with `late(operation)` when it has not settled within the timeout. */
  watch<T>(reply: Promise<T>, operation: string): Promise<T> {
    if (this.#timer === undefined) this.#arm();
    this.#inFlight++;
    return new Promise<T>((resolve, reject) => {
      const entry: Pending = { reject, operation };
      this.#open.push(entry);
      reply.then(
        (value) => {
          if (this.#settle(entry)) resolve(value);
        },
        (error: unknown) => {
          if (this.#settle(entry)) reject(error);
        },
      );
    });
  }

  /**
   * Marks `entry` settled, letting go of its call (a batch keeps only this small record until
   * the batch goes); `false` when it already was.
   */
  #settle(entry: Pending): boolean {
    if (entry.reject === undefined) return false;
    entry.reject = undefined;
    this.#inFlight--;
    return true;
  }

  #arm(): void {
    this.#timer = setInterval(() => this.#tick(), Math.max(5, Math.floor(this.#timeout / 8)));
    // Never keeps the process alive by itself.
    (this.#timer as { unref?: () => void }).unref?.();
  }

  #tick(): void {
    const now = performance.now();
    if (this.#open.length > 0) {
      this.#closed.push({ closedAt: now, calls: this.#open });
      this.#open = [];
    }
    const closed = this.#closed;
    while (closed.length > 0 && closed[0].closedAt + this.#timeout <= now) {
      for (const entry of (closed.shift() as Batch).calls) {
        const reject = entry.reject;
        if (reject !== undefined && this.#settle(entry)) reject(this.#late(entry.operation));
      }
    }
    if (this.#inFlight === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      this.#closed = [];
    }
  }
}
