import { describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { encodePng } from '../helpers/encoders';
import { call, expectError, tokenFor, upload } from '../helpers/api';
import { noise } from '../fixtures/pixels';

// vitest.config.ts runs the Worker with UPLOAD_READ_TIMEOUT_SECONDS=3, UPLOAD_RATE_GRACE_SECONDS=1 and
// UPLOAD_MIN_BYTES_PER_SECOND=1024.

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A client sending its body `bytes` at a time every `everyMs`, for at most
 * `forMs` (then it closes, so nothing outlives the test), starting with
 * `head` at once.
 */
function dribble(bytes: number, everyMs: number, forMs = 20_000, head = 0) {
  const started = Date.now();
  let sentHead = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!sentHead && head > 0) {
        sentHead = true;
        controller.enqueue(new Uint8Array(head));
        return;
      }
      await sleep(everyMs);
      if (Date.now() - started > forMs) return controller.close();
      if (bytes > 0) controller.enqueue(new Uint8Array(bytes));
    },
  });
}

function send(token: string, body: ReadableStream<Uint8Array>, contentLength?: number): Promise<Response> {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}`, 'Content-Type': 'image/png' };
  if (contentLength !== undefined) headers['Content-Length'] = String(contentLength);
  return call('/images', { method: 'POST', headers, body });
}

async function expectTimeout(response: Response, detail: string) {
  const body = (await response.clone().json()) as { error: { details?: Record<string, unknown> } };
  await expectError(response, 408, 'request_timeout');
  expect(Object.keys(body.error.details ?? {})).toContain(detail);
}

describe('slow clients', () => {
  it('a body that keeps above the rate floor but does not end by the deadline → 408', async () => {
    const token = await tokenFor('slow-deadline');
    // 4 KiB/s: well above the 1 KiB/s floor, so only the 3 s deadline can end it.
    const response = await send(token, dribble(512, 125));
    await expectTimeout(response, 'timeoutSeconds');
  });

  it.each([
    ['sends nothing at all', dribble(0, 100)],
    ['sends a little, then stalls', dribble(0, 100, 20_000, 200)],
    ['trickles at 100 bytes per second', dribble(10, 100)],
  ])('a client that %s falls below the rate floor after the grace period → 408', async (_name, body) => {
    const token = await tokenFor('slow-rate');
    await expectTimeout(await send(token, body), 'minBytesPerSecond');
  });

  it('four clients dribbling into the isolate do not hold up a normal 100 KB upload', async () => {
    const token = await tokenFor('slow-neighbours');
    const ended: string[] = [];
    // Two chunked bodies and two declaring 10 MiB, all above the floor, so only the deadline ends them.
    const dribblers = [
      send(token, dribble(512, 125)),
      send(token, dribble(512, 125)),
      send(token, dribble(512, 125), 10 * 1024 * 1024),
      send(token, dribble(512, 125), 10 * 1024 * 1024),
    ].map((p, i) => p.then((r) => (ended.push(`dribbler ${i}`), r)));
    await sleep(300); // let them start being read

    const png = await encodePng(noise(180, 140, 9));
    expect(png.byteLength).toBeGreaterThan(90_000);
    const normal = await upload('/images', png, {
      token: await tokenFor('normal-neighbour'),
      contentType: 'image/png',
    });
    ended.push('normal');
    expect(normal.status).toBe(201);
    // The normal upload finished while every dribbler was still being read.
    expect(ended[0]).toBe('normal');

    for (const response of await Promise.all(dribblers)) await expectTimeout(response, 'timeoutSeconds');
    // Their bytes were given back: another upload goes straight through.
    const after = await upload('/images', png, { token, contentType: 'image/png' });
    expect(after.status).toBe(201);
  });

  it('an upload that is read in time is not affected by the floor', async () => {
    const token = await tokenFor('slow-but-fine');
    const png = await encodePng(noise(40, 30, 3));
    // About 8 KiB/s, finishing in under a second.
    let at = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (at >= png.byteLength) return controller.close();
        await sleep(50);
        controller.enqueue(png.slice(at, at + 400));
        at += 400;
      },
    });
    expect(png.byteLength).toBeLessThan(8000);
    const response = await send(token, body);
    expect(response.status).toBe(201);
    expect(
      await env.DB.prepare('SELECT COUNT(*) AS n FROM images WHERE owner_id = ?1').bind('slow-but-fine').first('n'),
    ).toBe(1);
  });
});
