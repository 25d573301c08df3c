import type { ErrorCode } from '../lib/errors';
import { optional, string, type Schema, type Shape } from '../lib/schema';
import {
  avatarUploadSchema,
  cursorSchema,
  healthSchema,
  idempotencyKeySchema,
  imageIdSchema,
  imageListSchema,
  imageSchema,
  limitSchema,
  uploadUrlRequestSchema,
  uploadUrlSchema,
  userParamSchema,
  variantFitSchema,
  variantSchema,
  variantSizeSchema,
  type ApiLimits,
} from './api-schemas';

/** Who may call an operation. */
export type Security = 'none' | 'user' | 'user_or_api_key' | 'upload_url';

export interface ResponseSpec {
  description: string;
  /** A JSON body. */
  schema?: Schema<unknown>;
  /** Alternative JSON bodies (the first that fits). */
  oneOf?: readonly Schema<unknown>[];
  /** A non-JSON body, e.g. `image/webp`. */
  media?: string;
  /** Response headers worth documenting. */
  headers?: readonly string[];
}

/** One route: what it takes (the schemas its handler validates with) and what it answers. */
export interface Operation {
  method: 'get' | 'head' | 'post' | 'delete';
  /** The OpenAPI path (`{param}`). */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  security: Security;
  params?: Shape;
  query?: Shape | ((limits: ApiLimits) => Shape);
  headers?: Shape;
  /** `image`: multipart `file` or a raw `image/*` body; else a JSON body's schema. */
  body?: 'image' | ((limits: ApiLimits) => Schema<unknown>);
  responses: Record<number, ResponseSpec>;
  /** The error codes this route answers with, besides those every route may ({@link errorsOf}). */
  errors: readonly ErrorCode[];
}

const UPLOAD_ERRORS = [
  'request_timeout',
  'payload_too_large',
  'unsupported_media_type',
  'dimensions_exceeded',
  'invalid_image',
  'rate_limited',
  'storage_unavailable',
] as const satisfies readonly ErrorCode[];

const withKey = { 'Idempotency-Key': optional(idempotencyKeySchema) };
const imageId = { id: imageIdSchema };
const userId = { userId: userParamSchema };
const avatarQuery = (limits: ApiLimits) => ({
  size: optional(variantSizeSchema(limits)),
  fit: optional(variantFitSchema('cover')),
});
const redirect: ResponseSpec = {
  description: 'Redirect to the current immutable object (`Cache-Control: public, max-age=60`).',
  headers: ['Location'],
};

export const uploadAvatar = {
  method: 'post',
  path: '/users/me/avatar',
  operationId: 'uploadAvatar',
  summary: 'Upload your avatar (main image + thumbnail); the profile points at it',
  tag: 'avatars',
  security: 'user',
  headers: withKey,
  body: 'image',
  responses: { 201: { description: 'Stored.', schema: avatarUploadSchema, headers: ['Idempotent-Replayed'] } },
  errors: [...UPLOAD_ERRORS, 'idempotency_conflict'],
} as const satisfies Operation;

export const deleteAvatar = {
  method: 'delete',
  path: '/users/me/avatar',
  operationId: 'deleteAvatar',
  summary: 'Clear your avatar and remove its objects',
  tag: 'avatars',
  security: 'user',
  responses: { 204: { description: 'Removed.' } },
  errors: ['not_found', 'storage_unavailable'],
} as const satisfies Operation;

export const getAvatar = {
  method: 'get',
  path: '/users/{userId}/avatar',
  operationId: 'getAvatar',
  summary: "A user's avatar (or a size variant of it): the stable URL a page embeds",
  tag: 'avatars',
  security: 'none',
  params: userId,
  query: avatarQuery,
  responses: { 302: redirect },
  errors: ['not_found', 'storage_unavailable'],
} as const satisfies Operation;

export const getAvatarThumb = {
  method: 'get',
  path: '/users/{userId}/avatar/thumb',
  operationId: 'getAvatarThumb',
  summary: "A user's avatar thumbnail",
  tag: 'avatars',
  security: 'none',
  params: userId,
  responses: { 302: redirect },
  errors: ['not_found', 'storage_unavailable'],
} as const satisfies Operation;

export const uploadImage = {
  method: 'post',
  path: '/images',
  operationId: 'uploadImage',
  summary: 'Upload an image (main image + thumbnail)',
  tag: 'images',
  security: 'user',
  headers: withKey,
  body: 'image',
  responses: { 201: { description: 'Stored.', schema: imageSchema, headers: ['Idempotent-Replayed'] } },
  errors: [...UPLOAD_ERRORS, 'idempotency_conflict'],
} as const satisfies Operation;

export const listImages = {
  method: 'get',
  path: '/images',
  operationId: 'listImages',
  summary: 'Your images, newest first',
  tag: 'images',
  security: 'user',
  query: { limit: optional(limitSchema), cursor: optional(cursorSchema) },
  responses: { 200: { description: 'One page.', schema: imageListSchema } },
  errors: ['storage_unavailable'],
} as const satisfies Operation;

