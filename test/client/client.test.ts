import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createGatewayClient, GatewayError } from '../../src/client';
import { getConfig } from '../../src/env';
import {
  avatarUploadSchema,
  healthSchema,
  imageListSchema,
  imageSchema,
  variantSchema,
} from '../../src/routes/api-schemas';
import { noise } from '../fixtures/pixels';
import { encodePng } from '../helpers/encoders';
import { BASE, call, keyOf, tokenFor } from '../helpers/api';

// The typed client (src/client/) against the real Worker, with real local R2
// and D1. Every answer is also parsed with the document's own (closed)
// schemas, so a field the document does not list fails here.

const worker = (exports as unknown as { default: Fetcher }).default;
const clientFor = (token?: string) =>
  createGatewayClient({ baseUrl: BASE, token, fetch: (request) => worker.fetch(request) });

async function pngFile(seed: number): Promise<File> {
  return new File([await encodePng(noise(24, 16, seed))], 'photo.png', { type: 'image/png' });
}

describe('typed client', () => {
  it('uploads an image, then gets, lists and sizes it; what it returns is what R2 and D1 hold', async () => {
    const gateway = clientFor(await tokenFor('client-user'));
    const image = imageSchema.parse(
      await gateway.uploadImage(await pngFile(1), { idempotencyKey: 'client-1' }),
      'image',
    );
    expect(image).toMatchObject({ kind: 'image', width: 24, height: 16, original_format: 'png' });

    expect(await env.IMAGES.head(keyOf(image.url))).not.toBeNull();
    expect(await env.IMAGES.head(keyOf(image.thumb_url))).not.toBeNull();
    const row = await env.DB.prepare('SELECT owner_id FROM images WHERE id = ?1').bind(image.id).first('owner_id');
    expect(row).toBe('client-user');

    expect(imageSchema.parse(await gateway.getImage(image.id), 'image')).toEqual(image);
    const page = imageListSchema.parse(await gateway.listImages({ limit: 5 }), 'list');
    expect(page.images.map((i) => i.id)).toContain(image.id);

    const size = getConfig(env).variantSizes[0]!;
    const variant = variantSchema.parse(await gateway.getImageVariant(image.id, size, 'cover'), 'variant');
    expect(variant).toMatchObject({ size, fit: 'cover' });

    const media = await call(new URL(image.thumb_url).pathname);
    expect(media.status).toBe(200);
    expect(media.headers.get('Content-Type')).toBe('image/webp');

    await gateway.deleteImage(image.id);
    const missing = await gateway.getImage(image.id).catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(GatewayError);
    expect(missing).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('throws GatewayError with the stable code and request id for a refused upload and a missing token', async () => {
    const text = new File(['not a picture'], 'notes.txt', { type: 'text/plain' });
    const refused = await clientFor(await tokenFor('client-user'))
      .uploadImage(text)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(GatewayError);
    expect(refused).toMatchObject({ status: 415, code: 'unsupported_media_type' });
    expect((refused as GatewayError).requestId).toBeTruthy();

    const anonymous = await clientFor()
      .listImages()
      .catch((error: unknown) => error);
    expect(anonymous).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('sets an avatar, and uploads once to a direct-upload URL without credentials', async () => {
    const gateway = clientFor(await tokenFor('client-avatar'));
    const avatar = avatarUploadSchema.parse(await gateway.uploadAvatar(await pngFile(2)), 'avatar');
    const redirect = await call(new URL(gateway.avatarUrl('client-avatar')).pathname, { redirect: 'manual' });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('Location')).toBe(avatar.avatar_url);

    const { upload_url } = await gateway.createUploadUrl({ purpose: 'image' });
    const stored = imageSchema.parse(await clientFor().uploadToUrl(upload_url, await pngFile(3)), 'image');
    expect(stored.kind).toBe('image');
    const again = await clientFor()
      .uploadToUrl(upload_url, await pngFile(4))
      .catch((error: unknown) => error);
    expect(again).toMatchObject({ status: 410, code: 'upload_url_used' });

    expect(healthSchema.parse(await gateway.health(), 'health').status).toBe('ok');
  });
});
