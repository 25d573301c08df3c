import { Hono } from 'hono';
import type { AppEnv } from '../app-types';
import { ERROR_STATUS, type ErrorCode } from '../lib/errors';
import type { JsonSchema, Named, Schema } from '../lib/schema';
import {
  avatarUploadSchema,
  errorSchema,
  healthSchema,
  imageListSchema,
  imageSchema,
  uploadUrlSchema,
  variantSchema,
  type ApiLimits,
} from './api-schemas';
import { baseUrlOf, configOf } from './context';
import { errorsOf, OPERATIONS, type Operation, type ResponseSpec, type Security } from './operations';

/** The schemas the document lists once, under `components.schemas`. */
const COMPONENTS: readonly Named<unknown>[] = [
  imageSchema,
  avatarUploadSchema,
  imageListSchema,
  variantSchema,
  uploadUrlSchema,
  healthSchema,
  errorSchema,
];

const SECURITY: Record<Security, Record<string, string[]>[]> = {
  none: [],
  upload_url: [],
  user: [{ userToken: [] }],
  user_or_api_key: [{ userToken: [] }, { apiKey: [] }],
};

const binary = (mediaType: string): JsonSchema => ({ type: 'string', format: 'binary', contentMediaType: mediaType });

/** An upload body: multipart `file`, or the raw bytes with their `image/*` type. */
const IMAGE_BODY = {
  required: true,
  description: 'The image: a multipart `file` field, or the raw bytes with their `image/*` Content-Type.',
  content: {
    'multipart/form-data': {
      schema: { type: 'object', properties: { file: binary('application/octet-stream') }, required: ['file'] },
    },
    ...Object.fromEntries(
      ['image/jpeg', 'image/png', 'image/webp', 'image/gif'].map((type) => [type, { schema: binary(type) }]),
    ),
  },
};

function json(schema: JsonSchema) {
  return { 'application/json': { schema } };
}

function successResponse(spec: ResponseSpec) {
  const schema = spec.schema?.json ?? (spec.oneOf ? { oneOf: spec.oneOf.map((s) => s.json) } : undefined);
  return {
    description: spec.description,
    ...(spec.headers
      ? { headers: Object.fromEntries(spec.headers.map((h) => [h, { schema: { type: 'string' } }])) }
      : {}),
    ...(schema ? { content: json(schema) } : spec.media ? { content: { [spec.media]: { schema: {} } } } : {}),
  };
}

/** One response per status; its body is the Error schema with `code` narrowed to the codes of that status. */
function errorResponses(codes: readonly ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      status,
      {
        description: list.map((code) => `\`${code}\``).join(', '),
        content: json({
          allOf: [errorSchema.json, { properties: { error: { properties: { code: { enum: list } } } } }],
        }),
      },
    ]),
  );
}

function parameters(operation: Operation, limits: ApiLimits) {
  const query = typeof operation.query === 'function' ? operation.query(limits) : operation.query;
  const list = (where: 'path' | 'query' | 'header', shape: Record<string, Schema<unknown>> = {}) =>
    Object.entries(shape).map(([name, schema]) => ({
      name,
      in: where,
      required: where === 'path' || !schema.optional,
      schema: schema.json,
    }));
  return [...list('path', operation.params), ...list('query', query), ...list('header', operation.headers)];
}

function describeOperation(operation: Operation, limits: ApiLimits) {
  const body = operation.body;
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    tags: [operation.tag],
    security: SECURITY[operation.security],
    parameters: parameters(operation, limits),
    ...(body === 'image'
      ? { requestBody: IMAGE_BODY }
      : body
        ? { requestBody: { required: true, content: json(body(limits).json) } }
        : {}),
    responses: {
      ...Object.fromEntries(
        Object.entries(operation.responses).map(([status, spec]) => [status, successResponse(spec)]),
      ),
      ...errorResponses(errorsOf(operation)),
    },
  };
}

/**
 * The OpenAPI 3.1 document of this deployment: its operations
 * (routes/operations.ts), with its own limits (VARIANT_SIZES, MAX_UPLOAD_BYTES)
 * in the schemas and its own origin as the server, so "try it" works.
 */
export function openApiDocument(limits: ApiLimits, serverUrl: string) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of OPERATIONS) {
    (paths[operation.path] ??= {})[operation.method] = describeOperation(operation, limits);
  }
  return {
    openapi: '3.1.1',
    info: {
      title: 'Edge image gateway',
      version: '0.1.0',
      description:
        'Uploads are checked, stripped of metadata, re-encoded to WebP with a thumbnail, and stored in R2. ' +
        'Errors are `{"error":{"code","message","requestId","details"?}}`; `code` is stable.',
    },
    servers: [{ url: serverUrl }],
    tags: [...new Set(OPERATIONS.map((o) => o.tag))].map((name) => ({ name })),
    paths,
    components: {
      schemas: Object.fromEntries(COMPONENTS.map((schema) => [schema.name, schema.target.json])),
      securitySchemes: {
        userToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: "A user's token (its `sub`)." },
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'A server API key (`gwk_…`, `npm run apikey:create`); only on `POST /uploads`.',
        },
      },
    },
  };
}

/** `GET /openapi.json`. */
export const openApiRoutes = new Hono<AppEnv>().get('/', (c) => c.json(openApiDocument(configOf(c), baseUrlOf(c))));
