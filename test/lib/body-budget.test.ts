import { describe, expect, it } from 'vitest';
import { BodyBudget } from '../../src/lib/body-budget';

const KiB = 1024;

/** A reader that takes `claim` bytes in `chunk`-sized steps, as the upload body reader does. */
async function readAll(budget: BodyBudget, claim: number, chunk: number, seen: { most: number }) {
  const hold = budget.open(claim);
  let held = 0;
  while (held < claim) {
    await budget.mayRead(hold, chunk);
    held = Math.min(claim, held + chunk);
    budget.record(hold, held);
    seen.most = Math.max(seen.most, budget.used);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  budget.record(hold, held, true);
  return hold;
}

describe('BodyBudget', () => {
  it('lets any number of small readers through beside large ones that are only partly read', async () => {
    const budget = new BodyBudget(1000 * KiB, 1);
    const big = [budget.open(500 * KiB), budget.open(500 * KiB)];
    budget.record(big[0]!, 10 * KiB);
    budget.record(big[1]!, 10 * KiB);
    const seen = { most: 0 };
    const small = await Promise.all(Array.from({ length: 8 }, () => readAll(budget, 100 * KiB, 16 * KiB, seen)));
    expect(small.every((h) => h.held === 100 * KiB)).toBe(true);
  });

  it('never deadlocks readers that could each fill half of it, and never passes its capacity', async () => {
    const budget = new BodyBudget(1000 * KiB, 1);
    const seen = { most: 0 };
    const readers = Array.from({ length: 5 }, async () => {
      const hold = await readAll(budget, 480 * KiB, 32 * KiB, seen);
      // Processing holds the body a little longer, then gives it back.
      await new Promise((resolve) => setTimeout(resolve, 2));
      budget.release(hold);
      return hold.held;
    });
    expect(await Promise.all(readers)).toEqual(Array(5).fill(480 * KiB));
    expect(seen.most).toBeLessThanOrEqual(1000 * KiB);
    expect(budget.used).toBe(0);
  });

  it('refuses a claim over its capacity', () => {
    expect(() => new BodyBudget(100).open(101)).toThrow(RangeError);
  });
});
