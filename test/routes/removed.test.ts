import { beforeAll, describe, expect, it } from 'vitest';
import { env } from 'cloudflare:workers';
import { call, keyOf, objectBytes, tokenFor, upload, type ImageJson } from '../helpers/api';
import { assertNoMetadata } from '../helpers/webp-inspect';
import { makeFixtures } from '../fixtures/make';

const fixtures = await makeFixtures();
let token: string;
beforeAll(async () => {
  token = await tokenFor('removed-tester');
});
const auth = () => ({ headers: { Authorization: `Bearer ${token}` } });

async function uploadFixture(name: string): Promise<ImageJson> {
  const fixture = fixtures.getAccepted(name);
  const response = await upload('/images', fixture.bytes, { token, contentType: fixture.contentType });
  expect(response.status).toBe(201);
  return (await response.json()) as ImageJson;
}

async function storedColumn(id: string): Promise<unknown> {
  return env.DB.prepare('SELECT removed FROM images WHERE id = ?1').bind(id).first('removed');
}

describe('"removed": what the upload held that the stored image does not', () => {
  it('the phone JPEG: in the upload response, GET /images/:id, the listing and the D1 row', async () => {
    const expected = ['exif', 'gps', 'camera_serial', 'xmp', 'icc_profile', 'embedded_thumbnail'];
    const json = await uploadFixture('phone.jpg');
    expect(json.removed).toEqual(expected);
    // The stored WebP really holds none of it.
    assertNoMetadata((await objectBytes(keyOf(json.url)))!);

    const again = await call(`/images/${json.id}`, auth());
    expect(again.status).toBe(200);
    expect(((await again.json()) as ImageJson).removed).toEqual(expected);

    const list = await call('/images?limit=50', auth());
    const listed = ((await list.json()) as { images: ImageJson[] }).images.find((i) => i.id === json.id);
    expect(listed?.removed).toEqual(expected);

    expect(await storedColumn(json.id)).toBe(JSON.stringify(expected));
  });

  it.each([
    { name: 'metadata.png', expected: ['exif', 'gps', 'camera_serial', 'xmp', 'icc_profile', 'text_chunks'] },
    { name: 'metadata.webp', expected: ['exif', 'gps', 'camera_serial', 'xmp', 'icc_profile'] },
    { name: 'animated.gif', expected: ['extra_frames'] },
    { name: 'still.gif', expected: [] },
  ])('$name → $expected, stored as such', async ({ name, expected }) => {
    const json = await uploadFixture(name);
    expect(json.removed).toEqual(expected);
    expect(await storedColumn(json.id)).toBe(JSON.stringify(expected));
  });
});
