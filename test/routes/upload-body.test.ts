import { describe, expect, it } from 'vitest';
import { encodePng } from '../helpers/encoders';
import { call, expectError, storageSnapshot, tokenFor, upload } from '../helpers/api';
import { noise } from '../fixtures/pixels';

const MiB = 1024 * 1024;
const LIMIT = 10 * MiB;

/** A body stream of `total` bytes in 1 MiB chunks that records how much was pulled. */
function countingStream(total: number) {
  const state = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled >= total) return controller.close();
      const chunk = new Uint8Array(Math.min(MiB, total - state.pulled));
      state.pulled += chunk.byteLength;
      controller.enqueue(chunk);
    },
  });
  return { stream, state };
}

describe('upload body', () => {
  it('refuses a declared Content-Length over the limit with 413 before reading the body', async () => {
    const token = await tokenFor('big');
    const before = await storageSnapshot();
    const { stream, state } = countingStream(LIMIT + MiB);
    const response = await call('/images', {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${token}`,
        'Content-Type': 'image/jpeg',
        'Content-Length': String(LIMIT + MiB),
      },
      body: stream,
    });
    await expectError(response, 413, 'payload_too_large');
    expect(state.pulled).toBeLessThan(4 * MiB);
    expect(await storageSnapshot()).toEqual(before);
  });

  it('stops reading a chunked body as soon as it passes the limit', async () => {
    const token = await tokenFor('big');
    const { stream, state } = countingStream(100 * MiB);
    const response = await call('/images', {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'image/png' },
      body: stream,
    });
    await expectError(response, 413, 'payload_too_large');
    // Read stops just past the limit (plus what the runtime buffers ahead), far from 100 MiB.
    expect(state.pulled).toBeLessThan(LIMIT + 8 * MiB);
  });

  it('refuses a multipart file over the limit', async () => {
    const token = await tokenFor('big');
    const response = await upload('/images', new Uint8Array(LIMIT + 1), { token, multipart: true });
    await expectError(response, 413, 'payload_too_large');
  });

  it('accepts exactly the limit in size terms (then judges the bytes)', async () => {
    const token = await tokenFor('big');
    const response = await upload('/images', new Uint8Array(LIMIT), { token, contentType: 'image/png' });
    await expectError(response, 415, 'unsupported_media_type');
  });

  it.each(['application/json', 'text/plain', 'application/x-www-form-urlencoded'])(
    'refuses a request Content-Type of %s with 415',
    async (contentType) => {
      const token = await tokenFor('types');
      await expectError(
        await upload('/images', await encodePng(noise(4, 4, 1)), { token, contentType }),
        415,
        'unsupported_media_type',
      );
    },
  );

  it('multipart without a file field → 400', async () => {
    const token = await tokenFor('types');
    const form = new FormData();
    form.set('other', 'value');
    const response = await call('/images', {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: form,
    });
    await expectError(response, 400, 'invalid_request');
  });

  it('a multipart upload and a raw upload of the same file give the same image', async () => {
    const token = await tokenFor('types');
    const bytes = await encodePng(noise(16, 12, 3));
    const raw = (await (await upload('/images', bytes, { token, contentType: 'image/png' })).json()) as Record<
      string,
      unknown
    >;
    const multi = (await (await upload('/images', bytes, { token, multipart: true })).json()) as Record<
      string,
      unknown
    >;
    for (const field of [
      'width',
      'height',
      'bytes',
      'thumb_width',
      'thumb_height',
      'original_format',
      'original_bytes',
    ]) {
      expect(multi[field]).toBe(raw[field]);
    }
  });
});
