/**
 * Deadlines for calls in flight, with one timer for all of them instead of one per call: the
 * timer ticks every eighth of the timeout while calls are pending, so a call that gets no
 * reply is given up (rejected, or handed to its failure path) between `timeout` and
 * `1.25 × timeout` after it was sent.
 *
 * Calls are kept in batches, one per interval between two ticks, and the clock is read once
 * per tick rather than once per call: a batch closed at a tick is given up at the first tick at
 * least `timeout` later, so each of its calls has waited at least that long, and at most an
 * eighth (the batch's interval) plus an eighth (the tick after the deadline) longer.
 *
 * The calls in flight form one list in the order they were sent, so the batches follow each
 * other in it and a tick gives up calls from its head only. A call that settles leaves the list
 * at once: nothing of a settled call is kept, so a steady stream of calls leaves the garbage
 * collector nothing to carry over (a record kept until its batch's deadline would survive
 * young-generation collections for the whole timeout, and slow every one of them).
 *
 * @module
 */

/** The calls sent between two ticks share this: when the later tick closed their batch. */
interface Batch {
  /** `performance.now()` at the tick that closed the batch; `Infinity` while it is open. */
  closedAt: number;
}

/** A call in flight, a link of the watchdog's list. */
class Pending {
  previous: Pending | undefined = undefined;
  next: Pending | undefined = undefined;

  constructor(
    /** How the call's promise is settled, and what its rejection becomes. */
    readonly resolve: (value: unknown) => void,
    readonly reject: (error: unknown) => void,
    readonly failed: (error: unknown) => unknown,
    /** What the call was, for the error that says it got no reply. */
    readonly operation: string,
    readonly batch: Batch,
  ) {}
}

/** Settles a promise with `then(value)`, or rejects it with what `then` threw. */
function settle(resolve: (value: unknown) => void, reject: (error: unknown) => void, then: (value: unknown) => unknown, value: unknown): void {
  try {
    resolve(then(value));
  } catch (error) {
    reject(error);
  }
}

/**
 * The resolving functions of the promise made last: one executor for every call, so making the
 * promise allocates no closure of its own.
 */
const captured: { resolve: (value: unknown) => void; reject: (error: unknown) => void } = { resolve: () => {}, reject: () => {} };
function capture(resolve: (value: never) => void, reject: (error: unknown) => void): void {
  captured.resolve = resolve as (value: unknown) => void;
  captured.reject = reject;
}

const same = (value: unknown): unknown => value;
const rethrow = (error: unknown): never => {
  throw error;
};

/** Gives up the calls it watches that outlive their timeout. */
export class Watchdog {
  readonly #timeout: number;
  readonly #late: (operation: string) => Error;
  /** The batch of the calls sent since the last tick. */
  #open: Batch = { closedAt: Infinity };
  /** The oldest call in flight, and the newest. */
  #first: Pending | undefined;
  #last: Pending | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  /** `late(operation)` is the error a call without a reply in time is rejected with. */
  constructor(timeout: number, late: (operation: string) => Error) {
    this.#timeout = timeout;
    this.#late = late;
  }

  /** `reply`, or a rejection with `late(operation)` when it has not settled within the timeout. */
  watch<T>(reply: Promise<T>, operation: string): Promise<T> {
    return this.follow(reply, operation, same as (value: T) => T, rethrow);
  }

  /**
   * `reply.then(done, failed)`, except that `failed` gets `late(operation)` instead when the
   * reply has not settled within the timeout: one promise for the call, settled by the reply's
   * own reaction, not a promise that watches the reply and another that reads it.
   */
  follow<T, R>(reply: Promise<T>, operation: string, done: (value: T) => R, failed: (error: unknown) => R | Promise<R>): Promise<R> {
    if (this.#timer === undefined) this.#arm();
    const promise = new Promise<R>(capture);
    const entry = this.#add(captured.resolve, captured.reject, failed, operation);
    try {
      reply.then(
        (value) => {
          if (this.#remove(entry)) settle(entry.resolve, entry.reject, done as (value: unknown) => unknown, value);
        },
        (error: unknown) => {
          if (this.#remove(entry)) settle(entry.resolve, entry.reject, failed, error);
        },
      );
    } catch (error) {
      // A client whose reply is no promise: what it threw is the failure.
      if (this.#remove(entry)) settle(entry.resolve, entry.reject, failed, error);
    }
    return promise;
  }

  /** A new call at the end of the list, in the open batch. */
  #add(resolve: (value: unknown) => void, reject: (error: unknown) => void, failed: (error: unknown) => unknown, operation: string): Pending {
    const entry = new Pending(resolve, reject, failed, operation, this.#open);
    const last = this.#last;
    if (last === undefined) this.#first = entry;
    else {
      last.next = entry;
      entry.previous = last;
    }
    this.#last = entry;
    return entry;
  }

  /** Takes `entry` out of the list; `false` when it was out already (settled or given up). */
  #remove(entry: Pending): boolean {
    const { previous, next } = entry;
    if (previous === undefined && this.#first !== entry) return false;
    if (previous === undefined) this.#first = next;
    else previous.next = next;
    if (next === undefined) this.#last = previous;
    else next.previous = previous;
    entry.previous = undefined;
    entry.next = undefined;
    return true;
  }

  #arm(): void {
    this.#timer = setInterval(() => this.#tick(), Math.max(5, Math.floor(this.#timeout / 8)));
    // Never keeps the process alive by itself.
    (this.#timer as { unref?: () => void }).unref?.();
  }

  #tick(): void {
    const now = performance.now();
    if (this.#first === undefined) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      return;
    }
    this.#open.closedAt = now;
    this.#open = { closedAt: Infinity };
    for (let entry = this.#first; entry !== undefined && entry.batch.closedAt + this.#timeout <= now; entry = this.#first) {
      this.#remove(entry);
      settle(entry.resolve, entry.reject, entry.failed, this.#late(entry.operation));
    }
  }
}
