import { describe, expect, it } from 'vitest';
import { BodyBudget } from '../../src/lib/body-budget';
import { ApiError } from '../../src/lib/errors';
import { readLimited, type ReadPace } from '../../src/lib/read-upload';

const PACE: ReadPace = { deadlineMs: 30_000, graceMs: 5_000, minBytesPerSecond: 0 };

describe('readLimited', () => {
  it('a body that is cut off (the client went away) is invalid_request, not an internal error', async () => {
    const budget = new BodyBudget(1024 * 1024);
    const hold = budget.open(64 * 1024);
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(stream) {
        if (sent) return stream.error(new TypeError("Can't read from request stream because client disconnected."));
        sent = true;
        stream.enqueue(new Uint8Array(1000));
      },
    });
    const read = readLimited(body, { limit: 64 * 1024, budget, hold, declared: 64 * 1024, pace: PACE });
    await expect(read).rejects.toBeInstanceOf(ApiError);
    await expect(read).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('reads a whole body into one buffer', async () => {
    const budget = new BodyBudget(1024 * 1024);
    const hold = budget.open(3000);
    const chunks = [new Uint8Array(1000).fill(1), new Uint8Array(2000).fill(2)];
    const body = new ReadableStream<Uint8Array>({
      pull(stream) {
        const next = chunks.shift();
        if (next) stream.enqueue(next);
        else stream.close();
      },
    });
    const bytes = await readLimited(body, { limit: 3000, budget, hold, declared: 3000, pace: PACE });
    expect([bytes.byteLength, bytes[999], bytes[1000]]).toEqual([3000, 1, 2]);
    expect(hold).toEqual({ claim: 3000, held: 3000 });
  });
});
