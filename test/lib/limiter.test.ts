import { describe, expect, it } from 'vitest';
import { createAdmission, createSerialQueue } from '../../src/lib/limiter';
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
});

describe('createAdmission(2)', () => {
  it('never runs more than two at once, and runs every task', async () => {
    const run = createAdmission(2, 1);
    let active = 0;
    let most = 0;
    const started: number[] = [];
    const task = (n: number) => async () => {
      started.push(n);
      most = Math.max(most, ++active);
      await new Promise((resolve) => setTimeout(resolve, 2 + (n % 3)));
      active--;
      return n;
    };
    const results = await Promise.all(Array.from({ length: 8 }, (_, n) => run(task(n))));
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(most).toBe(2);
    expect([...started].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});

describe('concurrent uploads in one isolate', () => {
  it('all succeed (processing one at a time, two admitted at once, the rest waiting unread)', async () => {
    const token = await tokenFor('parallel');
    const responses = await Promise.all(
      [1, 2, 3, 4].map(async (seed) =>
        upload('/images', await encodePng(noise(300 - seed * 20, 200, seed)), { token, contentType: 'image/png' }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual([201, 201, 201, 201]);
  });
});
