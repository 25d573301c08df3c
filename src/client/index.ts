import type {
  AvatarUploadJson,
  ErrorJson,
  HealthJson,
  ImageJson,
  ImageListJson,
  UploadUrlJson,
  UploadUrlRequest,
  VariantJson,
} from '../routes/api-schemas';
import type { ErrorCode } from '../lib/errors';
import type { VariantFit } from '../domain/variants';

/*
 * A small typed client for the gateway over `fetch`, for Node ≥ 20, browsers
 * and Workers. It imports only types, so a bundle gets this file and nothing
 * of the server. The types are those of the OpenAPI document's schemas
 * (routes/api-schemas.ts).
 */

export type {
  AvatarUploadJson,
  ErrorCode,
  HealthJson,
  ImageJson,
  ImageListJson,
  UploadUrlJson,
  UploadUrlRequest,
  VariantJson,
};

export interface GatewayClientOptions {
  /** The gateway's origin, e.g. `https://images.example.com`. */
  baseUrl: string;
  /** A user token (JWT) or, for `createUploadUrl` only, a server API key; a function is called per request. */
  token?: string | (() => string | Promise<string>);
  /** Another `fetch` (a test's, a Worker's service binding); the global one by default. */
  fetch?: (request: Request) => Promise<Response>;
}

export interface UploadOptions {
  /** Makes a retry safe: the same key and file return the first response (authenticated uploads only). */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

/** A gateway error response, as thrown by every method. `code` is stable: branch on it, not on `message`. */
export class GatewayError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly requestId: string;
  readonly details?: Record<string, unknown>;
  constructor(status: number, body: ErrorJson['error']) {
    super(body.message);
    this.name = 'GatewayError';
    this.status = status;
    this.code = body.code;
    this.requestId = body.requestId;
    this.details = body.details;
  }
}

/**
 * A client for one gateway.
 * @example
 * const gateway = createGatewayClient({ baseUrl: 'http://localhost:8787', token });
 * const image = await gateway.uploadImage(file); // image.url, image.thumb_url, image.removed …
 */
export function createGatewayClient(options: GatewayClientOptions) {
  const base = options.baseUrl.replace(/\/+$/, '');
  const send = options.fetch ?? ((request: Request) => fetch(request));

  async function request(
    method: string,
    target: string,
    init: { body?: BodyInit; headers?: Record<string, string>; auth?: boolean; signal?: AbortSignal } = {},
  ): Promise<Response> {
    const headers = new Headers(init.headers);
    const token = typeof options.token === 'function' ? await options.token() : options.token;
    if (init.auth !== false && token) headers.set('Authorization', `Bearer ${token}`);
    const url = target.startsWith('http') ? target : `${base}${target}`;
    const response = await send(new Request(url, { method, headers, body: init.body, signal: init.signal }));
    if (response.ok || response.status === 302) return response;
    const body = (await response.json().catch(() => null)) as ErrorJson | null;
    throw new GatewayError(
      response.status,
      body?.error ?? { code: 'internal_error', message: `HTTP ${response.status}`, requestId: '' },
    );
  }

  const json = async <T>(response: Promise<Response>): Promise<T> => (await response).json() as Promise<T>;

  /** A file as multipart `file`, the way the demo page and `curl -F` send it. */
  function form(file: Blob, filename = 'upload'): FormData {
    const body = new FormData();
    body.set('file', file, file instanceof File ? file.name : filename);
    return body;
  }

  function upload<T>(target: string, file: Blob, opts: UploadOptions & { auth?: boolean } = {}): Promise<T> {
    const headers: Record<string, string> = opts.idempotencyKey ? { 'Idempotency-Key': opts.idempotencyKey } : {};
    return json<T>(request('POST', target, { body: form(file), headers, auth: opts.auth, signal: opts.signal }));
  }

  const id = (value: string) => encodeURIComponent(value);

  return {
    health: () => json<HealthJson>(request('GET', '/health', { auth: false })),

    /** `POST /images`: stores the file as an image. */
    uploadImage: (file: Blob, opts?: UploadOptions) => upload<ImageJson>('/images', file, opts),

    /** `POST /users/me/avatar`: stores the file and makes it the user's avatar. */
    uploadAvatar: (file: Blob, opts?: UploadOptions) => upload<AvatarUploadJson>('/users/me/avatar', file, opts),

    /** `GET /images`: one page, newest first; pass `next_cursor` back as `cursor`. */
    listImages(query: { limit?: number; cursor?: string } = {}) {
      const params = new URLSearchParams();
      if (query.limit !== undefined) params.set('limit', String(query.limit));
      if (query.cursor !== undefined) params.set('cursor', query.cursor);
      const search = params.toString() ? `?${params}` : '';
      return json<ImageListJson>(request('GET', `/images${search}`));
    },

    getImage: (imageId: string) => json<ImageJson>(request('GET', `/images/${id(imageId)}`)),

    /** `GET /images/:id/variants`: a size variant (rendered on first request). */
    getImageVariant: (imageId: string, size: number, fit?: VariantFit) =>
      json<VariantJson>(request('GET', `/images/${id(imageId)}/variants?size=${size}${fit ? `&fit=${fit}` : ''}`)),

    deleteImage: async (imageId: string): Promise<void> => void (await request('DELETE', `/images/${id(imageId)}`)),

    deleteAvatar: async (): Promise<void> => void (await request('DELETE', '/users/me/avatar')),

    /** The stable avatar URL a page embeds (a redirect to the current object); no request is made. */
    avatarUrl: (userId: string, variant?: { size: number; fit?: VariantFit }) =>
      `${base}/users/${id(userId)}/avatar${variant ? `?size=${variant.size}&fit=${variant.fit ?? 'cover'}` : ''}`,

    /** `POST /uploads` (user token, or server API key with `user_id`): a one-time URL for a browser. */
    createUploadUrl: (body: UploadUrlRequest) =>
      json<UploadUrlJson>(
        request('POST', '/uploads', { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
      ),

    /** Uploads to a direct-upload URL, without credentials. Works once. */
    uploadToUrl: (uploadUrl: string, file: Blob, opts?: Pick<UploadOptions, 'signal'>) =>
      upload<ImageJson | AvatarUploadJson>(uploadUrl, file, { ...opts, auth: false }),
  };
}

export type GatewayClient = ReturnType<typeof createGatewayClient>;
