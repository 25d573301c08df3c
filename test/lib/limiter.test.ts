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
