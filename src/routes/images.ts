import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../app-types';
import { purgeAvatarRedirects } from '../cache/edge-cache';
import { guardStorage } from '../lib/guard-storage';
import { deleteOwnedImage, findOwnedImage, listOwnedImages, type ListCursor } from '../db/images';
import { configOf, mediaBaseOf, requireUser, runToEnd } from './context';
import { ApiError } from '../lib/errors';
import { imageJson } from './image-json';
import { IMAGE_ID_PATTERN } from '../domain/images';
import { deleteImageMedia } from '../delete-media';
import { ensureVariant } from '../variants';
import { handleUpload } from './uploads';
import { fromBase64url, toBase64url } from '../lib/encoding';
import { deleteImage, getImage, getImageVariant, listImages } from './operations';
import { paramsOf, queryOf } from './validate';
import type { ImageListJson, VariantJson } from './api-schemas';

const DEFAULT_PAGE = 20;

function encodeCursor(cursor: ListCursor): string {
  return toBase64url(new TextEncoder().encode(`${cursor.createdAt}|${cursor.id}`));
}

function decodeCursor(raw: string | undefined): ListCursor | undefined {
  if (raw === undefined) return undefined;
  try {
    const [createdAt, id] = new TextDecoder().decode(fromBase64url(raw)).split('|');
    if (createdAt && id && IMAGE_ID_PATTERN.test(id) && !Number.isNaN(Date.parse(createdAt))) return { createdAt, id };
  } catch {
    // fall through to the error below
  }
  throw new ApiError('invalid_request', 'Expected a cursor from a previous next_cursor');
}

/** General uploads: same processing as avatars, no profile change. All routes need a token. */
export function imagesRoutes(deps: AppDeps) {
  return new Hono<AppEnv>()
    .use(requireUser)
    .post('/', (c) => handleUpload(c, deps, 'image'))
    .get('/', async (c) => {
      const query = queryOf(c, listImages.query);
      const limit = query.limit ?? DEFAULT_PAGE;
      const cursor = decodeCursor(query.cursor);
      const rows = await guardStorage('list images', () =>
        listOwnedImages(c.env.DB, c.get('user').id, limit + 1, cursor),
      );
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return c.json({
        images: page.map((r) => imageJson(r, mediaBaseOf(c))),
        next_cursor: rows.length > limit && last ? encodeCursor(last) : null,
      } satisfies ImageListJson);
    })
    .get('/:id', async (c) => {
      const { id } = paramsOf(c, getImage.params);
      const record = await guardStorage('get image', () => findOwnedImage(c.env.DB, id, c.get('user').id));
      // Another user's image is "not found", not "forbidden": existence is not leaked.
      if (!record) throw new ApiError('not_found', 'Image not found');
      return c.json(imageJson(record, mediaBaseOf(c)));
    })
    .get('/:id/variants', async (c) => {
      const { id } = paramsOf(c, getImageVariant.params);
      const { size, fit = 'contain' } = queryOf(c, getImageVariant.query);
      const record = await guardStorage('get image', () => findOwnedImage(c.env.DB, id, c.get('user').id));
      if (!record) throw new ApiError('not_found', 'Image not found');
      const target = { bucket: c.env.IMAGES, codecs: deps.codecs(), quality: configOf(c).process.thumbQuality };
      const variant = await runToEnd(c, ensureVariant(target, record, size, fit));
      return c.json({
        url: `${mediaBaseOf(c)}/${variant.key}`,
        size,
        fit,
        width: variant.width,
        height: variant.height,
        bytes: variant.bytes,
        content_type: 'image/webp',
      } satisfies VariantJson);
    })
    .delete('/:id', async (c) => {
      const { id } = paramsOf(c, deleteImage.params);
      const record = await guardStorage('delete image', () => deleteOwnedImage(c.env.DB, id, c.get('user').id));
      if (!record) throw new ApiError('not_found', 'Image not found');
      await deleteImageMedia(c.env.IMAGES, record);
      // Deleting the current avatar unpoints the profile (db/images.ts): its redirects go too.
      if (record.kind === 'avatar') await purgeAvatarRedirects(record.ownerId, configOf(c).variantSizes);
      return c.body(null, 204);
    });
}