export const getImage = {
  method: 'get',
  path: '/images/{id}',
  operationId: 'getImage',
  summary: "One of your images (another user's is 404)",
  tag: 'images',
  security: 'user',
  params: imageId,
  responses: { 200: { description: 'The image.', schema: imageSchema } },
  errors: ['not_found', 'storage_unavailable'],
} as const satisfies Operation;

export const getImageVariant = {
  method: 'get',
  path: '/images/{id}/variants',
  operationId: 'getImageVariant',
  summary: 'A size variant of your image, rendered on first request',
  tag: 'images',
  security: 'user',
  params: imageId,
  query: (limits: ApiLimits) => ({ size: variantSizeSchema(limits), fit: optional(variantFitSchema('contain')) }),
  responses: { 200: { description: 'The variant.', schema: variantSchema } },
  errors: ['not_found', 'invalid_image', 'storage_unavailable'],
} as const satisfies Operation;

export const deleteImage = {
  method: 'delete',
  path: '/images/{id}',
  operationId: 'deleteImage',
  summary: 'Delete your image: its row, then its objects',
  tag: 'images',
  security: 'user',
  params: imageId,
  responses: { 204: { description: 'Deleted.' } },
  errors: ['not_found', 'storage_unavailable'],
} as const satisfies Operation;

const mediaResponses: Record<number, ResponseSpec> = {
  200: {
    description: 'The stored WebP, `Cache-Control: public, max-age=31536000, immutable`.',
    media: 'image/webp',
    headers: ['ETag', 'Content-Length', 'Accept-Ranges'],
  },
  206: { description: 'The requested `Range`.', media: 'image/webp', headers: ['Content-Range'] },
  304: { description: '`If-None-Match` names the ETag.' },
  416: { description: 'The `Range` is outside the object.', headers: ['Content-Range'] },
};

export const getMedia = {
  method: 'get',
  path: '/media/{key}',
  operationId: 'getMedia',
  summary: 'A stored object (main image, thumbnail or variant); the key may contain `/`',
  tag: 'media',
  security: 'none',
  params: { key: string({ description: 'The object key from an image URL, e.g. `images/alice/<id>.webp`.' }) },
  headers: { Range: optional(string()), 'If-None-Match': optional(string()) },
  responses: mediaResponses,
  errors: ['not_found', 'storage_unavailable'],
} as const satisfies Operation;

export const headMedia = { ...getMedia, method: 'head', operationId: 'headMedia' } as const satisfies Operation;

export const createUploadUrl = {
  method: 'post',
  path: '/uploads',
  operationId: 'createUploadUrl',
  summary: 'Issue a one-time direct-upload URL (user token, or server API key acting for a user)',
  tag: 'direct uploads',
  security: 'user_or_api_key',
  body: uploadUrlRequestSchema,
  responses: { 201: { description: 'The URL (`Cache-Control: no-store`).', schema: uploadUrlSchema } },
  errors: ['unauthorized', 'forbidden', 'payload_too_large', 'storage_unavailable', 'upstream_unavailable'],
} as const satisfies Operation;

export const uploadToUrl = {
  method: 'post',
  path: '/uploads/{token}',
  operationId: 'uploadToUrl',
  summary: 'Upload to a direct-upload URL, once, with no other credentials',
  tag: 'direct uploads',
  security: 'upload_url',
  params: { token: string({ description: 'The token at the end of `upload_url`.' }) },
  body: 'image',
  responses: {
    201: {
      description: 'Stored, as `POST /images` or `POST /users/me/avatar`.',
      oneOf: [imageSchema, avatarUploadSchema],
    },
  },
  errors: [...UPLOAD_ERRORS, 'upload_url_invalid', 'upload_url_expired', 'upload_url_used'],
} as const satisfies Operation;

export const health = {
  method: 'get',
  path: '/health',
  operationId: 'health',
  summary: 'Liveness, and the codec versions',
  tag: 'meta',
  security: 'none',
  responses: { 200: { description: 'Up.', schema: healthSchema } },
  errors: [],
} as const satisfies Operation;

export const openApi = {
  method: 'get',
  path: '/openapi.json',
  operationId: 'openApi',
  summary: 'This document (OpenAPI 3.1); an interactive reference is at /docs',
  tag: 'meta',
  security: 'none',
  responses: { 200: { description: 'The document.', media: 'application/json' } },
  errors: [],
} as const satisfies Operation;

/** Every operation the app serves, in the document's order. */
export const OPERATIONS: readonly Operation[] = [
  uploadAvatar,
  deleteAvatar,
  getAvatar,
  getAvatarThumb,
  uploadImage,
  listImages,
  getImage,
  getImageVariant,
  deleteImage,
  getMedia,
  headMedia,
  createUploadUrl,
  uploadToUrl,
  health,
  openApi,
];

/** What every route may answer: a refused URL (middleware/safe-path.ts), and a bug. */
const EVERY_ROUTE: readonly ErrorCode[] = ['invalid_request', 'internal_error'];

/** All the error codes an operation documents: its own, its authentication's, and every route's. */
export function errorsOf(operation: Operation): ErrorCode[] {
  const auth: readonly ErrorCode[] = operation.security === 'user' ? ['unauthorized', 'upstream_unavailable'] : [];
  return [...new Set([...EVERY_ROUTE, ...auth, ...operation.errors])];
}
