import { describe, expect, it } from 'vitest';
import { call } from '../helpers/api';

describe('GET /health', () => {
  it('is ok and names the libwebp version the committed modules report', async () => {
    const response = await call('/health');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', codecs: { libwebp: '1.5.0' } });
  });
});
