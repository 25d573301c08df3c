import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayClient, GatewayError } from '../../src/client';
import { phonePhoto } from '../fixtures/phone-photo';
import { startE2eServer, type E2eServer } from './server';

// The API from outside, against `wrangler dev` on port 8792 (after demo.test.ts: the node project runs its
// files one at a time): /openapi.json over HTTP, the /docs reference in headless Chromium with nothing
// loaded from another origin, and the typed client from Node with the global fetch.

const PORT = 8792;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, 'artifacts');

const photo = await phonePhoto(320, 240);

let server: E2eServer;
let browser: Browser;

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  [server, browser] = await Promise.all([
    startE2eServer(PORT),
    chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

type Json = Record<string, any>;

describe('API description and client, from outside', () => {
  it('GET /openapi.json is an OpenAPI 3.1 document whose server is this origin', async () => {
    const response = await fetch(`${server.origin}/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const doc = (await response.json()) as Json;
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.servers).toEqual([{ url: server.origin }]);
    expect(Object.keys(doc.paths)).toContain('/images');
  });

  it('/docs renders every operation offline, and its "Try it out" uploads a file with a token', async () => {
    const doc = (await (await fetch(`${server.origin}/openapi.json`)).json()) as Json;
    const operations = Object.values(doc.paths as Json).flatMap((item) => Object.keys(item as Json));

    const page = await browser.newPage({ viewport: { width: 1200, height: 1400 } });
    const elsewhere: string[] = [];
    await page.route('**/*', (route) => {
      if (route.request().url().startsWith(server.origin)) return route.continue();
      elsewhere.push(route.request().url());
      return route.abort();
    });
    const response = await page.goto(`${server.origin}/docs`);
    expect(response?.status()).toBe(200);
    await page.waitForSelector('.opblock');
    expect(await page.locator('.opblock').count()).toBe(operations.length);

    await page.click('button.authorize');
    await page.fill('.modal-ux input', server.token('docs-user'));
    await page.click('.modal-ux .auth-btn-wrapper button.authorize');
    await page.click('.modal-ux button.close-modal');
    const upload = page.locator('#operations-images-uploadImage');
    await upload.locator('.opblock-summary').click();
    await upload.locator('button.try-out__btn').click();
    await upload.locator('input[type=file]').setInputFiles({
      name: 'photo.jpg',
      mimeType: 'image/jpeg',
      buffer: Buffer.from(photo),
    });
    await upload.locator('button.execute').click();
    const status = upload.locator('.live-responses-table tbody .response-col_status').first();
    await status.waitFor();
    await status.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'docs-try-upload.png') });
    expect((await status.innerText()).trim()).toBe('201');
    expect(elsewhere).toEqual([]);
    await page.close();
  });

  it('the typed client uploads from Node and reads the image back; a refusal is a GatewayError with its code', async () => {
    const gateway = createGatewayClient({ baseUrl: server.origin, token: server.token('node-client') });
    const file = new Blob([new Uint8Array(photo)], { type: 'image/jpeg' });
    const image = await gateway.uploadImage(file);
    // 320×240 stored sideways (EXIF Orientation 6): uploaded upright, and GPS is gone.
    expect(image).toMatchObject({ kind: 'image', width: 240, height: 320, original_format: 'jpeg' });
    expect(image.removed).toContain('gps');
    expect(await gateway.getImage(image.id)).toEqual(image);
    const stored = await fetch(image.url);
    expect(stored.headers.get('content-type')).toBe('image/webp');

    const refused = await gateway.getImage('not-an-id').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(GatewayError);
    expect(refused).toMatchObject({ status: 400, code: 'invalid_request' });
  });
});
