// Clients that hang up, for bench:load's slow-client section (./load-slow.ts):
// real TCP connections to `wrangler dev` closed mid-body, or right after the
// body while the upload is being processed. What they must leave behind is
// checked by that section's audit of the persisted state (no object without a
// row, no row without its objects) and by a normal upload right after.
import { request } from 'node:http';
import type { InputFile } from './load-inputs';

export type HangUpWhen = 'mid-body' | 'after-body';

export interface HangUp {
  when: HangUpWhen;
  /** Bytes of the body written before hanging up. */
  sent: number;
  /** An answer that arrived before the hang-up (none expected). */
  status?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One upload of `file` (raw, with its Content-Length) whose connection is
 * destroyed: after half the body (`mid-body`), or `afterMs` after the whole
 * body was written (`after-body`: the Worker is processing or storing it).
 */
export function hangUp(base: string, token: string, file: InputFile, when: HangUpWhen, afterMs = 200): Promise<HangUp> {
  return new Promise((resolve) => {
    const req = request(new URL('/images', base), {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': file.contentType,
        'Content-Length': String(file.bytes.length),
      },
    });
    const result: HangUp = { when, sent: 0 };
    req.on('response', (res) => {
      result.status = res.statusCode;
      res.resume();
    });
    req.on('error', () => undefined); // the hang-up itself
    const half = Math.floor(file.bytes.length / 2);
    const body = when === 'mid-body' ? file.bytes.subarray(0, half) : file.bytes;
    req.write(body, () => {
      result.sent = body.length;
      void sleep(afterMs).then(() => {
        req.destroy();
        resolve(result);
      });
    });
  });
}
