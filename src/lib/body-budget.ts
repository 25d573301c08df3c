/** One upload's share of a {@link BodyBudget}. */
export interface BodyHold {
  /** The most this upload may come to hold: its declared length, or the per-upload maximum. */
  claim: number;
  /** Bytes it holds now (its body as received so far). */
  held: number;
}

/**
 * Whether every holder can still finish: taking them in order of what they
 * still need, each one's need must fit in what is free once those before it
 * have finished and given back what they hold (the banker's algorithm).
 * A state that fails this could deadlock: every reader waiting for bytes
 * that only another waiting reader could free.
 */
function isSafe(holds: Iterable<BodyHold>, capacity: number): boolean {
  const all = [...holds];
  let free = capacity - all.reduce((sum, h) => sum + h.held, 0);
  if (free < 0) return false;
  const need = (h: BodyHold) => Math.max(0, h.claim - h.held);
  for (const h of all.sort((a, b) => need(a) - need(b))) {
    if (need(h) > free) return false;
    free += h.held;
  }
  return true;
}

/**
 * The bytes of request bodies one isolate may buffer at once, counted as they
 * arrive rather than by how many uploads are reading. A client that sends
 * slowly holds only what it has sent, so slow clients cannot keep a normal
 * upload from being read; a client that has sent a lot holds a lot, and the
 * total never passes `capacity` (plus at most one network chunk per reader,
 * which arrives before it can be refused).
 *
 * An upload {@link open}s a hold with its claim, asks {@link mayRead} before
 * each read, {@link record}s what it has received, and {@link release}s the
 * hold when its response is done (the body stays in memory while it is
 * processed). A read is allowed only if every holder could still finish
 * ({@link isSafe}), so partly read bodies never deadlock each other.
 *
 * Waiting is by polling on the waiter's own timer, as in workerd a promise
 * resolved from another request's context would not wake the waiter.
 */
export class BodyBudget {
  private readonly holds = new Set<BodyHold>();

  /**
   * @param capacity bytes all held bodies may add up to; every claim must be at most this.
   * @param pollMs how often a waiting reader checks again.
   */
  constructor(
    readonly capacity: number,
    private readonly pollMs = 10,
  ) {}

  /** Bytes held by all uploads now. */
  get used(): number {
    let sum = 0;
    for (const h of this.holds) sum += h.held;
    return sum;
  }

  /** Registers an upload that may come to hold `claim` bytes. */
  open(claim: number): BodyHold {
    if (claim > this.capacity) throw new RangeError(`claim ${claim} is over the capacity ${this.capacity}`);
    const hold = { claim, held: 0 };
    this.holds.add(hold);
    return hold;
  }

  /**
   * Resolves when `hold` may read up to `bytes` more (up to its claim) with
   * every holder still able to finish; polls until then. `onWait` is called
   * with the milliseconds spent waiting (0 when there was no wait), so a
   * reader's clock can leave them out: waiting for memory is not the client's fault.
   */
  async mayRead(hold: BodyHold, bytes: number, onWait?: (ms: number) => void): Promise<void> {
    const started = Date.now();
    const ahead = Math.min(bytes, Math.max(0, hold.claim - hold.held));
    for (;;) {
      hold.held += ahead;
      const safe = isSafe(this.holds, this.capacity);
      hold.held -= ahead;
      if (safe) break;
      await new Promise((resolve) => setTimeout(resolve, this.pollMs));
    }
    onWait?.(Date.now() - started);
  }

  /** Records that `hold` now holds `held` bytes; with `done`, it will hold no more (its claim shrinks to that). */
  record(hold: BodyHold, held: number, done = false): void {
    hold.held = held;
    if (done) hold.claim = held;
  }

  /** Gives back everything `hold` holds. */
  release(hold: BodyHold): void {
    this.holds.delete(hold);
  }
}
