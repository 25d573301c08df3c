import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containsAscii } from '../fixtures/bytes';
import { phonePhoto } from '../fixtures/phone-photo';
import { assertNoMetadata, webpChunks } from '../helpers/webp-inspect';
import { startE2eServer, type E2eServer } from './server';

// The demo page at `/`, driven in headless Chromium (Debian's `chromium`
// package; no browser download) against `wrangler dev` on port 8792.
// Screenshots land in test/e2e/artifacts/ (git-ignored).

const PORT = 8792;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, 'artifacts');

// 1600×1200 stored sideways (Orientation 6), with GPS in EXIF and XMP: uploads as 1200×1600.
const PHOTO = { width: 1600, height: 1200 };
const photo = await phonePhoto(PHOTO.width, PHOTO.height);
const notAnImage = new TextEncoder().encode('These are my holiday notes, not a picture.\n');

let server: E2eServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  [server, browser] = await Promise.all([
    startE2eServer(PORT),
    chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] }),
  ]);
  page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

/** Chooses `bytes` as the file, uploads, and waits until the page shows a result or an error. */
async function uploadThroughPage(name: string, mimeType: string, bytes: Uint8Array): Promise<'result' | 'error'> {
  await page.setInputFiles('#file', { name, mimeType, buffer: Buffer.from(bytes) });
  await page.click('#submit');
  await page.waitForSelector('#result:not([hidden]), #error:not([hidden])');
  return (await page.isVisible('#result')) ? 'result' : 'error';
}

/** Waits until the image is loaded and decoded by the browser; returns its natural size. */
async function decodedSize(selector: string): Promise<{ width: number; height: number }> {
  await page.waitForFunction(
    (sel) => {
      const img = document.querySelector(sel);
      return img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0;
    },
    selector,
    { timeout: 15_000 },
  );
  return page.$eval(selector, (img) => ({
    width: (img as HTMLImageElement).naturalWidth,
    height: (img as HTMLImageElement).naturalHeight,
  }));
}

async function storedBytes(selector: string): Promise<Uint8Array> {
  const src = await page.getAttribute(selector, 'src');
  expect(src).toMatch(/\/media\/(images|avatars)\//);
  const response = await fetch(new URL(src!, server.origin));
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('image/webp');
  return new Uint8Array(await response.arrayBuffer());
}

describe('demo page', () => {
  it('uploads a phone photo with GPS using a dev token: shows the decoded thumbnail, and what is stored has no EXIF or GPS', async () => {
    expect(containsAscii(photo, 'GPS')).toBe(true);
    await page.goto(`${server.origin}/`);
    await expect(page.title()).resolves.toMatch(/Edge image gateway/);
    await page.fill('#token', server.token('e2e-alice'));

    expect(await uploadThroughPage('phone.jpg', 'image/jpeg', photo)).toBe('result');
    const thumb = await decodedSize('#result-thumb');
    const main = await decodedSize('#result-main');
    expect(thumb.width).toBeGreaterThan(0);
    // Orientation 6: stored upright.
    expect(main).toEqual({ width: PHOTO.height, height: PHOTO.width });
    expect(Math.max(thumb.width, thumb.height)).toBeLessThanOrEqual(400);
    // The page resets the bar to 0 and only XMLHttpRequest upload progress events move it.
    expect(await page.$eval('#progress', (p) => (p as HTMLProgressElement).value)).toBe(100);
    await expect(page.textContent('#main-caption')).resolves.toContain(`${main.width}×${main.height}`);
    // Focus moves to the result for keyboard and screen-reader users.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('result-heading');
    await page.screenshot({ path: join(ARTIFACTS, '1-token-upload.png'), fullPage: true });

    for (const selector of ['#result-main', '#result-thumb']) {
      const bytes = await storedBytes(selector);
      assertNoMetadata(bytes);
      expect(webpChunks(bytes).map((c) => c.fourcc)).not.toContain('EXIF');
      expect(containsAscii(bytes, 'GPS')).toBe(false);
    }
  });

  it('with a direct-upload URL from a server API key: a non-image shows its error code, then a photo is stored, once', async () => {
    const apiKey = server.apiKey;
    expect(apiKey).toMatch(/^gwk_/);
    const issued = await fetch(`${server.origin}/uploads`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ purpose: 'avatar', user_id: 'e2e-bob' }),
    });
    expect(issued.status).toBe(201);
    const { upload_url: uploadUrl } = (await issued.json()) as { upload_url: string };

    // A site's backend can link straight to the page with the URL in the fragment.
    await page.goto(`${server.origin}/#upload_url=${encodeURIComponent(uploadUrl)}`);
    expect(await page.isChecked('#mode-url')).toBe(true);

    expect(await uploadThroughPage('notes.txt', 'text/plain', notAnImage)).toBe('error');
    await expect(page.textContent('#error code')).resolves.toBe('unsupported_media_type');
    await page.screenshot({ path: join(ARTIFACTS, '2-not-an-image.png'), fullPage: true });

    // The failed upload gave the URL back: the photo goes through with the same URL.
    expect(await uploadThroughPage('phone.jpg', 'image/jpeg', photo)).toBe('result');
    expect((await decodedSize('#result-thumb')).width).toBeGreaterThan(0);
    assertNoMetadata(await storedBytes('#result-main'));
    const avatar = await fetch(`${server.origin}/users/e2e-bob/avatar`, { redirect: 'manual' });
    expect(avatar.status).toBe(302);
    await page.screenshot({ path: join(ARTIFACTS, '3-direct-upload.png'), fullPage: true });

    expect(await uploadThroughPage('phone.jpg', 'image/jpeg', photo)).toBe('error');
    await expect(page.textContent('#error code')).resolves.toBe('upload_url_used');
    await page.screenshot({ path: join(ARTIFACTS, '4-url-used.png'), fullPage: true });
  });

  it('paints the ThumbHash placeholder and lists what was removed, both from the real API response', async () => {
    const apiResponse = page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/images'));
    await page.goto(`${server.origin}/`);
    await page.check('#mode-token');
    await page.fill('#token', server.token('e2e-carol'));
    expect(await uploadThroughPage('phone.jpg', 'image/jpeg', photo)).toBe('result');
    // The gateway itself sends both fields (nothing is injected): what the phone photo held, in vocabulary order.
    const image = (await (await apiResponse).json()) as { thumbhash?: unknown; removed?: unknown };
    expect(typeof image.thumbhash).toBe('string');
    expect(image.removed).toEqual(['exif', 'gps', 'camera_serial', 'xmp', 'icc_profile', 'embedded_thumbnail']);
    const painted = await page.$eval('#placeholder', (c) => ({
      width: (c as HTMLCanvasElement).width,
      height: (c as HTMLCanvasElement).height,
    }));
    // A portrait thumbnail's hash renders as a portrait placeholder, 32 px high.
    expect(painted.height).toBe(32);
    expect(painted.width).toBeLessThan(32);
    const removed = await page.$$eval('#removed li', (items) => items.map((li) => li.textContent));
    expect(removed).toEqual(expect.arrayContaining(['exif', 'gps']));
    expect(removed).toEqual(image.removed);
    await page.screenshot({ path: join(ARTIFACTS, '5-thumbhash-removed.png'), fullPage: true });
  });
});
