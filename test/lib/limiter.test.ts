import { describe, expect, it } from 'vitest';
import { createSerialQueue } from '../../src/lib/limiter';
import { encodePng } from '../helpers/encoders';
import { tokenFor, upload } from '../helpers/api';
import { noise } from '../fixtures/pixels';

describe('createSerialQueue', () => {
  it('runs one task at a time, in arrival order, even when one fails', async () => {
    const run = createSerialQueue();
    const events: string[] = [];
    let active = 0;
    const task =
      (name: string, fail = false) =>
      async () => {
        active++;
        expect(active).toBe(1);
        events.push(`start ${name}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        events.push(`end ${name}`);
        active--;
        if (fail) throw new Error(name);
        return name;
      };
    const results = await Promise.allSettled([run(task('a')), run(task('b', true)), run(task('c'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  it('runs later tasks when a waiter never gets to run (its request was cancelled while it waited)', async () => {
    // Ticket 1's wake-up is never delivered, as workerd does for a cancelled request.
    const abandoned = 1;
    const run = createSerialQueue((ticket, wake) => (ticket === abandoned ? new Promise(() => {}) : wake));
    const events: string[] = [];
    let active = 0;
    let finishFirst = () => {};
    const task = (name: string, gate?: Promise<void>) => async () => {
      active++;
      expect(active).toBe(1);
      events.push(`start ${name}`);
      await (gate ?? new Promise((resolve) => setTimeout(resolve, 5)));
      events.push(`end ${name}`);
      active--;
      return name;
    };
    const first = run(task('a', new Promise<void>((resolve) => (finishFirst = resolve))));
    let abandonedSettled = false;
    void run(task('b')).finally(() => (abandonedSettled = true));
    const later = [run(task('c')), run(task('d'))];
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(events).toEqual(['start a']); // c and d wait while a runs
    finishFirst();
    expect(await Promise.all([first, ...later])).toEqual(['a', 'c', 'd']);
    expect(events).toEqual(['start a', 'end a', 'start c', 'end c', 'start d', 'end d']);
    expect(abandonedSettled).toBe(false);
    // The queue is free again: a task arriving now runs at once.
    expect(await run(task('e'))).toBe('e');
  });
});

describe('concurrent uploads in one isolate', () => {
  it('all succeed (read at once within the body budget, processed one at a time)', async () => {
    const token = await tokenFor('parallel');
    const responses = await Promise.all(
      [1, 2, 3, 4].map(async (seed) =>
        upload('/images', await encodePng(noise(300 - seed * 20, 200, seed)), { token, contentType: 'image/png' }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual([201, 201, 201, 201]);
  });
});
