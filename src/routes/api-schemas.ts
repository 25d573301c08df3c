import { IMAGE_ID_PATTERN } from '../domain/images';
import { SUBJECT_PATTERN, SUBJECT_RULE } from '../domain/users';
import { VARIANT_FITS, type VariantFit } from '../domain/variants';
import { ERROR_STATUS, type ErrorCode } from '../lib/errors';
import { array, boolean, choice, integer, named, nullable, object, optional, string, type Infer } from '../lib/schema';
import { REMOVED_VOCABULARY } from '../pipeline/removed';

/*
 * The API's request and response shapes, each defined once: the OpenAPI
 * document (routes/openapi.ts) prints them, the routes validate with them, and
 * the typed client (src/client/) takes its types from them.
 */

/** What the limits of a deployment put into the schemas (from its config). */
export interface ApiLimits {
  maxUploadBytes: number;
  variantSizes: readonly number[];
}

const url = (description: string) => string({ format: 'uri', description });
const count = (description: string) => integer({ minimum: 0, description });

export const imageIdSchema = string({
  pattern: IMAGE_ID_PATTERN,
  format: 'uuid',
  rule: 'an image id (a lowercase UUID)',
  description: 'An image id (a lowercase UUID).',
});

export const userParamSchema = string({
  pattern: SUBJECT_PATTERN,
  rule: `a user id, or a token subject (${SUBJECT_RULE})`,
  description: 'A user id (`alice`, `h-…`), or the percent-encoded token subject (`auth0%7C64f1…`).',
});

export const limitSchema = integer({ minimum: 1, maximum: 100, description: 'Page size (default 20).' });
export const cursorSchema = string({ description: 'The `next_cursor` of the previous page.' });

export const idempotencyKeySchema = string({
  pattern: /^[\x21-\x7e]{1,255}$/,
  rule: '1-255 visible ASCII characters',
  description: 'A retry with the same key and file returns the first response (`Idempotent-Replayed: true`).',
});

/** `?size=N`: one of the deployment's VARIANT_SIZES. */
export const variantSizeSchema = (limits: ApiLimits) =>
  integer({
    enum: limits.variantSizes,
    description: 'The box edge in pixels: one of VARIANT_SIZES.',
    errorDetails: { allowed_sizes: limits.variantSizes },
  });

export const variantFitSchema = (defaultFit: VariantFit) =>
  choice(VARIANT_FITS, {
    description: `How the image fills the N×N box (default \`${defaultFit}\`).`,
    errorDetails: { allowed_fits: VARIANT_FITS },
  });

export const imageSchema = named(
  'Image',
  object(
    {
      id: imageIdSchema,
      kind: choice(['avatar', 'image'] as const),
      url: url('The main image (WebP, immutable).'),
      thumb_url: url('The thumbnail (WebP, immutable).'),
      width: count('Main image width in pixels.'),
      height: count('Main image height in pixels.'),
      bytes: count('Main image size in bytes.'),
      thumb_width: count('Thumbnail width.'),
      thumb_height: count('Thumbnail height.'),
      thumb_bytes: count('Thumbnail size in bytes.'),
      content_type: choice(['image/webp'] as const),
      original_format: string({ description: 'The upload\'s format: "jpeg", "png", "webp" or "gif".' }),
      original_bytes: count("The upload's size in bytes."),
      colour: object(
        {
          source: string({ description: 'The colour space the upload was in ("sRGB", "Display P3", …).' }),
          converted: boolean({ description: 'Whether the pixels were converted to sRGB.' }),
        },
        { closed: true },
      ),
      thumbhash: nullable(string({ description: "The thumbnail's ThumbHash, base64." })),
      removed: array(choice(REMOVED_VOCABULARY), {
        description: 'What the upload held that the stored image does not, in this order.',
      }),
      created_at: string({ format: 'date-time' }),
    },
    { closed: true, description: 'A stored image.' },
  ),
);

export const avatarUploadSchema = named(
  'AvatarUpload',
  object(
    {
      avatar_url: url('The new avatar (main image).'),
      avatar_thumb_url: url('Its thumbnail.'),
      image: imageSchema,
    },
    { closed: true },
  ),
);

export const imageListSchema = named(
  'ImageList',
  object(
    {
      images: array(imageSchema),
      next_cursor: nullable(string({ description: 'Pass as `cursor` for the next page; null on the last.' })),
    },
    { closed: true },
  ),
);

export const variantSchema = named(
  'Variant',
  object(
    {
      url: url('The variant (WebP, immutable).'),
      size: count('The requested box edge.'),
      fit: choice(VARIANT_FITS),
      width: count('Width in pixels.'),
      height: count('Height in pixels.'),
      bytes: count('Size in bytes.'),
      content_type: choice(['image/webp'] as const),
    },
    { closed: true },
  ),
);

/** `POST /uploads`'s JSON body; `max_bytes` is capped by the deployment's MAX_UPLOAD_BYTES. */
export const uploadUrlRequestSchema = (limits: ApiLimits) =>
  object({
    purpose: choice(['avatar', 'image'] as const, { description: 'What the upload will be.' }),
    user_id: optional(
      string({
        pattern: SUBJECT_PATTERN,
        rule: `the user's token subject (${SUBJECT_RULE})`,
        description: "With a server API key: the user's token subject (`sub`). A user token may leave it out.",
      }),
    ),
    max_bytes: optional(
      integer({ minimum: 1, maximum: limits.maxUploadBytes, description: 'A smaller size limit for this URL.' }),
    ),
  });

export const uploadUrlSchema = named(
  'UploadUrl',
  object(
    {
      upload_url: url('POST the file here, once, with no other credentials.'),
      expires_at: string({ format: 'date-time' }),
    },
    { closed: true },
  ),
);

export const healthSchema = named(
  'Health',
  object(
    {
      status: choice(['ok'] as const),
      codecs: object({ libwebp: string({ description: 'The version the WASM module reports.' }) }, { closed: true }),
    },
    { closed: true },
  ),
);

const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

export const errorSchema = named(
  'Error',
  object(
    {
      error: object(
        {
          code: choice(ERROR_CODES, { description: 'Stable; clients branch on it (README, Error codes).' }),
          message: string({ description: 'For people; never parse it.' }),
          requestId: string({ description: 'Quote it in a bug report (also `X-Request-Id`).' }),
          details: optional(object({}, { description: 'Which limit, field or allowed values.' })),
        },
        { closed: true },
      ),
    },
    { closed: true },
  ),
);

export type ImageJson = Infer<typeof imageSchema>;
export type AvatarUploadJson = Infer<typeof avatarUploadSchema>;
export type ImageListJson = Infer<typeof imageListSchema>;
export type VariantJson = Infer<typeof variantSchema>;
export type UploadUrlRequest = Infer<ReturnType<typeof uploadUrlRequestSchema>>;
export type UploadUrlJson = Infer<typeof uploadUrlSchema>;
export type HealthJson = Infer<typeof healthSchema>;
export type ErrorJson = Infer<typeof errorSchema>;
