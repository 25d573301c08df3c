import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app';
import { ERROR_STATUS } from '../../src/lib/errors';
import { BASE, call, expectError, tokenFor } from '../helpers/api';

// GET /openapi.json through the real Worker: an OpenAPI 3.1 document of every
// route the app serves, whose error codes are the error table's and whose
// limits are the ones the routes enforce.

type Json = Record<string, any>;

async function fetchDocument(): Promise<Json> {
  const response = await call('/openapi.json');
  expect(response.status).toBe(200);
  expect(response.headers.get('Content-Type')).toMatch(/^application\/json/);
  return (await response.json()) as Json;
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/** Every operation of the document as `METHOD /path`, with the operation object. */
function operations(doc: Json): [string, Json][] {
  return Object.entries(doc.paths as Json).flatMap(([path, item]) =>
    Object.entries(item as Json)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => [`${method.toUpperCase()} ${path}`, op as Json] as [string, Json]),
  );
}

/** Every `$ref` anywhere in `value`. */
function refs(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refs);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, inner]) => (key === '$ref' ? [inner as string] : refs(inner)));
}

/** The routes Hono serves, as `METHOD /path` in OpenAPI's spelling (`:id` → `{id}`, a trailing `*` → `{key}`). */
function servedRoutes(): string[] {
  const app = createApp({
    codecs: () => {
      throw new Error('not used');
    },
  });
  const routes = app.routes
    .filter((route) => route.method !== 'ALL')
    .map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, '{$1}').replace(/\/\*$/, '/{key}')}`);
  return [...new Set(routes)].sort();
}

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document: info, this origin as the server, unique operation ids, resolvable $refs', async () => {
    const doc = await fetchDocument();
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(typeof doc.info.title).toBe('string');
    expect(typeof doc.info.version).toBe('string');
    expect(doc.servers).toEqual([{ url: BASE }]);

    const ops = operations(doc);
    expect(ops.length).toBeGreaterThan(10);
    const ids = ops.map(([, op]) => op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [name, op] of ops) {
      expect(Object.keys(op.responses).length, name).toBeGreaterThan(0);
      for (const [status, response] of Object.entries(op.responses as Json)) {
        expect(status, name).toMatch(/^[1-5]\d\d$/);
        expect(typeof response.description, `${name} ${status}`).toBe('string');
      }
      const path = name.split(' ')[1]!;
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const pathParams = (op.parameters as Json[]).filter((p) => p.in === 'path');
      expect(pathParams.map((p) => p.name).sort(), name).toEqual(templated);
      for (const param of op.parameters as Json[]) {
        expect(['path', 'query', 'header'], name).toContain(param.in);
        expect(typeof param.schema, `${name} ${param.name}`).toBe('object');
        if (param.in === 'path') expect(param.required, `${name} ${param.name}`).toBe(true);
      }
      for (const requirement of op.security as Json[]) {
        for (const scheme of Object.keys(requirement)) expect(doc.components.securitySchemes).toHaveProperty(scheme);
      }
    }

    const targets = refs(doc);
    expect(targets.length).toBeGreaterThan(0);
    for (const target of targets) {
      expect(target).toMatch(/^#\/components\/schemas\/\w+$/);
      expect(doc.components.schemas, target).toHaveProperty(target.split('/').at(-1)!);
    }
  });

  it('describes exactly the routes the app serves', async () => {
    const documented = operations(await fetchDocument())
      .map(([name]) => name)
      .sort();
    expect(documented).toEqual(servedRoutes());
  });

  it("documents error codes as the error table has them: the Error schema's codes, and each response's status", async () => {
    const doc = await fetchDocument();
    expect(doc.components.schemas.Error.properties.error.properties.code.enum).toEqual(Object.keys(ERROR_STATUS));
    const documented = new Set<string>();
    for (const [name, op] of operations(doc)) {
      for (const [status, response] of Object.entries(op.responses as Json)) {
        if (Number(status) < 400 || !response.content) continue;
        const codes: string[] =
          response.content['application/json'].schema.allOf[1].properties.error.properties.code.enum;
        expect(codes.length, `${name} ${status}`).toBeGreaterThan(0);
        for (const code of codes) {
          expect(ERROR_STATUS, `${name}: ${code}`).toHaveProperty(code, Number(status));
          documented.add(code);
        }
      }
      // Every route can refuse a request and can fail.
      expect(Object.keys(op.responses), name).toEqual(expect.arrayContaining(['400', '500']));
    }
    expect([...documented].sort()).toEqual(Object.keys(ERROR_STATUS).sort());
  });

  it('shows the limits the routes enforce: the documented bounds are accepted, one past them is 400 invalid_request', async () => {
    const doc = await fetchDocument();
    const token = await tokenFor('openapi-limits');
    const auth = { headers: { Authorization: `Bearer ${token}` } };

    const limit = (doc.paths['/images'].get.parameters as Json[]).find((p) => p.name === 'limit')!.schema;
    expect((await call(`/images?limit=${limit.maximum}`, auth)).status).toBe(200);
    await expectError(await call(`/images?limit=${limit.maximum + 1}`, auth), 400, 'invalid_request');
    await expectError(await call(`/images?limit=${limit.minimum - 1}`, auth), 400, 'invalid_request');

    const size = (doc.paths['/users/{userId}/avatar'].get.parameters as Json[]).find((p) => p.name === 'size')!.schema;
    const refused = await call(`/users/nobody/avatar?size=${Math.max(...size.enum) + 1}`);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as Json).error.details.allowed_sizes).toEqual(size.enum);
    // A documented size passes validation and reaches the lookup: this user has no avatar.
    await expectError(await call(`/users/nobody/avatar?size=${size.enum[0]}`), 404, 'not_found');

    const body = doc.paths['/uploads'].post.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(['purpose']);
    expect(body.properties.purpose.enum).toEqual(['avatar', 'image']);
    const issue = (json: object) =>
      call('/uploads', {
        method: 'POST',
        headers: { ...auth.headers, 'Content-Type': 'application/json' },
        body: JSON.stringify(json),
      });
    expect((await issue({ purpose: 'image', max_bytes: body.properties.max_bytes.maximum })).status).toBe(201);
    await expectError(
      await issue({ purpose: 'image', max_bytes: body.properties.max_bytes.maximum + 1 }),
      400,
      'invalid_request',
    );
    await expectError(await issue({ purpose: 'video' }), 400, 'invalid_request');
    await expectError(await issue({}), 400, 'invalid_request');

    const id = (doc.paths['/images/{id}'].get.parameters as Json[]).find((p) => p.name === 'id')!.schema;
    const pattern = new RegExp(id.pattern);
    expect(pattern.test('0b9ec0c8-0d6e-4c6f-9f4b-1d2f3a4b5c6d')).toBe(true);
    await expectError(await call('/images/0b9ec0c8-0d6e-4c6f-9f4b-1d2f3a4b5c6d', auth), 404, 'not_found');
    await expectError(await call('/images/NOT-AN-ID', auth), 400, 'invalid_request');
  });
});
