import type { Context } from 'hono';
import type { AppEnv } from '../app-types';
import { object, type ObjectOf, type Shape } from '../lib/schema';
import type { ApiLimits } from './api-schemas';
import { configOf } from './context';

/*
 * Request validation from an operation's own schemas (routes/operations.ts),
 * the same ones the OpenAPI document prints. A refused value is 400
 * `invalid_request` naming the parameter.
 */

type ShapeOf<S extends Shape> = S | ((limits: ApiLimits) => S);

function readText<S extends Shape>(shape: S, text: (name: string) => string | undefined): ObjectOf<S> {
  const values: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(shape)) {
    const raw = text(name);
    if (raw !== undefined) values[name] = schema.fromText(raw);
  }
  return object(shape).parse(values, '');
}

/** The path parameters (`/images/{id}` → `{ id }`), validated. */
export function paramsOf<S extends Shape>(c: Context<AppEnv>, shape: S): ObjectOf<S> {
  return readText(shape, (name) => c.req.param(name));
}

/** The query parameters, validated (a repeated parameter counts by its first value). */
export function queryOf<S extends Shape>(c: Context<AppEnv>, shape: ShapeOf<S>): ObjectOf<S> {
  const resolved = typeof shape === 'function' ? shape(configOf(c)) : shape;
  return readText(resolved, (name) => c.req.query(name));
}
